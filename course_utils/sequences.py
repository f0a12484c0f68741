"""Sequences of different lengths: pad them into one array, keep a mask, summarise them.

A recording, a sentence or a patient's visits rarely have the same length. A network trains
on rectangular batches, so short sequences are **padded** with a filler value up to a common
length, and a boolean **mask** says which steps are real::

    padded, mask = pad_sequences(sequences, padding="post")   # (n, T, d) and (n, T)
    right_padded(mask).all()                                  # what cuDNN's LSTM kernel needs

A baseline that ignores the order of the frames reads one fixed-length vector per sequence
instead: :func:`summary_features` (the mean and standard deviation of each feature).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._validate import count

__all__ = ["sequence_lengths", "pad_sequences", "right_padded", "summary_features"]


def _sequences(sequences: Any, name: str = "sequences") -> list[np.ndarray]:
    """A list of ``(frames_i, d)`` float64 arrays, checked; ``(frames_i,)`` counts as ``d = 1``."""
    if isinstance(sequences, np.ndarray) and sequences.dtype != object and sequences.ndim in (2, 3):
        sequences = list(sequences)  # an already rectangular batch: one sequence per row
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, (list, tuple)) or not sequences:
        raise ValueError(f"{name} must be a non-empty list of arrays, one (frames, features) array per "
                         f"sequence; got {type(sequences).__name__}.")
    arrays = []
    for i, sequence in enumerate(sequences):
        try:
            array = np.asarray(sequence, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] must hold numbers only, shape (frames, features).") from None
        if array.ndim == 1:
            array = array[:, np.newaxis]
        if array.ndim != 2 or len(array) == 0 or array.shape[1] == 0:
            raise ValueError(f"{name}[{i}] has shape {array.shape}; each sequence needs shape "
                             "(frames, features) with at least one frame and one feature.")
        if not np.isfinite(array).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinite values; drop or fill them before padding.")
        arrays.append(array)
    widths = sorted({array.shape[1] for array in arrays})
    if len(widths) > 1:
        raise ValueError(f"The sequences have different numbers of features {widths}: every frame of "
                         "every sequence must have the same features.")
    return arrays


def sequence_lengths(sequences: Sequence[Any]) -> np.ndarray:
    """The number of frames of each sequence.

    Parameters
    ----------
    sequences
        A list of arrays of shape ``(frames_i, d)`` (or ``(frames_i,)``).

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(n,)``.
    """
    return np.array([len(array) for array in _sequences(sequences)], dtype=np.int64)


def pad_sequences(sequences: Sequence[Any], maxlen: int | None = None, padding: str = "post",
                  value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Pad sequences of different lengths into one array, with a mask of the real steps.

    Parameters
    ----------
    sequences
        A list of ``n`` arrays of shape ``(frames_i, d)`` (or ``(frames_i,)`` for ``d = 1``).
    maxlen
        Length ``T`` of the padded sequences; default the longest sequence. Nothing is cut:
        a ``maxlen`` shorter than a sequence is an error.
    padding
        ``"post"``: the real frames come first, the filler after them (right padding, what
        the cuDNN LSTM kernel accepts with a mask). ``"pre"``: the filler comes first, so the
        last real frame is the last step.
    value
        The filler. With ``keras.layers.Masking(mask_value=value)``, choose a value that no
        real frame takes in every feature at once.

    Returns
    -------
    padded : numpy.ndarray
        ``float32`` of shape ``(n, T, d)``.
    mask : numpy.ndarray
        ``bool`` of shape ``(n, T)``: True on the real frames, False on the filler.

    Raises
    ------
    ValueError
        If the sequences are empty or malformed, ``maxlen`` is shorter than a sequence,
        ``padding`` is unknown or ``value`` is not a finite number.

    Examples
    --------
    >>> padded, mask = pad_sequences([[1.0, 2.0], [3.0]], padding="pre")
    >>> padded[:, :, 0].tolist(), mask.tolist()
    ([[1.0, 2.0], [0.0, 3.0]], [[True, True], [False, True]])
    """
    arrays = _sequences(sequences)
    if padding not in ("post", "pre"):
        raise ValueError(f"padding must be 'post' (filler after the frames) or 'pre' (before them); got {padding!r}.")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
        raise ValueError(f"value must be a finite number (the filler, e.g. 0.0); got {value!r}.")
    lengths = np.array([len(array) for array in arrays])
    longest = int(lengths.max())
    length = longest if maxlen is None else count(maxlen, "maxlen")
    if length < longest:
        raise ValueError(f"maxlen={length} is shorter than the longest sequence ({longest} frames) and "
                         "pad_sequences never cuts frames: use maxlen >= the longest length (or None).")
    n, width = len(arrays), arrays[0].shape[1]
    padded = np.full((n, length, width), value, dtype=np.float32)
    mask = np.zeros((n, length), dtype=bool)
    for i, array in enumerate(arrays):
        start = 0 if padding == "post" else length - len(array)
        padded[i, start:start + len(array)] = array
        mask[i, start:start + len(array)] = True
    return padded, mask


def right_padded(mask: Any) -> np.ndarray:
    """Which rows of a mask are right-padded: real steps first, then only padding.

    On a GPU, Keras runs an ``LSTM`` with a mask on the fast cuDNN kernel only if every row is
    right-padded (``[True, True, False]``) and none is fully masked; ``padding="pre"`` breaks it.

    Parameters
    ----------
    mask
        Boolean array of shape ``(n, T)``, True on the real steps.

    Returns
    -------
    numpy.ndarray
        ``bool`` of shape ``(n,)``: True where the row is one run of True from step 0, followed
        only by False, with at least one True.

    Raises
    ------
    ValueError
        If ``mask`` is not a 2-D array of booleans.
    """
    array = np.asarray(mask)
    if array.dtype != bool or array.ndim != 2 or array.shape[1] == 0:
        raise ValueError(f"mask must be a 2-D boolean array (n, T), as pad_sequences returns; got "
                         f"dtype {array.dtype} and shape {array.shape}.")
    lengths = array.sum(axis=1)
    expected = np.arange(array.shape[1])[np.newaxis, :] < lengths[:, np.newaxis]
    return (array == expected).all(axis=1) & (lengths > 0)


def summary_features(sequences: Sequence[Any]) -> np.ndarray:
    """One fixed-length vector per sequence: the mean and the standard deviation of each feature.

    The order of the frames is lost: a model on these features sees what a sequence is made
    of, not how it unfolds. It is the natural baseline of a sequence classifier.

    Parameters
    ----------
    sequences
        A list of ``n`` arrays of shape ``(frames_i, d)``.

    Returns
    -------
    numpy.ndarray
        ``float64`` of shape ``(n, 2 d)``: columns ``0 .. d - 1`` are the means of the ``d``
        features over each sequence's frames, columns ``d .. 2 d - 1`` their standard
        deviations (population, ``ddof=0``; 0 for a one-frame sequence).
    """
    arrays = _sequences(sequences)
    return np.array([np.concatenate([array.mean(axis=0), array.std(axis=0)]) for array in arrays])
