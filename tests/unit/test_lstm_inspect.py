"""course_utils.lstm_inspect: gates of a Keras LSTM recomputed in numpy."""
import keras
import numpy as np
import pytest

from course_utils.lstm_inspect import GATE_NAMES, lstm_gate_activations
from errors import clear_error


@pytest.fixture(scope="module")
def layer_and_inputs():
    """A built LSTM with random (non-default) bias, and random inputs (3 samples, 6 steps, 2 features)."""
    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    x = np.random.default_rng(0).normal(size=(3, 6, 2)).astype("float32")
    layer(x)
    kernel, recurrent_kernel, bias = layer.get_weights()
    layer.set_weights([kernel, recurrent_kernel, np.random.default_rng(1).normal(size=bias.shape)])
    return layer, x


def test_shapes_and_keys(layer_and_inputs):
    layer, x = layer_and_inputs
    gates = lstm_gate_activations(layer, x)
    assert tuple(gates) == GATE_NAMES
    for values in gates.values():
        assert values.shape == (3, 6, 4) and values.dtype == np.float64


def test_hidden_and_cell_match_the_layer(layer_and_inputs):
    layer, x = layer_and_inputs
    sequence, h_last, c_last = (v.numpy() for v in layer(x))
    gates = lstm_gate_activations(layer, x)
    assert np.abs(gates["hidden"] - sequence).max() <= 1e-5
    assert np.abs(gates["hidden"][:, -1] - h_last).max() <= 1e-5
    assert np.abs(gates["cell"][:, -1] - c_last).max() <= 1e-5


def test_gates_are_in_range_and_obey_the_equations(layer_and_inputs):
    layer, x = layer_and_inputs
    g = lstm_gate_activations(layer, x)
    for name in ("forget", "input", "output"):
        assert ((g[name] > 0) & (g[name] < 1)).all()
    assert (np.abs(g["candidate"]) < 1).all()
    # (4) and (6) at step 0 (previous cell state zero) and at step 3
    assert np.allclose(g["cell"][:, 0], g["input"][:, 0] * g["candidate"][:, 0])
    expected = g["forget"][:, 3] * g["cell"][:, 2] + g["input"][:, 3] * g["candidate"][:, 3]
    assert np.allclose(g["cell"][:, 3], expected)
    assert np.allclose(g["hidden"], g["output"] * np.tanh(g["cell"]))


def test_forget_gate_is_the_second_block():
    """A large bias on Keras's second block (f) and nothing else drives only the forget gate to 1."""
    layer = keras.layers.LSTM(3)
    layer.build((None, 5, 1))
    kernel, recurrent_kernel, bias = layer.get_weights()
    bias[:] = 0.0
    bias[3:6] = 20.0
    layer.set_weights([kernel * 0, recurrent_kernel * 0, bias])
    g = lstm_gate_activations(layer, np.ones((2, 5, 1)))
    assert np.allclose(g["forget"], 1.0) and np.allclose(g["input"], 0.5)
    assert np.allclose(g["candidate"], 0.0) and np.allclose(g["output"], 0.5)


def test_layer_without_bias_and_a_trained_model():
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(2).normal(size=(8, 5, 1)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(5, 1)), keras.layers.LSTM(3, use_bias=False),
                              keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, x[:, -1], epochs=1, verbose=0)
    gates = lstm_gate_activations(model.layers[0], x)
    assert np.abs(gates["hidden"][:, -1] - model.layers[0](x).numpy()).max() <= 1e-5


def test_not_an_lstm_layer():
    rnn = keras.layers.GRU(2)
    rnn.build((None, 3, 1))
    with clear_error("keras.layers.LSTM", "got GRU"):
        lstm_gate_activations(rnn, np.zeros((1, 3, 1)))
    with clear_error("keras.layers.LSTM", "got LSTMCell"):
        lstm_gate_activations(keras.layers.LSTMCell(2), np.zeros((1, 3, 1)))


def test_unbuilt_layer():
    with clear_error("no weights yet", "build it first"):
        lstm_gate_activations(keras.layers.LSTM(2), np.zeros((1, 3, 1)))


def test_non_standard_activation():
    layer = keras.layers.LSTM(2, activation="relu")
    layer.build((None, 3, 1))
    with clear_error("activation='relu'", "standard LSTM", "built with the default activations"):
        lstm_gate_activations(layer, np.zeros((1, 3, 1)))


def test_backwards_layer():
    layer = keras.layers.LSTM(2, go_backwards=True)
    layer.build((None, 3, 1))
    with clear_error("go_backwards", "X[:, ::-1]"):
        lstm_gate_activations(layer, np.zeros((1, 3, 1)))


@pytest.mark.parametrize("shape", [(3, 1), (2, 3, 1, 1), (0, 3, 1), (2, 0, 1)])
def test_wrong_input_shape(layer_and_inputs, shape):
    layer, _ = layer_and_inputs
    with clear_error("(samples, timesteps, features)", "at least one sample"):
        lstm_gate_activations(layer, np.zeros(shape))


def test_wrong_number_of_features(layer_and_inputs):
    layer, _ = layer_and_inputs
    with clear_error("3 features per step", "built for 2"):
        lstm_gate_activations(layer, np.zeros((1, 4, 3)))


def test_missing_values(layer_and_inputs):
    layer, x = layer_and_inputs
    bad = x.copy()
    bad[0, 2, 1] = np.nan
    with clear_error("NaN", "fill or drop"):
        lstm_gate_activations(layer, bad)
