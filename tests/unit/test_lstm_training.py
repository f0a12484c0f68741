"""course_utils.lstm_training: build, time and check Keras LSTM regressors."""
import importlib

import keras
import numpy as np
import pytest

from course_utils.config import set_seed
from course_utils.lstm_training import (
    EpochTiming,
    build_lstm_regressor,
    cudnn_blockers,
    time_training_epoch,
)
from errors import clear_error


@pytest.fixture
def windows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 6, 3)).astype("float32"), rng.normal(size=(40, 2)).astype("float32")


def test_single_layer_returns_the_last_state_to_the_head():
    model = build_lstm_regressor(lookback=6, n_features=3, units=5, horizon=2, dropout=0.1,
                                 learning_rate=0.01)
    lstm = model.get_layer("lstm_1")
    assert not lstm.return_sequences and lstm.dropout == pytest.approx(0.1)
    assert model.compiled and model.loss == "mse"
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    assert model(np.zeros((4, 6, 3), "float32")).shape == (4, 2)


def test_stacked_layers_pass_whole_sequences_except_the_last():
    model = build_lstm_regressor(lookback=6, n_features=3, units=(8, 4), activation="relu")
    first, second = model.get_layer("lstm_1"), model.get_layer("lstm_2")
    assert first.return_sequences and not second.return_sequences
    assert first.units == 8 and second.units == 4
    assert keras.activations.serialize(first.activation) == "relu"
    batch = np.zeros((2, 6, 3), "float32")
    assert first(batch).shape == (2, 6, 8)
    assert model(batch).shape == (2, 1)


@pytest.mark.parametrize("kwargs, phrases", [
    ({"lookback": 0}, ("lookback", ">= 1")),
    ({"n_features": 2.5}, ("n_features", "integer")),
    ({"horizon": True}, ("horizon", "integer")),
    ({"units": ()}, ("units", "non-empty sequence")),
    ({"units": "32"}, ("units", "non-empty sequence")),
    ({"units": (8, 0)}, ("every entry of units", ">= 1")),
    ({"dropout": 1.0}, ("dropout", "[0, 1)")),
    ({"dropout": "0.1"}, ("dropout", "[0, 1)")),
    ({"learning_rate": 0}, ("learning_rate", "positive")),
    ({"activation": "no_such_activation"}, ("unknown to Keras", "'tanh'")),
])
def test_build_errors_say_what_to_change(kwargs, phrases):
    arguments = {"lookback": 6, "n_features": 3} | kwargs
    with clear_error(*phrases):
        build_lstm_regressor(**arguments)


def test_times_a_whole_epoch(windows):
    X, y = windows
    set_seed(0)
    model = build_lstm_regressor(lookback=6, n_features=3, units=4, horizon=2)
    timing = time_training_epoch(model, X, y, batch_size=16)
    assert isinstance(timing, EpochTiming)
    assert (timing.batches_timed, timing.batches_per_epoch) == (3, 3)  # 16 + 16 + 8 samples
    assert not timing.extrapolated and timing.seconds_timed > 0
    assert timing.seconds_per_epoch == timing.seconds_timed
    assert "(a whole epoch)" in timing.describe() and "fastest" not in timing.describe()
    repeated = time_training_epoch(model, X, y, batch_size=16, repeats=2)
    assert repeated.repeats == 2 and "(fastest of 2 runs)" in repeated.describe()


def test_times_a_subset_and_extrapolates(windows):
    X, y = windows
    model = build_lstm_regressor(lookback=6, n_features=3, units=4, horizon=2)
    timing = time_training_epoch(model, X, y, batch_size=1, max_batches=5, warmup_batches=0)
    assert (timing.batches_timed, timing.batches_per_epoch) == (5, 40)
    assert timing.extrapolated
    assert timing.seconds_per_epoch == pytest.approx(timing.seconds_timed * 8)
    assert "timed 5 of 40 batches" in timing.describe() and "extrapolated" in timing.describe()
    # asking for more batches than an epoch holds times the epoch
    assert time_training_epoch(model, X, y, batch_size=20, max_batches=99).batches_timed == 2


def test_timing_errors_say_what_to_change(windows):
    X, y = windows
    model = build_lstm_regressor(lookback=6, n_features=3, units=4, horizon=2)
    uncompiled = keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(2), keras.layers.Dense(2)])
    with clear_error("not compiled", "model.compile("):
        time_training_epoch(uncompiled, X, y, batch_size=8)
    with clear_error("(samples, lookback, features)", "got (40, 6)"):
        time_training_epoch(model, X[:, :, 0], y, batch_size=8)
    with clear_error("39 targets for 40 windows", "one target row per window"):
        time_training_epoch(model, X, y[:-1], batch_size=8)
    with clear_error("batch_size", ">= 1"):
        time_training_epoch(model, X, y, batch_size=0)
    with clear_error("max_batches", ">= 1"):
        time_training_epoch(model, X, y, batch_size=8, max_batches=0)
    with clear_error("warmup_batches", ">= 0"):
        time_training_epoch(model, X, y, batch_size=8, warmup_batches=-1)
    with clear_error("repeats", ">= 1"):
        time_training_epoch(model, X, y, batch_size=8, repeats=0)


def test_default_lstm_and_input_dropout_qualify_for_cudnn():
    assert cudnn_blockers(keras.layers.LSTM(4)) == []
    assert cudnn_blockers(keras.layers.LSTM(4, dropout=0.3)) == []


@pytest.mark.parametrize("kwargs, reason", [
    ({"activation": "relu"}, "activation='relu'"),
    ({"recurrent_activation": "hard_sigmoid"}, "recurrent_activation='hard_sigmoid'"),
    ({"recurrent_dropout": 0.2}, "recurrent_dropout=0.2"),
    ({"unroll": True}, "unroll=True"),
    ({"use_bias": False}, "use_bias=False"),
    ({"use_cudnn": False}, "use_cudnn=False"),
])
def test_each_blocking_argument_is_named(kwargs, reason):
    reasons = cudnn_blockers(keras.layers.LSTM(4, **kwargs))
    assert len(reasons) == 1 and reasons[0].startswith(reason)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("recurrent_activation", ["sigmoid", "hard_sigmoid"])
@pytest.mark.parametrize("unroll", [False, True])
@pytest.mark.parametrize("use_bias", [True, False])
def test_agrees_with_the_installed_keras(activation, recurrent_activation, unroll, use_bias):
    """Guards against drift: Keras's own (private) test of the layer arguments."""
    # private: if Keras moves it, this test fails and must be updated
    rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")

    layer = keras.layers.LSTM(4, activation=activation, recurrent_activation=recurrent_activation,
                              unroll=unroll, use_bias=use_bias)
    keras_says = rnn._do_lstm_arguments_support_cudnn(
        activation=layer.cell.activation, recurrent_activation=layer.cell.recurrent_activation,
        unroll=layer.unroll, use_bias=layer.cell.use_bias)
    assert (cudnn_blockers(layer) == []) == bool(keras_says)


def test_only_lstm_layers_are_checked():
    with clear_error("keras.layers.LSTM", "got GRU"):
        cudnn_blockers(keras.layers.GRU(4))
