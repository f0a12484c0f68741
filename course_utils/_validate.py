"""Small argument checks shared by the modules of ``course_utils`` (private: not for notebooks).

Each function checks one thing, returns the checked value (converted where that helps the
caller) and raises ``ValueError`` with a message that names the argument, says what was
wrong and what was expected. Modules whose wording differs pass the differing words as
parameters, so every public function keeps its own wording.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["count", "dates", "feature_index", "finite", "nonempty_scores", "numbers", "one_row_per_window",
           "one_series"]


def _is_integer(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def count(value: Any, name: str, least: int = 1) -> int:
    """Check that ``value`` is an integer of at least ``least`` (a size, a count, a step).

    Parameters
    ----------
    value
        The argument; ``bool`` is refused although Python counts it as an ``int``.
    name
        The argument's name, used in the message.
    least
        Smallest value allowed.

    Returns
    -------
    int
        ``value`` as a plain Python ``int``.

    Raises
    ------
    ValueError
        ``"<name> must be an integer >= <least>; got <value>."``
    """
    if not _is_integer(value) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}; got {value!r}.")
    return int(value)


def feature_index(value: Any, size: int, name: str = "target", kind: str | None = "feature",
                  note: str = "") -> int:
    """Check that ``value`` is an integer index into ``size`` items (negative ones allowed).

    Parameters
    ----------
    value
        The index; ``-size <= value < size``.
    size
        Number of items it indexes, e.g. the number of features.
    name
        The argument's name, used in the message.
    kind
        What it indexes: the message says "must be a <kind> index between ..."; ``None``
        says only "must be between ...".
    note
        Text added after the range, e.g. ``" (the series has 2 feature(s))"``.

    Returns
    -------
    int
        ``value`` as a plain Python ``int`` (a negative index stays negative).

    Raises
    ------
    ValueError
        ``"<name> must be a <kind> index between 0 and <size - 1><note>; got <value>."``
    """
    if not _is_integer(value) or not -size <= value < size:
        what = f"a {kind} index between" if kind else "between"
        raise ValueError(f"{name} must be {what} 0 and {size - 1}{note}; got {value!r}.")
    return int(value)


def finite(array: np.ndarray, name: str, advice: str = "drop or fill them first",
           *, message: str | None = None) -> np.ndarray:
    """Check that a numeric array holds no NaN and no infinite value.

    Parameters
    ----------
    array
        A numeric ``numpy.ndarray`` of any shape.
    name
        The array's name, used in the message.
    advice
        What to do about the bad values, the end of the message.
    message
        The whole message instead, for wording that does not fit the pattern.

    Returns
    -------
    numpy.ndarray
        ``array`` itself.

    Raises
    ------
    ValueError
        ``"<name> contains NaN or infinite values; <advice>."`` (or ``message``).
    """
    if not np.isfinite(array).all():
        raise ValueError(message or f"{name} contains NaN or infinite values; {advice}.")
    return array


#: What to do about text among numbers, the end of the message of :func:`numbers`.
NUMBERS_ADVICE = ("convert the text to numbers first, e.g. pd.to_numeric(df[column], errors='coerce') "
                  "and then drop or fill the NaN that makes, or keep only the numeric columns "
                  "(df.select_dtypes('number'))")


def numbers(values: Any, name: str, advice: str = NUMBERS_ADVICE) -> np.ndarray:
    """Convert array-like ``values`` to ``float64``, refusing text and other non-numbers.

    Parameters
    ----------
    values
        Array-like of numbers, any shape.
    name
        The argument's name (or subject), the start of the message.
    advice
        What to do about the values that are not numbers, the end of the message.

    Returns
    -------
    numpy.ndarray
        ``values`` as a ``float64`` array of the same shape.

    Raises
    ------
    ValueError
        ``"<name> must hold numbers only (<what numpy could not convert>): <advice>."``
    """
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers only ({exc}): {advice}.") from None


def nonempty_scores(size: int) -> None:
    """Check that there is at least one (true value, prediction) pair to score.

    Parameters
    ----------
    size
        Number of true values (the predictions have as many).

    Raises
    ------
    ValueError
        ``"y_true and y_pred are empty: there is nothing to score. ..."`` with what to do.
    """
    if size == 0:
        raise ValueError(
            "y_true and y_pred are empty: there is nothing to score. Give at least one true "
            "value and its forecast; an empty test part usually means the series was too short "
            "for the split and lookback (check len(X_test))."
        )


def one_row_per_window(values: Any, n_windows: int, name: str, relation: str) -> np.ndarray:
    """Check targets or forecasts of shape ``(n_windows, horizon)``; ``(n_windows,)`` is one step.

    Parameters
    ----------
    values
        Array-like of numbers, one row per window.
    n_windows
        Number of windows the rows must match.
    name
        The argument's name, used in the message.
    relation
        Words after the expected shape that say which windows, e.g. ``" to match X"``.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(n_windows, horizon)``; a 1-D input becomes one column.

    Raises
    ------
    ValueError
        ``"<name> must have shape (<n_windows>, horizon)<relation>; got <shape>."``
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2 or len(array) != n_windows:
        raise ValueError(f"{name} must have shape ({n_windows}, horizon){relation}; got {array.shape}.")
    return array


def one_series(values: Any, name: str, what: str, advice: str) -> np.ndarray:
    """Check one value per time step: shape ``(n,)``, or ``(n, 1)`` which is flattened.

    Parameters
    ----------
    values
        Array-like of numbers.
    name
        The argument's name (or subject), the start of the message.
    what
        What it must be, before the allowed shapes, e.g. ``"one series of shape"``.
    advice
        The sentence after the shape that says what to do, e.g. ``"Plot y[:, 0]."``.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(n,)``.

    Raises
    ------
    ValueError
        ``"<name> must be <what> (n,) or (n, 1); got <shape>. <advice>"``
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be {what} (n,) or (n, 1); got {array.shape}. {advice}")
    return array


def dates(index: Any, name: str) -> Any:
    """``index`` as a DatetimeIndex with at least one date and none missing.

    Returns
    -------
    pandas.DatetimeIndex
        Shape ``(T,)``.

    Raises
    ------
    ValueError
        If ``index`` is not dates, is empty or holds NaT; the message names ``name``, the
        function that was given it.
    """
    import pandas as pd

    try:
        checked = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} needs dates (a DatetimeIndex): {exc}") from None
    if len(checked) == 0:
        raise ValueError(f"{name} got no dates: give the series' index with at least one date, "
                         f"e.g. {name}(df.index).")
    if checked.hasnans:
        raise ValueError(f"{name} got missing dates (NaT); drop or fill them first.")
    return checked
