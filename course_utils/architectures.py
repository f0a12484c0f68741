"""Builders of the LSTM architectures of notebook 05 and one way to train any of them.

Every forecasting builder takes windows of shape ``(lookback, n_features)`` and returns an
uncompiled ``keras.Model`` whose output has one value per forecast step, ``(None, horizon)``,
except :func:`build_seq2seq_lstm`, which emits a sequence ``(None, horizon, 1)``.
:func:`build_frame_lstm` classifies short clips of images. :func:`fit_model` compiles and
trains a model with early stopping on the validation loss, and refuses targets whose shape
does not match the model's output (the mistake of an attention model that was never pooled).

Keras is imported inside the functions, so importing this module stays light.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ._validate import count

__all__ = [
    "build_lstm",
    "build_stacked_lstm",
    "build_bidirectional_lstm",
    "build_attention_lstm",
    "attention_weights",
    "build_cnn_lstm",
    "build_seq2seq_lstm",
    "build_frame_lstm",
    "FitResult",
    "fit_model",
    "train_with_early_stopping",
]


def _input(lookback: Any, n_features: Any) -> Any:
    import keras

    return keras.Input(shape=(count(lookback, "lookback"), count(n_features, "n_features")))


def _lstm_layers(widths: Sequence[int], activation: str = "tanh", dropout: float = 0.0) -> list[Any]:
    """LSTM layers to stack, bottom first: every layer but the top returns its whole sequence.

    A layer above another LSTM needs the sequence of states ``(None, lookback, width)`` as
    its input, so the lower layers use ``return_sequences=True``; the top one returns only
    its last state ``(None, width)``. The layers are named ``lstm_1``, ``lstm_2``, ...

    Parameters
    ----------
    widths
        Width of each layer, bottom first (already checked).
    activation, dropout
        Passed to every ``keras.layers.LSTM``.

    Returns
    -------
    list of keras.layers.LSTM
        Layers not yet called on an input.
    """
    import keras

    return [keras.layers.LSTM(width, activation=activation, dropout=dropout,
                              return_sequences=depth < len(widths), name=f"lstm_{depth}")
            for depth, width in enumerate(widths, start=1)]


def _lstm_network(lookback: Any, n_features: Any, widths: Sequence[int], horizon: Any, *, name: str,
                  activation: str = "tanh", dropout: float = 0.0) -> Any:
    """The course's one LSTM forecaster: stacked LSTM layers and a ``Dense(horizon)`` head named ``forecast``.

    :func:`build_lstm`, :func:`build_stacked_lstm` and
    :func:`course_utils.lstm_training.build_lstm_regressor` all build this network.

    Returns
    -------
    keras.Model
        Input ``(None, lookback, n_features)``, output ``(None, horizon)``; not compiled.
    """
    import keras

    x = inputs = _input(lookback, n_features)
    for layer in _lstm_layers(widths, activation=activation, dropout=dropout):
        x = layer(x)
    outputs = keras.layers.Dense(count(horizon, "horizon"), name="forecast")(x)
    return keras.Model(inputs, outputs, name=name)


def build_lstm(lookback: int, n_features: int, units: int = 32, horizon: int = 1) -> Any:
    """One LSTM layer and a ``Dense(horizon)`` output: the reference of the comparison.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window, ``(lookback, n_features)``.
    units
        Width of the LSTM layer.
    horizon
        Number of future values predicted at once (a vector output).

    Returns
    -------
    keras.Model
        Input ``(None, lookback, n_features)``, output ``(None, horizon)``; not compiled.
    """
    return _lstm_network(lookback, n_features, [count(units, "units")], horizon, name="lstm")


def build_stacked_lstm(
    lookback: int, n_features: int, units: Sequence[int] = (32, 16), horizon: int = 1
) -> Any:
    """LSTM layers on top of each other; every layer but the top returns its whole sequence.

    A layer above another LSTM needs a sequence ``(None, lookback, units)`` as input, so the
    lower layers use ``return_sequences=True``; the top one returns only its last state.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window.
    units
        Width of each layer, bottom first; at least two layers.
    horizon
        Number of future values predicted.

    Returns
    -------
    keras.Model
        Output ``(None, horizon)``; not compiled.
    """
    if isinstance(units, (int, np.integer)) or len(units) < 2:
        raise ValueError(
            f"units must list the width of at least two layers, e.g. (32, 16); got {units!r}. "
            "For a single layer use build_lstm."
        )
    widths = [count(u, "each entry of units") for u in units]
    return _lstm_network(lookback, n_features, widths, horizon, name="stacked_lstm")


def build_bidirectional_lstm(
    lookback: int, n_features: int, units: int = 16, horizon: int = 1,
    return_sequences: bool = False,
) -> Any:
    """An LSTM read forwards and a second one read backwards over the same window.

    The two final states are concatenated (``2 * units`` values). With
    ``return_sequences=True`` the model instead tags every step of the window with one value,
    output ``(None, lookback, 1)``: the backward LSTM has then read the *later* steps of the
    window before it outputs step ``t``, which is fine for tagging and a leak for forecasting
    step ``t + 1``.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window.
    units
        Width of each direction.
    horizon
        Number of future values predicted (ignored when ``return_sequences`` is True).
    return_sequences
        Output one value per input step instead of one forecast per window.

    Returns
    -------
    keras.Model
        Output ``(None, horizon)``, or ``(None, lookback, 1)`` when tagging; not compiled.
    """
    import keras

    inputs = _input(lookback, n_features)
    lstm = keras.layers.LSTM(count(units, "units"), return_sequences=bool(return_sequences))
    both = keras.layers.Bidirectional(lstm, merge_mode="concat")(inputs)
    if return_sequences:
        outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(both)
        return keras.Model(inputs, outputs, name="bidirectional_tagger")
    outputs = keras.layers.Dense(count(horizon, "horizon"))(both)
    return keras.Model(inputs, outputs, name="bidirectional_lstm")


def build_attention_lstm(
    lookback: int, n_features: int, units: int = 32, horizon: int = 1
) -> Any:
    """An LSTM whose last state attends over all its states, pooled to one forecast.

    The LSTM returns its state at every step, ``(None, lookback, units)`` (layer
    ``"states"``). The last state is the *query* of a dot-product ``keras.layers.Attention``
    (layer ``"attention"``) over all states, which gives one context vector per window,
    ``(None, 1, units)``. Context and last state are concatenated and flattened before the
    ``Dense(horizon)`` output, so the model emits one forecast per window, not one per step.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window.
    units
        Width of the LSTM (and of the context vector).
    horizon
        Number of future values predicted.

    Returns
    -------
    keras.Model
        Output ``(None, horizon)``; not compiled. See :func:`attention_weights`.
    """
    import keras

    inputs = _input(lookback, n_features)
    states = keras.layers.LSTM(count(units, "units"), return_sequences=True, name="states")(inputs)
    query = states[:, -1:, :]  # (None, 1, units): the last state asks the question
    context = keras.layers.Attention(name="attention")([query, states])  # (None, 1, units)
    pooled = keras.layers.Flatten()(keras.layers.Concatenate()([context, query]))
    outputs = keras.layers.Dense(count(horizon, "horizon"))(pooled)
    return keras.Model(inputs, outputs, name="attention_lstm")


def attention_weights(model: Any, X: Any) -> np.ndarray:
    """Weight the attention layer of :func:`build_attention_lstm` gives each step of each window.

    Parameters
    ----------
    model
        A model made by :func:`build_attention_lstm` (trained or not).
    X
        Windows, shape ``(n, lookback, n_features)``.

    Returns
    -------
    numpy.ndarray
        ``(n, lookback)`` weights; each row is non-negative and sums to 1.
    """
    import keras

    names = {layer.name for layer in getattr(model, "layers", [])}
    if not {"states", "attention"} <= names:
        raise ValueError(
            "attention_weights needs a model made by build_attention_lstm (layers named "
            f"'states' and 'attention'); this model's layers are {sorted(names)}."
        )
    X = np.asarray(X, dtype=np.float32)
    expected = tuple(model.input_shape[1:])
    if X.ndim != 3 or X.shape[1:] != expected:
        raise ValueError(f"X must have shape (n, {expected[0]}, {expected[1]}); got {X.shape}.")
    states = keras.Model(model.inputs, model.get_layer("states").output).predict(X, verbose=0)
    _, scores = model.get_layer("attention")([states[:, -1:, :], states], return_attention_scores=True)
    return np.asarray(scores)[:, 0, :]


def build_cnn_lstm(
    lookback: int, n_features: int, filters: int = 16, kernel_size: int = 5, units: int = 32,
    horizon: int = 1,
) -> Any:
    """``Conv1D`` feature extraction over the window, then an LSTM over the extracted features.

    The convolution slides ``filters`` learned patterns of ``kernel_size`` steps along the
    window (``padding="causal"`` keeps the length), max pooling halves the length, and the
    LSTM reads the shorter sequence of pattern strengths.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window; ``lookback >= 2``.
    filters, kernel_size
        Number and length of the convolution filters; ``kernel_size <= lookback``.
    units
        Width of the LSTM.
    horizon
        Number of future values predicted.

    Returns
    -------
    keras.Model
        Output ``(None, horizon)``; not compiled.
    """
    import keras

    lookback = count(lookback, "lookback", 2)
    kernel_size = count(kernel_size, "kernel_size")
    if kernel_size > lookback:
        raise ValueError(
            f"kernel_size={kernel_size} is longer than the window (lookback={lookback}); "
            "use a kernel of a few steps, e.g. 3 or 5."
        )
    inputs = _input(lookback, n_features)
    x = keras.layers.Conv1D(count(filters, "filters"), kernel_size, padding="causal",
                            activation="relu")(inputs)
    x = keras.layers.MaxPooling1D(pool_size=2)(x)
    x = keras.layers.LSTM(count(units, "units"))(x)
    outputs = keras.layers.Dense(count(horizon, "horizon"))(x)
    return keras.Model(inputs, outputs, name="cnn_lstm")


def build_seq2seq_lstm(
    lookback: int, n_features: int, units: int = 32, horizon: int = 7
) -> Any:
    """Encoder-decoder: the encoder's last state, repeated ``horizon`` times, feeds a decoder.

    ``LSTM(units)`` encodes the window into one vector, ``RepeatVector(horizon)`` copies it
    once per forecast step, ``LSTM(units, return_sequences=True)`` decodes the copies into
    ``horizon`` states, and ``TimeDistributed(Dense(1))`` turns each state into one value.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window.
    units
        Width of encoder and decoder.
    horizon
        Number of future steps; at least 2 (one step needs no decoder).

    Returns
    -------
    keras.Model
        Output ``(None, horizon, 1)``: train it on targets ``y[..., np.newaxis]``; not compiled.
    """
    import keras

    horizon = count(horizon, "horizon")
    if horizon < 2:
        raise ValueError(
            f"horizon={horizon}: a sequence-to-sequence model forecasts several steps; use "
            "horizon >= 2, or build_lstm for one step."
        )
    units = count(units, "units")
    inputs = _input(lookback, n_features)
    encoded = keras.layers.LSTM(units, name="encoder")(inputs)
    repeated = keras.layers.RepeatVector(horizon)(encoded)
    decoded = keras.layers.LSTM(units, return_sequences=True, name="decoder")(repeated)
    outputs = keras.layers.TimeDistributed(keras.layers.Dense(1))(decoded)
    return keras.Model(inputs, outputs, name="seq2seq_lstm")


def build_frame_lstm(
    frames: int, height: int, width: int, channels: int = 1, n_classes: int = 4,
    filters: int = 8, units: int = 16,
) -> Any:
    """Classify clips of images: the same small CNN on every frame, then an LSTM over frames.

    ``TimeDistributed`` applies ``Conv2D -> MaxPooling2D -> Flatten`` to each frame with one set
    of weights, turning a clip ``(frames, height, width, channels)`` into a sequence of
    feature vectors ``(frames, height // 2 * width // 2 * filters)`` for the LSTM.

    Parameters
    ----------
    frames, height, width, channels
        Shape of one clip; ``height`` and ``width`` at least 2.
    n_classes
        Number of classes (softmax output); at least 2.
    filters, units
        Convolution filters per frame and LSTM width.

    Returns
    -------
    keras.Model
        Output ``(None, n_classes)`` class probabilities; not compiled.
    """
    import keras

    shape = (count(frames, "frames"), count(height, "height", 2), count(width, "width", 2),
             count(channels, "channels"))
    inputs = keras.Input(shape=shape)
    x = keras.layers.TimeDistributed(
        keras.layers.Conv2D(count(filters, "filters"), 3, padding="same", activation="relu"))(inputs)
    x = keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2))(x)
    x = keras.layers.TimeDistributed(keras.layers.Flatten())(x)
    x = keras.layers.LSTM(count(units, "units"))(x)
    outputs = keras.layers.Dense(count(n_classes, "n_classes", 2), activation="softmax")(x)
    return keras.Model(inputs, outputs, name="frame_lstm")


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit_model` returns.

    Attributes
    ----------
    history
        The ``keras.callbacks.History`` of the run (plot it with ``plot_history``).
    epochs
        Number of epochs actually run (early stopping may end before the maximum).
    seconds
        Wall-clock training time.
    """

    history: Any
    epochs: int
    seconds: float


def fit_model(
    model: Any,
    X_train: Any,
    y_train: Any,
    X_val: Any,
    y_val: Any,
    *,
    epochs: int,
    batch_size: int = 64,
    learning_rate: float = 0.003,
    patience: int = 5,
    loss: str = "mse",
    metrics: Sequence[str] = (),
) -> FitResult:
    """Compile with Adam and train, keeping the weights of the best validation epoch.

    Parameters
    ----------
    model
        An uncompiled (or compiled: it is recompiled) ``keras.Model``.
    X_train, y_train
        Training inputs ``(n, ...)`` and targets whose shape after the first axis equals the
        model's output shape after the batch axis.
    X_val, y_val
        Validation data of the same shapes; early stopping watches their loss.
    epochs
        Maximum number of epochs.
    batch_size, learning_rate
        Mini-batch size and Adam's learning rate.
    patience
        Epochs without improvement of the validation loss before stopping.
    loss, metrics
        Keras loss and metric names, e.g. ``"sparse_categorical_crossentropy"`` and
        ``("accuracy",)`` for a classifier.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        If the targets do not fit the model's output shape, inputs and targets differ in
        length, or a count is not a positive integer.
    """
    import keras

    epochs, batch_size = count(epochs, "epochs"), count(batch_size, "batch_size")
    patience = count(patience, "patience", 0)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number such as 0.003; got {learning_rate!r}.")
    output = tuple(model.output_shape[1:])
    classifier = "sparse_categorical" in loss
    for part, X, y in (("training", X_train, y_train), ("validation", X_val, y_val)):
        X, y = np.asarray(X), np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"The {part} inputs have {len(X)} samples but the targets {len(y)}: "
                             "give one target per input window, e.g. build X and y together with "
                             "make_windows.")
        target = tuple(y.shape[1:])
        fits = target in ((), (1,)) if classifier else target == output
        if not fits:
            raise ValueError(
                f"The model outputs {output} per sample but the {part} targets have shape "
                f"{target} per sample. A model that emits one value per time step (e.g. "
                "Attention or return_sequences=True fed straight into Dense) must be pooled "
                "to one vector first; a seq2seq output (horizon, 1) needs y[..., np.newaxis]."
            )
    model.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  metrics=list(metrics))
    # Creating the optimizer's variables now, not inside the first training step, spares
    # TensorFlow a second tracing of that step: same results, about a second less per model.
    model.optimizer.build(model.trainable_variables)
    return train_with_early_stopping(model, X_train, y_train, X_val, y_val, epochs=epochs,
                                     batch_size=batch_size, patience=patience)


