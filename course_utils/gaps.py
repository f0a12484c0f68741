"""Find the missing steps of a regular date index before windowing a series.

A window is a run of consecutive *rows*. If a date is missing, a window that crosses it
silently treats a two-day step as one day, and its target is not "the next day". These
helpers list the gaps of an index and say which windows would span one::

    gaps = find_gaps(frame.dropna().index)               # one row per gap
    crossing = windows_spanning_gaps(frame.dropna().index, lookback=14)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import count

__all__ = ["missing_dates", "find_gaps", "windows_spanning_gaps"]


def _dates(index: Any) -> pd.DatetimeIndex:
    """Validate ``index`` as sorted, unique dates without NaT, at least two of them."""
    try:
        dates = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"index must hold dates (a DatetimeIndex): {exc}") from None
    if len(dates) < 2:
        raise ValueError(
            f"index has {len(dates)} date(s); at least two are needed to look for gaps."
        )
    if dates.hasnans:
        raise ValueError("index contains missing dates (NaT); drop those rows first.")
    if dates.has_duplicates:
        raise ValueError(
            "index has duplicate dates; keep one row per date (e.g. average the duplicates)."
        )
    if not dates.is_monotonic_increasing:
        raise ValueError("index is not sorted oldest first; sort it (frame.sort_index()).")
    return dates


def _step(freq: Any) -> pd.Timedelta:
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"freq must be a fixed frequency such as 'D' (daily) or 'h' (hourly); got "
            f"{freq!r} ({exc})."
        ) from None
    if step <= pd.Timedelta(0):
        raise ValueError(f"freq must be a positive step; got {freq!r}.")
    return step


def _dates_and_step(index: Any, freq: Any) -> tuple[pd.DatetimeIndex, pd.Timedelta]:
    """The checked dates of ``index`` and the checked step of ``freq`` (see the two above)."""
    return _dates(index), _step(freq)


def missing_dates(index: Any, freq: str = "D") -> pd.DatetimeIndex:
    """Dates of the regular calendar from the first to the last date that ``index`` lacks.

    Parameters
    ----------
    index
        Sorted, unique dates of the rows that hold data, shape ``(T,)``.
    freq
        Expected step between rows, a fixed pandas frequency (``"D"``, ``"h"``, ...).

    Returns
    -------
    pandas.DatetimeIndex
        The missing dates, oldest first; empty when the calendar is complete.

    Raises
    ------
    ValueError
        If ``index`` is not sorted unique dates (at least two) or ``freq`` is not a
        fixed positive frequency.
    """
    dates, step = _dates_and_step(index, freq)
    calendar = pd.date_range(dates[0], dates[-1], freq=step)
    return calendar.difference(dates)


def find_gaps(index: Any, freq: str = "D") -> pd.DataFrame:
    """One row per gap: the last date before it, the first date after it, and its size.

    Parameters
    ----------
    index
        Sorted, unique dates of the rows that hold data, shape ``(T,)``.
    freq
        Expected step between rows, a fixed pandas frequency.

    Returns
    -------
    pandas.DataFrame
        Shape ``(n_gaps, 3)``, columns ``last_before``, ``first_after`` (dates) and
        ``missing`` (number of missing steps, int). Empty when there is no gap.

    Raises
    ------
    ValueError
        As :func:`missing_dates`, and if two dates are closer than one step (the index
        is not on the ``freq`` grid).
    """
    dates, step = _dates_and_step(index, freq)
    differences = dates[1:] - dates[:-1]
    if (differences < step).any():
        first = int(np.flatnonzero(differences < step)[0])
        raise ValueError(
            f"{dates[first]} and {dates[first + 1]} are closer than one step of {freq!r}: "
            "the index is finer than freq; pass the right freq or resample first."
        )
    where = np.flatnonzero(differences > step)
    missing = [int(round(differences[i] / step)) - 1 for i in where]
    return pd.DataFrame(
        {
            "last_before": dates[where],
            "first_after": dates[where + 1],
            "missing": pd.Series(missing, dtype="int64"),
        }
    )


def windows_spanning_gaps(
    index: Any, lookback: int, horizon: int = 1, freq: str = "D"
) -> np.ndarray:
    """Which windows of consecutive rows would span a gap in the dates.

    Window ``i`` (as cut by :func:`course_utils.windows.make_windows`) uses rows
    ``i .. i + lookback + horizon - 1`` (inputs and targets). It spans a gap when two of
    those consecutive rows are more than one ``freq`` step apart.

    Parameters
    ----------
    index
        Sorted, unique dates of the rows, shape ``(T,)``.
    lookback, horizon
        Window length and number of target steps, integers >= 1.
    freq
        Expected step between rows.

    Returns
    -------
    numpy.ndarray
        ``bool`` of shape ``(T - lookback - horizon + 1,)``; True for a window that spans
        a gap.

    Raises
    ------
    ValueError
        As :func:`missing_dates`; if ``lookback`` or ``horizon`` is not an integer >= 1;
        if the index is too short for one window.
    """
    lookback, horizon = count(lookback, "lookback"), count(horizon, "horizon")
    dates, step = _dates_and_step(index, freq)
    span = lookback + horizon
    n = len(dates) - span + 1
    if n < 1:
        most = len(dates) - horizon
        shorter = f", or use a smaller lookback (at most {most})" if most >= 1 else ""
        raise ValueError(
            f"{len(dates)} dates are too few for lookback={lookback} and horizon={horizon} "
            f"({span} rows per window): give at least {span} dates{shorter}."
        )
    jumps = np.asarray((dates[1:] - dates[:-1]) > step, dtype=np.int64)
    # window i contains the steps between rows i..i+span-1, i.e. jumps[i : i + span - 1]
    cumulative = np.concatenate([[0], np.cumsum(jumps)])
    return (cumulative[span - 1 : span - 1 + n] - cumulative[:n]) > 0
