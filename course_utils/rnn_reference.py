"""Keras's own LSTM and GRU layers as reference outputs for hand-written recurrent cells.

A numpy LSTM or GRU is checked by giving it and a Keras layer the same weights and inputs
and comparing their outputs. These functions build the Keras layer, load the weights and
return plain numpy arrays. Keras is imported on first use, so importing this module is light.

Weight layouts (Keras 3):

* LSTM: ``kernel`` ``(features, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)``,
  ``bias`` ``(4 * units,)``; the four blocks are the gates i, f, c (candidate), o.
* GRU (``reset_after=True``, Keras's default): ``kernel`` ``(features, 3 * units)``,
  ``recurrent_kernel`` ``(units, 3 * units)``, ``bias`` ``(2, 3 * units)`` (input bias,
  recurrent bias); the three blocks are the gates z (update), r (reset), h (candidate).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import count

__all__ = ["random_lstm_weights", "random_gru_weights", "keras_lstm", "keras_gru"]


def _random_weights(features: int, units: int, blocks: int, bias_shape: tuple[int, ...],
                    seed: int, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    features, units = count(features, "features"), count(units, "units")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise ValueError(f"scale must be a positive number such as 0.5; got {scale!r}.")
    rng = np.random.default_rng(seed)
    kernel = rng.normal(scale=scale, size=(features, blocks * units))
    recurrent = rng.normal(scale=scale, size=(units, blocks * units))
    bias = rng.normal(scale=scale, size=bias_shape)
    return kernel.astype(np.float32), recurrent.astype(np.float32), bias.astype(np.float32)


def random_lstm_weights(features: int, units: int, seed: int = 0, scale: float = 0.5
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random LSTM weights in Keras's layout, large enough that every gate matters.

    Returns
    -------
    tuple of numpy.ndarray
        ``kernel (features, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``, float32.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``scale`` is not positive.
    """
    return _random_weights(features, units, 4, (4 * count(units, "units"),), seed, scale)


def random_gru_weights(features: int, units: int, seed: int = 0, scale: float = 0.5
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random GRU weights in Keras's layout (``reset_after=True``).

    Returns
    -------
    tuple of numpy.ndarray
        ``kernel (features, 3u)``, ``recurrent_kernel (u, 3u)``, ``bias (2, 3u)``, float32.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``scale`` is not positive.
    """
    return _random_weights(features, units, 3, (2, 3 * count(units, "units")), seed, scale)


def _inputs(x: Any) -> np.ndarray:
    array = np.asarray(x, dtype=np.float32)
    if array.ndim != 3 or array.shape[0] < 1 or array.shape[1] < 1 or array.shape[2] < 1:
        raise ValueError(
            f"x must have shape (batch, timesteps, features) with each size >= 1; got "
            f"{array.shape}. Keras layers cannot run a sequence of length 0."
        )
    return array


def _weights(kernel: Any, recurrent_kernel: Any, bias: Any, blocks: int, features: int,
             bias_shape: str) -> list[np.ndarray]:
    kernel = np.asarray(kernel, dtype=np.float32)
    recurrent = np.asarray(recurrent_kernel, dtype=np.float32)
    bias = np.asarray(bias, dtype=np.float32)
    units = recurrent.shape[0] if recurrent.ndim == 2 else -1
    expected_bias = (blocks * units,) if bias_shape == "flat" else (2, blocks * units)
    if (kernel.shape != (features, blocks * units) or recurrent.shape != (units, blocks * units)
            or bias.shape != expected_bias):
        raise ValueError(
            f"Weights do not fit {features} input feature(s): got kernel {kernel.shape}, "
            f"recurrent_kernel {recurrent.shape}, bias {bias.shape}; expected "
            f"(features, {blocks}u), (u, {blocks}u) and {expected_bias if units > 0 else 'a bias'}."
        )
    return [kernel, recurrent, bias]


def _state(value: Any, batch: int, units: int, name: str) -> np.ndarray:
    if value is None:
        return np.zeros((batch, units), dtype=np.float32)
    array = np.asarray(value, dtype=np.float32)
    if array.shape != (batch, units):
        raise ValueError(f"{name} must have shape (batch, units) = {(batch, units)}; got {array.shape}.")
    return array


def _run_keras(layer_class: Any, x: Any, kernel: Any, recurrent_kernel: Any, bias: Any,
               blocks: int, bias_shape: str, states: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Check the inputs, weights and initial ``states`` (name -> value), then run the layer.

    Returns the outputs of every step, then each final state, as numpy arrays.
    """
    inputs = _inputs(x)
    weights = _weights(kernel, recurrent_kernel, bias, blocks, inputs.shape[2], bias_shape)
    units = weights[1].shape[0]
    initial = [_state(value, inputs.shape[0], units, name) for name, value in states.items()]
    layer = layer_class(units, return_sequences=True, return_state=True)
    layer.build(inputs.shape)
    layer.set_weights(weights)
    return tuple(np.asarray(result) for result in layer(inputs, initial_state=initial))


def keras_lstm(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any, h0: Any = None,
               c0: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``keras.layers.LSTM`` with the given weights and initial state.

    Parameters
    ----------
    x
        Inputs, shape ``(batch, timesteps, features)``, ``timesteps >= 1``.
    kernel, recurrent_kernel, bias
        Weights in Keras's layout (see the module docstring).
    h0, c0
        Initial hidden and cell states ``(batch, units)``; zeros when omitted.

    Returns
    -------
    tuple of numpy.ndarray
        ``outputs (batch, timesteps, units)``, final ``h (batch, units)``, final ``c (batch, units)``.

    Raises
    ------
    ValueError
        If a shape does not fit.
    """
    import keras  # imported here: this module stays light until a reference is needed

    outputs, h, c = _run_keras(keras.layers.LSTM, x, kernel, recurrent_kernel, bias, 4, "flat",
                               {"h0": h0, "c0": c0})
    return outputs, h, c


def keras_gru(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any, h0: Any = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Run ``keras.layers.GRU`` (``reset_after=True``) with the given weights and initial state.

    Parameters
    ----------
    x
        Inputs, shape ``(batch, timesteps, features)``, ``timesteps >= 1``.
    kernel, recurrent_kernel, bias
        Weights in Keras's layout; ``bias`` has shape ``(2, 3 * units)``.
    h0
        Initial hidden state ``(batch, units)``; zeros when omitted.

    Returns
    -------
    tuple of numpy.ndarray
        ``outputs (batch, timesteps, units)`` and the final ``h (batch, units)``.

    Raises
    ------
    ValueError
        If a shape does not fit.
    """
    import keras

    outputs, h = _run_keras(keras.layers.GRU, x, kernel, recurrent_kernel, bias, 3, "pair", {"h0": h0})
    return outputs, h
