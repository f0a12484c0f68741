"""course_utils.rnn_reference: Keras's LSTM and GRU outputs for given weights, and random weights."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.rnn_reference import keras_gru, keras_lstm, random_gru_weights, random_lstm_weights
from errors import clear_error


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm(x, kernel, recurrent, bias, h, c):
    u = recurrent.shape[0]
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def gru(x, kernel, recurrent, bias, h):
    u = recurrent.shape[0]
    outputs = []
    for t in range(x.shape[1]):
        a, m = x[:, t] @ kernel + bias[0], h @ recurrent + bias[1]
        z, r = sigmoid(a[:, :u] + m[:, :u]), sigmoid(a[:, u:2 * u] + m[:, u:2 * u])
        h = z * h + (1 - z) * np.tanh(a[:, 2 * u:] + r * m[:, 2 * u:])
        outputs.append(h)
    return np.stack(outputs, axis=1), h


def test_random_weights_have_keras_layouts_and_are_reproducible():
    kernel, recurrent, bias = random_lstm_weights(3, 5, seed=1)
    assert kernel.shape == (3, 20) and recurrent.shape == (5, 20) and bias.shape == (20,)
    assert kernel.dtype == np.float32
    assert np.array_equal(kernel, random_lstm_weights(3, 5, seed=1)[0])
    kernel, recurrent, bias = random_gru_weights(2, 4, seed=1, scale=0.1)
    assert kernel.shape == (2, 12) and recurrent.shape == (4, 12) and bias.shape == (2, 12)
    assert np.abs(kernel).max() < 1


def test_keras_lstm_matches_the_equations_with_initial_states():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 3)).astype(np.float32)
    weights = random_lstm_weights(3, 4, seed=2)
    h0, c0 = rng.normal(size=(2, 2, 4)).astype(np.float32)
    outputs, h, c = keras_lstm(x, *weights, h0, c0)
    expected = lstm(x.astype(float), *weights, h0, c0)
    assert outputs.shape == (2, 6, 4) and h.shape == (2, 4) and c.shape == (2, 4)
    for mine, theirs in zip((outputs, h, c), expected):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)
    zeros = keras_lstm(x, *weights)
    np.testing.assert_allclose(zeros[0], lstm(x.astype(float), *weights, np.zeros((2, 4)), np.zeros((2, 4)))[0],
                               atol=1e-5)


def test_keras_gru_matches_the_equations():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 2)).astype(np.float32)
    weights = random_gru_weights(2, 3, seed=3)
    h0 = rng.normal(size=(1, 3)).astype(np.float32)
    outputs, h = keras_gru(x, *weights, h0)
    expected = gru(x.astype(float), *weights, h0)
    np.testing.assert_allclose(outputs, expected[0], atol=1e-5)
    np.testing.assert_allclose(h, expected[1], atol=1e-5)


@pytest.mark.parametrize("function", [random_lstm_weights, random_gru_weights])
@pytest.mark.parametrize("args, phrases", [((0, 3), ("features", ">= 1")), ((2, 0), ("units", ">= 1")),
                                           ((2, True), ("units", "got True")), ((2, 3, 0, -1.0), ("scale", "positive")),
                                           ((2.5, 3), ("features", "integer"))])
def test_random_weights_check_sizes(function, args, phrases):
    with clear_error(*phrases):
        function(*args)


def test_keras_references_check_shapes():
    weights = random_lstm_weights(3, 4)
    with clear_error("got (2, 0, 3)", "length 0"):
        keras_lstm(np.zeros((2, 0, 3)), *weights)
    with clear_error("(batch, timesteps, features)", "got (2, 3)"):
        keras_lstm(np.zeros((2, 3)), *weights)
    with clear_error("weights do not fit 2 input", "expected (features, 4u)"):
        keras_lstm(np.zeros((2, 5, 2)), *weights)
    with clear_error("h0 must have shape", "(2, 4)"):
        keras_lstm(np.zeros((2, 5, 3)), *weights, h0=np.zeros((3, 4)))
    with clear_error("c0 must have shape", "(2, 4)"):
        keras_lstm(np.zeros((2, 5, 3)), *weights, c0=np.zeros((2, 5)))
    with clear_error("weights do not fit 3 input", "expected (features, 3u)"):
        keras_gru(np.zeros((2, 5, 3)), *weights)
    with clear_error("h0 must have shape", "got (4,)"):
        keras_gru(np.zeros((2, 5, 3)), *random_gru_weights(3, 4), h0=np.zeros(4))
