"""course_utils.architectures: output shapes of every builder, training, and every ValueError."""
import keras
import numpy as np
import pytest

from course_utils.architectures import (
    FitResult,
    attention_weights,
    build_attention_lstm,
    build_bidirectional_lstm,
    build_cnn_lstm,
    build_frame_lstm,
    build_lstm,
    build_seq2seq_lstm,
    build_stacked_lstm,
    fit_model,
    train_with_early_stopping,
)
from errors import clear_error



@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 6, 2)).astype("float32")
    return X, X[:, -1, :1] * 0.5  # targets (24, 1): a learnable function of the last step


@pytest.mark.parametrize("build, expected", [
    (lambda: build_lstm(6, 2, units=4), (None, 1)),
    (lambda: build_lstm(6, 2, units=4, horizon=3), (None, 3)),
    (lambda: build_stacked_lstm(6, 2, units=(4, 3, 2)), (None, 1)),
    (lambda: build_bidirectional_lstm(6, 2, units=3, horizon=2), (None, 2)),
    (lambda: build_bidirectional_lstm(6, 2, units=3, return_sequences=True), (None, 6, 1)),
    (lambda: build_attention_lstm(6, 2, units=4), (None, 1)),
    (lambda: build_cnn_lstm(6, 2, filters=3, kernel_size=3, units=4, horizon=2), (None, 2)),
    (lambda: build_seq2seq_lstm(6, 2, units=4, horizon=5), (None, 5, 1)),
    (lambda: build_frame_lstm(4, 8, 8, n_classes=3, filters=2, units=4), (None, 3)),
])
def test_output_shapes(build, expected):
    assert build().output_shape == expected


def test_stacked_layers_below_the_top_return_sequences():
    model = build_stacked_lstm(6, 2, units=(5, 4, 3))
    shapes = [tuple(layer.output.shape) for layer in model.layers if layer.name.startswith("lstm_")]
    assert shapes == [(None, 6, 5), (None, 6, 4), (None, 3)]


def test_bidirectional_concatenates_both_directions():
    model = build_bidirectional_lstm(6, 2, units=3)
    assert tuple(model.layers[1].output.shape) == (None, 6)


def test_cnn_lstm_halves_the_sequence():
    model = build_cnn_lstm(6, 2, filters=3, kernel_size=2, units=4)
    assert [tuple(layer.output.shape) for layer in model.layers[1:3]] == [(None, 6, 3), (None, 3, 3)]


def test_frame_lstm_applies_the_cnn_to_every_frame():
    model = build_frame_lstm(4, 8, 8, filters=2, units=4)
    assert tuple(model.layers[3].output.shape) == (None, 4, 4 * 4 * 2)
    probabilities = model.predict(np.zeros((2, 4, 8, 8, 1), "float32"), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_attention_weights_are_a_distribution_per_window(windows):
    X, _ = windows
    weights = attention_weights(build_attention_lstm(6, 2, units=4), X)
    assert weights.shape == (24, 6)
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)


def test_fit_model_trains_and_reports(windows):
    X, y = windows
    keras.utils.set_random_seed(0)
    model = build_lstm(6, 2, units=4)
    result = fit_model(model, X, y, X, y, epochs=3, batch_size=8, learning_rate=0.01, patience=5)
    assert isinstance(result, FitResult)
    assert result.epochs == 3 and result.seconds > 0
    losses = result.history.history["loss"]
    assert losses[-1] < losses[0]


def test_fit_model_classifier_and_sequence_targets(windows):
    X, y = windows
    clips = np.zeros((6, 4, 8, 8, 1), "float32")
    labels = np.arange(6) % 3
    result = fit_model(build_frame_lstm(4, 8, 8, n_classes=3, filters=2, units=4), clips, labels, clips, labels,
                       epochs=1, loss="sparse_categorical_crossentropy", metrics=("accuracy",))
    assert "accuracy" in result.history.history
    targets = np.repeat(y, 3, axis=1)[..., np.newaxis]  # (24, 3, 1)
    assert fit_model(build_seq2seq_lstm(6, 2, units=4, horizon=3), X, targets, X, targets, epochs=1).epochs == 1


