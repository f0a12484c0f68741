"""Build, time and check Keras LSTM regressors.

Three tools for training an LSTM forecaster:

* :func:`build_lstm_regressor` builds and compiles the standard model of the course:
  one or more stacked ``LSTM`` layers and a ``Dense(horizon)`` output;
* :func:`time_training_epoch` measures how long one training epoch takes at a given batch
  size (or times a fixed number of batches and extrapolates, saying so);
* :func:`cudnn_blockers` lists the arguments of an ``LSTM`` layer that rule out the fused
  cuDNN kernel on a GPU.

TensorFlow and Keras are imported inside the functions, so importing this module is light.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._validate import count
from .architectures import _lstm_network

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = ["build_lstm_regressor", "EpochTiming", "time_training_epoch", "cudnn_blockers"]


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def build_lstm_regressor(
    lookback: int,
    n_features: int,
    units: int | Sequence[int] = 32,
    horizon: int = 1,
    dropout: float = 0.0,
    learning_rate: float = 1e-3,
    activation: str = "tanh",
) -> "keras.Model":
    """Stacked LSTM layers and a ``Dense(horizon)`` head, compiled with Adam and MSE loss.

    With several layers, every LSTM but the last has ``return_sequences=True`` (it passes
    its whole sequence of hidden states, shape ``(batch, lookback, units)``, to the next
    one); the last returns only its final state, ``(batch, units)``, to the Dense head.

    Parameters
    ----------
    lookback, n_features
        Input windows have shape ``(batch, lookback, n_features)``.
    units
        Width of the LSTM layer, or a sequence of widths for stacked layers, e.g. ``(64, 32)``.
    horizon
        Number of future steps predicted; the output has shape ``(batch, horizon)``.
    dropout
        Fraction of the inputs of each LSTM layer dropped during training, in ``[0, 1)``
        (``dropout`` keeps the cuDNN kernel; ``recurrent_dropout`` would not, so it is not offered).
    learning_rate
        Adam's step size, > 0.
    activation
        The LSTM's output and candidate activation; ``"tanh"`` (the default) is the one the
        cuDNN kernel supports.

    Returns
    -------
    keras.Model
        A compiled model, not yet trained (the network of :func:`course_utils.architectures.build_lstm`).

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``dropout`` is outside ``[0, 1)``,
        ``learning_rate`` is not positive, or ``activation`` is unknown to Keras.
    """
    import keras

    lookback = count(lookback, "lookback")
    n_features = count(n_features, "n_features")
    horizon = count(horizon, "horizon")
    single = isinstance(units, (int, np.integer)) and not isinstance(units, bool)
    widths = [units] if single else units
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) or len(widths) == 0:
        raise ValueError("units must be a positive integer or a non-empty sequence of them, "
                         f"e.g. (64, 32); got {units!r}.")
    widths = [count(width, "every entry of units") for width in widths]
    if not _is_number(dropout) or not 0 <= dropout < 1:
        raise ValueError(f"dropout is a fraction of inputs dropped, in [0, 1); got {dropout!r}.")
    if not _is_number(learning_rate) or not learning_rate > 0:
        raise ValueError("learning_rate must be a positive number such as 1e-3; "
                         f"got {learning_rate!r}.")
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"activation {activation!r} is unknown to Keras ({exc}); "
                         "use e.g. 'tanh'.") from None
    model = _lstm_network(lookback, n_features, widths, horizon, name="lstm_regressor", activation=activation,
                          dropout=float(dropout))
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)))
    return model


@dataclass(frozen=True)
class EpochTiming:
    """How long training took at one batch size, and what that means for a whole epoch.

    Attributes
    ----------
    batch_size
        Samples per gradient step.
    batches_timed
        Batches (gradient steps) inside the timed interval.
    batches_per_epoch
        Batches in one pass over all the samples given.
    seconds_timed
        Wall-clock seconds of the timed batches (after the warm-up; the fastest run when
        several were timed).
    repeats
        How many times the batches were timed.
    seconds_per_epoch
        ``seconds_timed`` when a whole epoch was timed, otherwise the linear extrapolation
        ``seconds_timed / batches_timed * batches_per_epoch``.
    """

    batch_size: int
    batches_timed: int
    batches_per_epoch: int
    seconds_timed: float
    seconds_per_epoch: float
    repeats: int = 1

    @property
    def extrapolated(self) -> bool:
        """True when fewer batches than a whole epoch were timed."""
        return self.batches_timed < self.batches_per_epoch

    def describe(self) -> str:
        """One sentence that says what was timed and how the epoch time was obtained."""
        fastest = f" (fastest of {self.repeats} runs)" if self.repeats > 1 else ""
        what = (f"batch_size={self.batch_size}: timed {self.batches_timed} of "
                f"{self.batches_per_epoch} batches in {self.seconds_timed:.2f} s{fastest}")
        if self.extrapolated:
            return f"{what}; one epoch extrapolated to about {self.seconds_per_epoch:.1f} s"
        return f"{what} (a whole epoch)"


def time_training_epoch(
    model: "keras.Model",
    X: Any,
    y: Any,
    batch_size: int,
    max_batches: int | None = None,
    warmup_batches: int = 2,
    repeats: int = 1,
) -> EpochTiming:
    """Time training at one batch size: a whole epoch, or its first ``max_batches`` batches.

    A short warm-up ``fit`` runs first, so the time excludes building the training graph
    (tracing), which happens once and not every epoch. The timed ``fit`` has no validation
    data, no callbacks and no shuffling. **This trains the model**: time a throwaway copy,
    not the model you evaluate.

    Parameters
    ----------
    model
        A compiled Keras model taking windows ``X``.
    X, y
        Training windows ``(n, lookback, features)`` and targets ``(n, horizon)``.
    batch_size
        Samples per gradient step.
    max_batches
        Time only this many batches and extrapolate linearly to the whole epoch (a final
        partial batch is counted as a whole one, so the estimate errs slightly high).
        ``None`` times the whole epoch.
    warmup_batches
        Batches run before timing (0 times the graph building too).
    repeats
        Time the batches this many times and keep the fastest run: other programs on the
        machine can only slow a run down, so the fastest is the least disturbed one.

    Returns
    -------
    EpochTiming

    Raises
    ------
    ValueError
        If the model is not compiled, ``X`` is not 3-D, ``X`` and ``y`` differ in length,
        or a count is not a positive integer (``warmup_batches`` may be 0).
    """
    if not getattr(model, "compiled", False):
        raise ValueError("The model is not compiled: call "
                         "model.compile(loss=..., optimizer=...) first.")
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    if X.ndim != 3 or len(X) == 0:
        raise ValueError("X must be windows of shape (samples, lookback, features) with at "
                         f"least one sample; got {X.shape}.")
    if len(y) != len(X):
        raise ValueError(f"y has {len(y)} targets for {len(X)} windows; "
                         "give one target row per window.")
    batch_size = count(batch_size, "batch_size")
    warmup_batches = count(warmup_batches, "warmup_batches", least=0)
    repeats = count(repeats, "repeats")
    per_epoch = math.ceil(len(X) / batch_size)
    if max_batches is None:
        timed = per_epoch
    else:
        timed = min(count(max_batches, "max_batches"), per_epoch)
    n_timed = min(timed * batch_size, len(X))
    if warmup_batches:
        # full batches plus, if the timed part ends with one, a partial batch of the same size
        n_warm = min(warmup_batches * batch_size + n_timed % batch_size, n_timed)
        warm = slice(n_timed - n_warm, n_timed)
        model.fit(X[warm], y[warm], batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X[:n_timed], y[:n_timed], batch_size=batch_size, epochs=1, verbose=0,
                  shuffle=False)
        runs.append(time.perf_counter() - start)
    seconds = min(runs)
    return EpochTiming(batch_size=batch_size, batches_timed=timed, batches_per_epoch=per_epoch,
                       seconds_timed=seconds, seconds_per_epoch=seconds / timed * per_epoch,
                       repeats=repeats)


def cudnn_blockers(layer: Any) -> list[str]:
    """The arguments of a Keras ``LSTM`` layer that rule out the fused cuDNN kernel.

    Mirrors the conditions of Keras 3 (``keras/src/layers/rnn/lstm.py``, ``LSTM.inner_loop``,
    and ``keras/src/backend/tensorflow/rnn.py``, ``_do_lstm_arguments_support_cudnn``):
    ``activation`` is tanh, ``recurrent_activation`` is sigmoid, ``recurrent_dropout`` is 0,
    ``unroll`` is False, ``use_bias`` is True, and ``use_cudnn`` is not False. Input
    ``dropout`` is allowed. Keras also needs, at run time, a visible GPU, masks (if any)
    that are right-padded, and eager execution in the outermost context: those depend on
    the machine and the data, not on the layer, and are not checked here.

    Parameters
    ----------
    layer
        A ``keras.layers.LSTM``.

    Returns
    -------
    list of str
        One readable reason per blocking argument; empty when the layer qualifies.

    Raises
    ------
    ValueError
        If ``layer`` is not a ``keras.layers.LSTM``.
    """
    import keras
    import tensorflow as tf

    if not isinstance(layer, keras.layers.LSTM):
        raise ValueError("cudnn_blockers needs a keras.layers.LSTM layer; "
                         f"got {type(layer).__name__}.")
    cell = layer.cell
    reasons = []
    if cell.activation not in (keras.activations.tanh, keras.ops.tanh, tf.tanh):
        name = keras.activations.serialize(cell.activation)
        reasons.append(f"activation={name!r} (cuDNN needs 'tanh')")
    if cell.recurrent_activation not in (keras.activations.sigmoid, keras.ops.sigmoid, tf.sigmoid):
        name = keras.activations.serialize(cell.recurrent_activation)
        reasons.append(f"recurrent_activation={name!r} (cuDNN needs 'sigmoid')")
    if cell.recurrent_dropout:
        reasons.append(f"recurrent_dropout={cell.recurrent_dropout} "
                       "(cuDNN needs 0; input dropout is fine)")
    if layer.unroll:
        reasons.append("unroll=True (cuDNN needs unroll=False)")
    if not cell.use_bias:
        reasons.append("use_bias=False (cuDNN needs use_bias=True)")
    if layer.use_cudnn is False:
        reasons.append("use_cudnn=False (switched off explicitly)")
    return reasons
