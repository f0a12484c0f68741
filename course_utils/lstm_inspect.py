"""Look inside a trained Keras LSTM: every gate and state at every time step, in numpy.

A Keras ``LSTM`` layer returns only its hidden states (and, on request, the last cell
state). To see what its gates do, this module recomputes the layer's forward pass from its
weights with the six LSTM equations and keeps every intermediate value::

    f_t = sigmoid(x_t W_f + h_{t-1} U_f + b_f)      (1) forget gate
    i_t = sigmoid(x_t W_i + h_{t-1} U_i + b_i)      (2) input gate
    g_t = tanh(x_t W_c + h_{t-1} U_c + b_c)         (3) candidate
    c_t = f_t * c_{t-1} + i_t * g_t                 (4) cell state
    o_t = sigmoid(x_t W_o + h_{t-1} U_o + b_o)      (5) output gate
    h_t = o_t * tanh(c_t)                           (6) hidden state

Keras 3 stores ``kernel`` ``(features, 4 * units)``, ``recurrent_kernel``
``(units, 4 * units)`` and ``bias`` ``(4 * units,)`` with the gates side by side in the
order i, f, c, o.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["GATE_NAMES", "lstm_gate_activations"]

#: Keys of the dict returned by :func:`lstm_gate_activations`, in equation order.
GATE_NAMES: tuple[str, ...] = ("forget", "input", "candidate", "cell", "output", "hidden")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _activation_name(function: Any) -> str:
    return getattr(function, "__name__", repr(function))


def _check_layer(layer: Any) -> Any:
    """Return the layer's cell after checking it is a built, standard Keras LSTM."""
    import keras

    if not isinstance(layer, keras.layers.LSTM):
        raise ValueError(
            f"layer must be a keras.layers.LSTM (e.g. model.layers[0]); got "
            f"{type(layer).__name__}. For a Bidirectional wrapper pass its .forward_layer or "
            ".backward_layer."
        )
    if not layer.built:
        raise ValueError(
            "The LSTM layer has no weights yet: build it first (call it on data, or build the "
            "model with keras.Input(shape=(timesteps, features)))."
        )
    cell = layer.cell
    names = (_activation_name(cell.activation), _activation_name(cell.recurrent_activation))
    if names != ("tanh", "sigmoid"):
        raise ValueError(
            f"This helper reproduces the standard LSTM (activation='tanh', "
            f"recurrent_activation='sigmoid'); the layer uses activation={names[0]!r} and "
            f"recurrent_activation={names[1]!r}. Inspect an LSTM built with the default "
            "activations instead: build the layer as keras.layers.LSTM(units) (or pass "
            "activation='tanh', recurrent_activation='sigmoid') and train it again."
        )
    if layer.go_backwards:
        raise ValueError(
            "The layer reads its input backwards (go_backwards=True); pass X[:, ::-1] to a "
            "forward LSTM with the same weights instead."
        )
    return cell


def lstm_gate_activations(layer: Any, X: Any) -> dict[str, np.ndarray]:
    """Gates and states of a Keras LSTM layer at every time step, computed in numpy.

    The forward pass starts from zero hidden and cell states, as Keras does when no
    ``initial_state`` is given. Dropout is not applied (inference mode).

    Parameters
    ----------
    layer
        A built ``keras.layers.LSTM`` with the default activations (``tanh`` and
        ``sigmoid``), e.g. ``model.layers[0]`` of a trained model.
    X
        Inputs of shape ``(samples, timesteps, features)``, scaled as during training;
        ``features`` must equal the layer's input size.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys ``"forget"``, ``"input"``, ``"candidate"``, ``"cell"``, ``"output"`` and
        ``"hidden"`` (see :data:`GATE_NAMES`), each ``float64`` of shape
        ``(samples, timesteps, units)``. ``"hidden"`` equals the layer's output with
        ``return_sequences=True`` and ``"cell"`` its cell states.

    Raises
    ------
    ValueError
        If ``layer`` is not a built standard Keras LSTM, or ``X`` is not a non-empty
        3-D array of finite numbers with the layer's number of features.
    """
    cell = _check_layer(layer)
    kernel = np.asarray(cell.kernel, dtype=np.float64)
    recurrent_kernel = np.asarray(cell.recurrent_kernel, dtype=np.float64)
    units = recurrent_kernel.shape[0]
    bias = (np.asarray(cell.bias, dtype=np.float64) if cell.use_bias
            else np.zeros(4 * units))

    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(
            f"X must have shape (samples, timesteps, features) with at least one sample and "
            f"one step; got {x.shape}. For one feature use X[..., np.newaxis]."
        )
    if x.shape[2] != kernel.shape[0]:
        raise ValueError(
            f"X has {x.shape[2]} features per step but the layer was built for "
            f"{kernel.shape[0]}; give it windows shaped like its training data."
        )
    if not np.isfinite(x).all():
        raise ValueError("X contains NaN or infinite values; fill or drop them first.")

    samples, timesteps, _ = x.shape
    gates_x = x @ kernel + bias  # (samples, timesteps, 4 units): input part of all four gates
    h = np.zeros((samples, units))
    c = np.zeros((samples, units))
    out = {name: np.empty((samples, timesteps, units)) for name in GATE_NAMES}
    for t in range(timesteps):
        z = gates_x[:, t] + h @ recurrent_kernel
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))  # Keras order i, f, c, o
        f = _sigmoid(f)        # (1)
        i = _sigmoid(i)        # (2)
        g = np.tanh(g)         # (3)
        c = f * c + i * g      # (4)
        o = _sigmoid(o)        # (5)
        h = o * np.tanh(c)     # (6)
        for name, value in zip(GATE_NAMES, (f, i, g, c, o, h)):
            out[name][:, t] = value
    return out
