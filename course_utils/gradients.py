"""Measure how gradients fade or grow as they travel back through time in a recurrent cell."""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["hidden_state_gradient_norms"]


def hidden_state_gradient_norms(cell: Any, inputs: Any) -> np.ndarray:
    """Norm of the gradient of the loss with respect to the hidden state ``k`` steps back.

    The cell is unrolled by hand over ``inputs`` from a zero state, so every hidden state
    ``h_1 .. h_T`` is a tensor the gradient can be taken with respect to. The loss is
    ``L = mean over the batch of ||h_T||^2 / 2``, a stand-in for any loss computed from the
    last hidden state. Backpropagation through time multiplies one Jacobian per step, so
    ``||dL/dh_{T-k}||`` shrinks (vanishes) or grows (explodes) roughly geometrically in ``k``.

    Parameters
    ----------
    cell
        A built Keras recurrent cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``, or the
        ``.cell`` of a trained ``SimpleRNN``/``LSTM``/``GRU`` layer).
    inputs
        Array of shape ``(batch, timesteps, features)`` matching the cell's input size.

    Returns
    -------
    numpy.ndarray
        Shape ``(timesteps,)``: entry ``k`` is the batch mean of ``||dL/dh_{T-k}||``;
        ``k = 0`` is the last hidden state.
    """
    import tensorflow as tf

    x = np.asarray(inputs, dtype=np.float32)
    if x.ndim != 3 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"inputs must have shape (batch, timesteps, features) with at least one sample and "
            f"one step; got {x.shape}."
        )
    if not hasattr(cell, "state_size") or not callable(cell):
        raise ValueError(
            "cell must be a Keras recurrent cell such as keras.layers.LSTMCell(16), or the "
            ".cell of an RNN layer (e.g. model.layers[0].cell)."
        )
    if not cell.built:
        cell.build((None, x.shape[2]))
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    states = [tf.zeros((x.shape[0], int(size))) for size in sizes]
    hidden = []
    with tf.GradientTape() as tape:
        for t in range(x.shape[1]):
            output, states = cell(tf.constant(x[:, t]), states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            tape.watch(states[0])
            hidden.append(states[0])
        loss = 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(hidden[-1]), axis=1))
    grads = tape.gradient(loss, hidden)
    norms = [float(tf.reduce_mean(tf.norm(g, axis=1))) if g is not None else 0.0 for g in grads]
    return np.asarray(norms[::-1])
