"""Walk-forward evaluation: several consecutive test periods instead of one lucky split.

A single chronological split scores a model on one stretch of time, which may happen to be
calm or wild. Walk-forward evaluation repeats the experiment: fold ``k`` trains on everything
before its validation period, validates, and is tested on the period that follows; the next
fold's test period starts where this one ended, and its training part grows to include it::

    fold 1: [train ............][val][test]
    fold 2: [train .................][val][test]
    fold 3: [train ......................][val][test]      <- the last test ends at the last row

:func:`walk_forward_folds` returns the row ranges; :func:`target_windows` cuts the windows
whose *targets* lie in one range. Their inputs may reach back into the previous part: those
values were known on the day of each forecast, so that is not leakage, and it lets the test
periods tile the timeline without losing ``lookback`` days at the start of each.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import count
from .windows import make_windows

__all__ = ["Fold", "walk_forward_folds", "target_windows"]


@dataclass(frozen=True)
class Fold:
    """Row ranges of one walk-forward fold (positions in the series, end exclusive).

    Attributes
    ----------
    number
        1 for the oldest fold.
    train, val, test
        ``slice`` objects of rows; ``train`` always starts at row 0 (expanding window) and the
        three follow each other without gaps.
    """

    number: int
    train: slice
    val: slice
    test: slice

    def sizes(self) -> tuple[int, int, int]:
        """Numbers of rows in the training, validation and test ranges."""
        return tuple(part.stop - part.start for part in (self.train, self.val, self.test))


def walk_forward_folds(
    n_rows: int, n_folds: int, test_rows: int, val_rows: int, min_train_rows: int = 1
) -> list[Fold]:
    """Expanding-window folds whose test periods are consecutive and end at the last row.

    Parameters
    ----------
    n_rows
        Length of the series.
    n_folds
        Number of folds (test periods), >= 1.
    test_rows
        Rows in each test period.
    val_rows
        Rows in each validation period, which directly precedes its test period.
    min_train_rows
        The oldest fold must have at least this many training rows (e.g. ``lookback + 1``
        plus enough to learn from).

    Returns
    -------
    list of Fold
        Oldest first. Fold ``k`` tests on rows
        ``n_rows - (n_folds - k + 1) * test_rows`` up to ``n_rows - (n_folds - k) * test_rows``.

    Raises
    ------
    ValueError
        If a count is not a positive integer or the series is too short for the folds with
        ``min_train_rows`` of training data in the first one (the message says how many rows
        are missing).
    """
    n_rows = count(n_rows, "n_rows", 1)
    n_folds = count(n_folds, "n_folds", 1)
    test_rows = count(test_rows, "test_rows", 1)
    val_rows = count(val_rows, "val_rows", 1)
    min_train_rows = count(min_train_rows, "min_train_rows", 1)
    first_train = n_rows - n_folds * test_rows - val_rows
    if first_train < min_train_rows:
        raise ValueError(
            f"{n_rows} rows are too few for {n_folds} folds of {test_rows} test rows and "
            f"{val_rows} validation rows with at least {min_train_rows} training rows in the first "
            f"fold ({min_train_rows - first_train} rows short). Use fewer or shorter folds."
        )
    folds = []
    for k in range(n_folds):
        test_start = first_train + val_rows + k * test_rows
        val_start = test_start - val_rows
        folds.append(Fold(number=k + 1, train=slice(0, val_start),
                          val=slice(val_start, test_start),
                          test=slice(test_start, test_start + test_rows)))
    return folds


def target_windows(
    series: Any, lookback: int, rows: slice, horizon: int = 1, target: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Windows whose first target step lies in ``rows``; inputs are the rows before each.

    Parameters
    ----------
    series
        Array-like of shape ``(T,)`` or ``(T, features)``, oldest first (already scaled if the
        model needs scaling).
    lookback
        Steps of input per window.
    rows
        ``slice(start, stop)`` of target rows, e.g. ``fold.test``; needs ``start >= lookback``
        so that the first window has a full input, and ``stop <= T``.
    horizon, target
        As in :func:`course_utils.windows.make_windows`. With ``horizon > 1`` the windows
        whose later target steps would pass ``stop`` are left out.

    Returns
    -------
    X : numpy.ndarray
        ``float32`` of shape ``(n, lookback, features)``; window ``i`` holds rows
        ``start + i - lookback .. start + i - 1``.
    y : numpy.ndarray
        ``float32`` of shape ``(n, horizon)``; ``y[i, 0]`` is row ``start + i``.
        ``n = stop - start - horizon + 1``.

    Raises
    ------
    ValueError
        If ``rows`` is not a slice with a step of 1, starts before ``lookback`` or ends after
        the series, or is too short for one target.
    """
    lookback = count(lookback, "lookback", 1)
    horizon = count(horizon, "horizon", 1)
    if not isinstance(rows, slice) or rows.start is None or rows.stop is None or rows.step not in (None, 1):
        raise ValueError(f"rows must be a slice(start, stop) with step 1, such as fold.test; got {rows!r}.")
    length = len(series)
    start, stop = int(rows.start), int(rows.stop)
    if start < lookback:
        raise ValueError(
            f"rows start at {start}, but a window needs {lookback} rows of input before its "
            f"target: start at row {lookback} or later."
        )
    if stop > length:
        raise ValueError(
            f"rows end at {stop}, past the end of the series ({length} rows): end them at row "
            f"{length} or earlier, e.g. take the folds from walk_forward_folds of this series."
        )
    if stop - start < horizon:
        fixes = []
        if start + horizon <= length:
            fixes.append(f"give at least {horizon} row(s), e.g. rows=slice({start}, {start + horizon})")
        elif length - horizon >= lookback:
            fixes.append(f"start the rows at row {length - horizon} or earlier")
        if stop > start:
            fixes.append(f"use horizon <= {stop - start}")
        raise ValueError(
            f"rows {start}:{stop} hold {max(stop - start, 0)} target row(s) but horizon={horizon} "
            f"needs at least {horizon}: {'; or '.join(fixes) or 'use a longer series or a smaller horizon'}."
        )
    return make_windows(np.asarray(series)[start - lookback : stop], lookback, horizon, target)
