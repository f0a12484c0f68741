"""Covariates beside a series: calendar categories, values known in advance, and outliers.

A forecast can read more than the past of its target. This module prepares three kinds of
extra input without leaking the test period into training:

* :func:`calendar_features` and :func:`one_hot` -- a categorical covariate (the month, the day
  of the week) as integer codes, and the codes as one-hot vectors; a learned
  ``keras.layers.Embedding`` reads the codes themselves (:func:`build_known_ahead_lstm`);
* :func:`known_ahead` -- the covariates of the *target* days of every window, for values known
  in advance (the calendar), aligned with :func:`course_utils.windows.make_windows`; values only
  observed up to today (the weather) belong in the window, never here;
* :func:`fit_outlier_bounds`, :func:`outlier_mask` and :func:`clip_outliers` -- Tukey's fences
  fitted on the training rows only, and the clipping they allow.

Keras is imported inside :func:`build_known_ahead_lstm`, so importing this module stays light.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validate import count, finite, numbers
from ._validate import dates as _check_dates
from .windows import make_windows

__all__ = ["CALENDAR_FIELDS", "calendar_features", "one_hot", "known_ahead", "OutlierBounds",
           "fit_outlier_bounds", "outlier_mask", "clip_outliers", "build_known_ahead_lstm"]

#: Calendar fields :func:`calendar_features` knows, with their number of categories.
CALENDAR_FIELDS: dict[str, int] = {"month": 12, "day_of_week": 7, "day_of_year": 366}


def calendar_features(index: Any, fields: tuple[str, ...] = ("month",)) -> pd.DataFrame:
    """Calendar categories of each date as integer codes starting at 0.

    Parameters
    ----------
    index
        A ``DatetimeIndex`` (or anything ``pandas.DatetimeIndex`` accepts), shape ``(T,)``.
    fields
        Names from :data:`CALENDAR_FIELDS`: ``"month"`` (0 = January .. 11 = December),
        ``"day_of_week"`` (0 = Monday .. 6 = Sunday), ``"day_of_year"`` (0 .. 365).

    Returns
    -------
    pandas.DataFrame
        Shape ``(T, len(fields))``, one ``int64`` column per field, indexed like ``index``.
        Field ``f`` has codes ``0 .. CALENDAR_FIELDS[f] - 1``.

    Raises
    ------
    ValueError
        If ``index`` holds no dates, missing dates or something that is not a date, or a field
        is unknown.
    """
    if isinstance(fields, str):
        fields = (fields,)
    unknown = [f for f in fields if f not in CALENDAR_FIELDS]
    if unknown or not fields:
        raise ValueError(f"calendar_features got the field(s) {unknown or list(fields)}; choose from "
                         f"{list(CALENDAR_FIELDS)}, e.g. fields=('month',).")
    dates = _check_dates(index, "calendar_features")
    codes = {"month": dates.month - 1, "day_of_week": dates.dayofweek, "day_of_year": dates.dayofyear - 1}
    return pd.DataFrame({f: np.asarray(codes[f], dtype=np.int64) for f in fields}, index=dates)


def one_hot(codes: Any, n_categories: int) -> np.ndarray:
    """One-hot vectors of integer category codes.

    Parameters
    ----------
    codes
        Integer codes ``0 .. n_categories - 1`` of any shape ``S``, e.g. ``(T,)`` or
        ``(n, horizon)``.
    n_categories
        Number of categories, the length of each vector (12 for months).

    Returns
    -------
    numpy.ndarray
        ``float32`` of shape ``S + (n_categories,)``: 1 at each code's position, 0 elsewhere.

    Raises
    ------
    ValueError
        If a code is not an integer or lies outside ``0 .. n_categories - 1`` (a category the
        encoding was not built for: build it from the training categories and map unseen ones
        to an extra "other" code).
    """
    n_categories = count(n_categories, "n_categories", 2)
    array = np.asarray(codes)
    if array.dtype.kind not in "iu":
        values = numbers(array, "codes", advice="give integer category codes, e.g. calendar_features(...)")
        if not (np.isfinite(values).all() and np.array_equal(values, np.round(values))):
            raise ValueError("codes must be whole numbers (integer category codes such as a month 0..11); "
                             "got fractions, NaN or infinite values. Encode categories as integers first, "
                             "e.g. with calendar_features.")
        array = values.astype(np.int64)
    bad = np.flatnonzero((array < 0) | (array >= n_categories))
    if bad.size:
        raise ValueError(f"codes must lie between 0 and n_categories - 1 = {n_categories - 1}; got "
                         f"{array.reshape(-1)[bad[0]]} (at flat position {bad[0]}). Count the categories on the "
                         "training data and map a category it never saw to an extra 'other' code.")
    return np.eye(n_categories, dtype=np.float32)[array]


def known_ahead(values: Any, lookback: int, horizon: int = 1) -> np.ndarray:
    """The covariates of the target steps of every window: values known in advance.

    Window ``i`` of :func:`course_utils.windows.make_windows` reads steps
    ``i .. i + lookback - 1`` and forecasts steps ``i + lookback .. i + lookback + horizon - 1``;
    this returns ``values`` at those target steps, built with ``make_windows`` itself so the
    two always line up. Use it only for what is known when the forecast is made (the month or
    the weekday of the target days, a planned holiday); a value only observed up to today
    (yesterday's temperature) taken from the target days is a leak of the answer.

    Parameters
    ----------
    values
        Covariates of the same rows as the series that is windowed, shape ``(T,)`` or
        ``(T, k)``, oldest first (e.g. the codes of :func:`calendar_features` of one part of a
        chronological split).
    lookback, horizon
        As given to ``make_windows`` (or ``windowed_split``) for the series.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, horizon)`` for ``(T,)`` values, ``(n, horizon, k)`` for ``(T, k)``, with
        ``n = T - lookback - horizon + 1``; integer codes stay ``int64``, other values become
        ``float32``.

    Raises
    ------
    ValueError
        As :func:`course_utils.windows.make_windows` (too short, NaN, bad lookback or horizon),
        or for an array of more than two dimensions.
    """
    array = np.asarray(values)
    if array.ndim not in (1, 2):
        raise ValueError(f"values must have shape (T,) or (T, k), one row per time step; got {array.shape}.")
    table = array[:, np.newaxis] if array.ndim == 1 else array
    columns = [make_windows(table, lookback, horizon, target=j)[1] for j in range(table.shape[1])]
    ahead = np.stack(columns, axis=-1)
    ahead = ahead.astype(np.int64) if array.dtype.kind in "iu" else ahead.astype(np.float32)
    return ahead[..., 0] if array.ndim == 1 else ahead


@dataclass(frozen=True)
class OutlierBounds:
    """Tukey's fences of each feature, fitted on training rows by :func:`fit_outlier_bounds`.

    Attributes
    ----------
    lower, upper
        ``float64`` arrays of shape ``(features,)``: a value below ``lower`` or above
        ``upper`` is flagged.
    k
        The multiple of the interquartile range the fences lie beyond the quartiles.
    """

    lower: np.ndarray
    upper: np.ndarray
    k: float

    @property
    def n_features(self) -> int:
        """Number of features the bounds were fitted on."""
        return int(self.lower.shape[0])


def _rows(values: Any, name: str) -> np.ndarray:
    """``(T,)`` or ``(T, features)`` numbers -> finite ``float64`` of shape ``(T, features)``."""
    array = numbers(values, name)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must have shape (T,) or (T, features) with at least one row; got {array.shape}.")
    return finite(array, name, "drop or fill them before looking for outliers")


def fit_outlier_bounds(train: Any, k: float = 1.5) -> OutlierBounds:
    """Tukey's fences ``Q1 - k IQR`` and ``Q3 + k IQR`` of each feature, from training rows only.

    Fit them on the training part of a chronological split and apply them to every part:
    fences computed on the whole series let the test period decide what counts as extreme.

    Parameters
    ----------
    train
        Training rows, shape ``(T,)`` or ``(T, features)``, ``T >= 4``; numeric features only
        (a one-hot or other categorical column has no meaningful quartiles).
    k
        Positive multiple of the interquartile range: 1.5 is Tukey's "outlier", 3 his "far out".

    Returns
    -------
    OutlierBounds

    Raises
    ------
    ValueError
        For fewer than 4 rows, NaN or infinite values, ``k <= 0``, or a feature whose
        interquartile range is 0 (more than half its values equal: the fences would flag all
        the others).
    """
    if isinstance(k, bool) or not isinstance(k, (int, float)) or not np.isfinite(k) or k <= 0:
        raise ValueError(f"k must be a positive number such as 1.5 (Tukey) or 3; got {k!r}.")
    rows = _rows(train, "train")
    if len(rows) < 4:
        raise ValueError(f"fit_outlier_bounds needs at least 4 training rows to estimate quartiles; got "
                         f"{len(rows)}. Fit it on the training part of the series (chronological_split).")
    q1, q3 = np.percentile(rows, [25, 75], axis=0)
    iqr = q3 - q1
    flat = np.flatnonzero(iqr == 0)
    if flat.size:
        raise ValueError(f"Feature(s) {flat.tolist()} have an interquartile range of 0 on the training rows "
                         "(more than half their values are equal), so the fences would flag every other "
                         "value: leave those features out (e.g. one-hot or other categorical columns).")
    return OutlierBounds(lower=q1 - k * iqr, upper=q3 + k * iqr, k=float(k))


def _checked(values: Any, bounds: OutlierBounds) -> np.ndarray:
    if not isinstance(bounds, OutlierBounds):
        raise ValueError(f"bounds must come from fit_outlier_bounds(train); got {type(bounds).__name__}.")
    rows = _rows(values, "values")
    if rows.shape[1] != bounds.n_features:
        raise ValueError(f"The bounds were fitted on {bounds.n_features} feature(s) but values have "
                         f"{rows.shape[1]}: pass the same columns, in the same order, as to fit_outlier_bounds.")
    return rows


def outlier_mask(values: Any, bounds: OutlierBounds) -> np.ndarray:
    """Which values lie outside the fences.

    Parameters
    ----------
    values
        Rows of any part, shape ``(T,)`` or ``(T, features)``, same features as the bounds.
    bounds
        From :func:`fit_outlier_bounds` on the training rows.

    Returns
    -------
    numpy.ndarray
        ``bool`` of shape ``(T, features)``.
    """
    rows = _checked(values, bounds)
    return (rows < bounds.lower) | (rows > bounds.upper)


def clip_outliers(values: Any, bounds: OutlierBounds) -> Any:
    """Clip every value into its feature's fences (winsorising at the training fences).

    Parameters
    ----------
    values
        Rows of any part, shape ``(T,)`` or ``(T, features)``, or a ``pandas`` Series or
        DataFrame with those columns.
    bounds
        From :func:`fit_outlier_bounds` on the training rows.

    Returns
    -------
    numpy.ndarray or pandas object
        The clipped values, same shape (and index and columns for pandas input), ``float64``.
    """
    rows = _checked(values, bounds)
    clipped = np.clip(rows, bounds.lower, bounds.upper)
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(clipped, index=values.index, columns=values.columns)
    if isinstance(values, pd.Series):
        return pd.Series(clipped[:, 0], index=values.index, name=values.name)
    return clipped if np.ndim(values) == 2 else clipped[:, 0]


def build_known_ahead_lstm(lookback: int, n_features: int, horizon: int, *, units: int = 32,
                           n_known: int = 0, n_categories: int = 0, embedding_dim: int = 3) -> Any:
    """An LSTM over the window whose forecast head also reads covariates of the target steps.

    The window ``(lookback, n_features)`` goes through the course's LSTM layer; its last state is
    concatenated with the flattened known-ahead inputs and a ``Dense(horizon)`` layer (named
    ``forecast``) gives one value per target step. Two kinds of known-ahead input:

    * ``known`` (``n_known > 0``): numbers per target step, shape ``(horizon, n_known)``, e.g.
      ``one_hot(month codes, 12)`` of :func:`known_ahead`;
    * ``calendar`` (``n_categories > 0``): integer codes per target step, shape ``(horizon,)``,
      looked up in a learned ``Embedding(n_categories, embedding_dim)`` (layer
      ``calendar_embedding``): each category becomes ``embedding_dim`` trained numbers.

    Parameters
    ----------
    lookback, n_features
        Shape of one input window.
    horizon
        Number of target steps forecast at once.
    units
        Width of the LSTM.
    n_known, n_categories, embedding_dim
        See above; at least one of ``n_known`` and ``n_categories`` must be positive.

    Returns
    -------
    keras.Model
        Inputs named ``window`` ``(None, lookback, n_features)``, then ``known``
        ``(None, horizon, n_known)`` and/or ``calendar`` ``(None, horizon)``, in that order (pass
        a dict keyed by these names); output ``(None, horizon)``; not compiled.

    Raises
    ------
    ValueError
        If a size is not a positive integer, or there is no known-ahead input (use
        :func:`course_utils.architectures.build_lstm` for a window alone).
    """
    import keras

    from .architectures import _lstm_layers

    lookback, n_features = count(lookback, "lookback"), count(n_features, "n_features")
    horizon, units = count(horizon, "horizon"), count(units, "units")
    n_known, n_categories = count(n_known, "n_known", 0), count(n_categories, "n_categories", 0)
    if n_known == 0 and n_categories == 0:
        raise ValueError("build_known_ahead_lstm needs n_known > 0 or n_categories > 0 (a known-ahead input); "
                         "for a window alone use course_utils.architectures.build_lstm.")
    window = keras.Input(shape=(lookback, n_features), name="window")
    inputs, parts = [window], []
    state = window
    for layer in _lstm_layers([units]):
        state = layer(state)
    parts.append(state)
    if n_known:
        known = keras.Input(shape=(horizon, n_known), name="known")
        inputs.append(known)
        parts.append(keras.layers.Flatten()(known))
    if n_categories:
        calendar = keras.Input(shape=(horizon,), dtype="int32", name="calendar")
        inputs.append(calendar)
        vectors = keras.layers.Embedding(n_categories, count(embedding_dim, "embedding_dim"),
                                         name="calendar_embedding")(calendar)
        parts.append(keras.layers.Flatten()(vectors))
    outputs = keras.layers.Dense(horizon, name="forecast")(keras.layers.Concatenate()(parts))
    return keras.Model(inputs, outputs, name="known_ahead_lstm")