def test_fit_model_refuses_an_unpooled_attention_model(windows):
    X, y = windows
    inputs = keras.Input((6, 2))
    states = keras.layers.LSTM(4, return_sequences=True)(inputs)
    per_step = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Attention()([states, states])))
    with clear_error("outputs (6, 1) per sample", "must be pooled"):
        fit_model(per_step, X, y, X, y, epochs=1)


@pytest.mark.parametrize("kwargs, phrases", [
    ({"epochs": 0}, ("epochs", ">= 1")),
    ({"epochs": 1, "batch_size": 1.5}, ("batch_size", "integer")),
    ({"epochs": 1, "patience": -1}, ("patience", ">= 0")),
    ({"epochs": 1, "learning_rate": 0}, ("learning_rate", "positive")),
])
def test_fit_model_rejects_bad_settings(windows, kwargs, phrases):
    X, y = windows
    with clear_error(*phrases):
        fit_model(build_lstm(6, 2, units=2), X, y, X, y, **kwargs)


def test_fit_model_rejects_mismatched_lengths_and_shapes(windows):
    X, y = windows
    model = build_lstm(6, 2, units=2)
    with clear_error("24 samples", "targets 23", "one target per input window"):
        fit_model(model, X, y[:-1], X, y, epochs=1)
    with clear_error("validation targets", "(2,) per sample"):
        fit_model(model, X, y, X, np.repeat(y, 2, axis=1), epochs=1)
    with clear_error("training targets", "y[..., np.newaxis]"):
        fit_model(build_seq2seq_lstm(6, 2, units=2, horizon=2), X, np.repeat(y, 2, axis=1), X,
                  np.repeat(y, 2, axis=1), epochs=1)


@pytest.mark.parametrize("build, phrases", [
    (lambda: build_lstm(0, 2), ("lookback", ">= 1")),
    (lambda: build_lstm(6, True), ("n_features", "integer")),
    (lambda: build_lstm(6, 2, units=0), ("units", ">= 1")),
    (lambda: build_lstm(6, 2, horizon=0), ("horizon", ">= 1")),
    (lambda: build_stacked_lstm(6, 2, units=8), ("at least two layers", "build_lstm")),
    (lambda: build_stacked_lstm(6, 2, units=(8,)), ("at least two layers", "build_lstm")),
    (lambda: build_stacked_lstm(6, 2, units=(8, 0)), ("each entry of units", ">= 1")),
    (lambda: build_bidirectional_lstm(6, 2, units=-1), ("units", ">= 1")),
    (lambda: build_attention_lstm(6, 2, units=2.5), ("units", "integer")),
    (lambda: build_cnn_lstm(1, 2), ("lookback", ">= 2")),
    (lambda: build_cnn_lstm(6, 2, kernel_size=7), ("kernel_size=7", "longer than the window")),
    (lambda: build_cnn_lstm(6, 2, filters=0, kernel_size=3), ("filters", ">= 1")),
    (lambda: build_seq2seq_lstm(6, 2, horizon=1), ("horizon=1", "horizon >= 2")),
    (lambda: build_frame_lstm(4, 1, 8), ("height", ">= 2")),
    (lambda: build_frame_lstm(4, 8, 8, n_classes=1), ("n_classes", ">= 2")),
])
def test_builders_reject_bad_arguments(build, phrases):
    with clear_error(*phrases):
        build()


def test_attention_weights_rejects_other_models_and_bad_windows(windows):
    X, _ = windows
    with clear_error("attention_weights", "build_attention_lstm"):
        attention_weights(build_lstm(6, 2, units=2), X)
    with clear_error("(n, 6, 2)", "got (24, 5, 2)"):
        attention_weights(build_attention_lstm(6, 2, units=2), X[:, :5])


def test_train_with_early_stopping_takes_a_minimum_improvement_and_more_callbacks():
    model = build_lstm(4, 1, units=2)
    model.compile(loss="mse", optimizer="adam")
    X, y = np.random.default_rng(0).normal(size=(32, 4, 1)), np.zeros((32, 1))

    class Count(keras.callbacks.Callback):
        epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            Count.epochs += 1

    # no fall of the validation loss counts as an improvement: the first epoch is the best, then patience runs out
    result = train_with_early_stopping(model, X, y, X, y, epochs=20, batch_size=16, patience=2, min_delta=1e6,
                                       callbacks=[Count()])
    assert result.epochs == 3 and Count.epochs == 3
