"""Synthetic long-lag memory tasks: how far back can a recurrent cell carry one input?

The task of notebook 01 is "recall the sign given at step 0": a sequence of ``lag + 1``
values whose first value is +1 or -1 and whose other ``lag`` values are Gaussian noise; the
label is the first sign. The decisive input is ``lag`` steps before the last one, the steps in
between carry nothing useful, and the labels are balanced, so a model that forgot the first
step scores the chance accuracy of :func:`chance_accuracy` (one half).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["recall_task", "chance_accuracy", "lag_at_chance"]


def _whole(value: Any, name: str, smallest: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"{name} must be a whole number of at least {smallest}, e.g. {example}; got {value!r}.")
    return int(value)


def recall_task(n: int, lag: int, seed: int, *, noise_std: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label is the sign of their first value, ``lag`` steps before the last.

    Step 0 holds +1 or -1; steps ``1 .. lag`` hold Gaussian noise of standard deviation
    ``noise_std`` (distractors of the same size as the signal, so the decisive value cannot be
    told apart by its size, only by its position). Exactly ``n // 2`` labels are 1 (first
    value +1) and the rest 0, in random order, so always answering one class is right half of
    the time.

    Parameters
    ----------
    n
        Number of sequences, at least 2 (one of each label).
    lag
        Steps between the decisive input and the last input, at least 1: each sequence has
        ``lag + 1`` steps.
    seed
        Seed of the generator: the same seed gives the same sequences.
    noise_std
        Standard deviation of the distractor noise, at least 0 (0 gives zeros between).

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, lag + 1, 1)``, float32: ``X[:, 0, 0]`` is +1 or -1, ``X[:, 1:, 0]`` noise.
    y : numpy.ndarray
        Shape ``(n,)``, int64: 1 where ``X[:, 0, 0]`` is +1, 0 where it is -1.

    Raises
    ------
    ValueError
        If ``n`` is below 2, ``lag`` below 1, ``seed`` is not a non-negative whole number or
        ``noise_std`` is negative or not finite.

    Examples
    --------
    >>> X, y = recall_task(n=4, lag=3, seed=0)
    >>> X.shape, y.shape
    ((4, 4, 1), (4,))
    """
    n = _whole(n, "n", 2, "n=1000 sequences")
    lag = _whole(lag, "lag", 1, "lag=20 steps")
    seed = _whole(seed, "seed", 0, "seed=0")
    if isinstance(noise_std, bool) or not isinstance(noise_std, (int, float, np.floating, np.integer)) \
            or not np.isfinite(noise_std) or noise_std < 0:
        raise ValueError(f"noise_std must be a finite number of at least 0, e.g. noise_std=1.0; got {noise_std!r}.")
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.int64)
    y[: n // 2] = 1
    rng.shuffle(y)
    X = np.empty((n, lag + 1, 1), dtype=np.float32)
    X[:, 0, 0] = np.where(y == 1, 1.0, -1.0)
    X[:, 1:, 0] = rng.normal(scale=float(noise_std), size=(n, lag))
    return X, y


def chance_accuracy(labels: Any) -> float:
    """Accuracy of always answering the most frequent label: the score of a model that learned nothing.

    Parameters
    ----------
    labels
        Class labels, shape ``(n,)``, e.g. the test labels of :func:`recall_task`.

    Returns
    -------
    float
        Share of the most frequent label, between ``1 / classes`` and 1 (0.5 for balanced
        binary labels).

    Raises
    ------
    ValueError
        If ``labels`` is empty or not one-dimensional.
    """
    values = np.asarray(labels)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, shape (n,); got shape {values.shape}.")
    _, counts = np.unique(values, return_counts=True)
    return float(counts.max() / values.size)


def lag_at_chance(lags: Sequence[int], accuracies: Sequence[float], chance: float,
                  tolerance: float = 0.05) -> int | None:
    """The shortest lag at which an accuracy has fallen to within ``tolerance`` of chance.

    Parameters
    ----------
    lags
        Lags measured, shape ``(k,)``, in increasing order.
    accuracies
        Accuracy at each lag (e.g. the mean over seeds), shape ``(k,)``, between 0 and 1.
    chance
        Chance accuracy (:func:`chance_accuracy`), between 0 and 1.
    tolerance
        How close to chance counts as "at chance", between 0 and 1 (0.05 is five points
        of accuracy).

    Returns
    -------
    int or None
        The first lag whose accuracy is at most ``chance + tolerance``, or None when the
        accuracy stays above that at every lag measured.

    Raises
    ------
    ValueError
        If the lengths differ, the lags are empty or not increasing, or a value is outside 0..1.
    """
    lag_values = np.asarray(lags)
    scores = np.asarray(accuracies, dtype=np.float64)
    if lag_values.ndim != 1 or lag_values.size == 0 or lag_values.shape != scores.shape:
        raise ValueError(f"lags and accuracies must be 1-D, non-empty and of the same length (one accuracy per "
                         f"lag); got shapes {lag_values.shape} and {scores.shape}.")
    if np.any(np.diff(lag_values) <= 0):
        raise ValueError(f"lags must be in increasing order, e.g. [5, 10, 20]; got {lag_values.tolist()}.")
    for name, value in [("chance", chance), ("tolerance", tolerance)]:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a number between 0 and 1 (an accuracy, not a percentage); "
                             f"got {value!r}.")
    if not np.all(np.isfinite(scores)) or np.any((scores < 0) | (scores > 1)):
        raise ValueError(f"accuracies must be between 0 and 1 (not percentages); got {scores.tolist()}.")
    at_chance = np.flatnonzero(scores <= chance + tolerance)
    return int(lag_values[at_chance[0]]) if at_chance.size else None