def train_with_early_stopping(model: Any, X_train: Any, y_train: Any, X_val: Any, y_val: Any, *,
                              epochs: int, batch_size: int, patience: int, min_delta: float = 0.0,
                              callbacks: Sequence[Any] = ()) -> FitResult:
    """Train a compiled model, stopping when the validation loss stops improving; keep the best weights.

    The one training loop of the course (:func:`fit_model` and
    :func:`course_utils.protocol.evaluate_forecaster` use it).

    Parameters
    ----------
    model
        A compiled ``keras.Model``.
    X_train, y_train, X_val, y_val
        Inputs ``(n, ...)`` and targets of the training and validation sets.
    epochs, batch_size
        Maximum number of epochs and mini-batch size.
    patience
        Epochs without improvement of the validation loss before stopping.
    min_delta
        The smallest fall of the validation loss that counts as an improvement.
    callbacks
        More Keras callbacks, run after the early stopping (e.g. one that times each epoch).

    Returns
    -------
    FitResult
    """
    import keras

    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                         restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(X_train, y_train, validation_data=(X_val, y_val), epochs=epochs,
                        batch_size=batch_size, callbacks=[stop, *callbacks], verbose=0)
    return FitResult(history=history, epochs=len(history.history["loss"]), seconds=time.perf_counter() - start)
