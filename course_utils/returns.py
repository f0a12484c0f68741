"""Prices as relative changes, and forecasts of the direction of those changes.

A price series wanders far outside any range seen in training (AAPL closed near $7 in 2010
and above $180 in 2022), so a model fitted on price levels cannot generalise to later prices.
Changes relative to the last price do not have that problem::

    r_t = log(P_t / P_(t-1))                      # daily log return, see log_returns
    window relative to its last price: log(P_(t-k) / P_t),   target log(P_(t+1) / P_t)

A forecast of the relative target turns back into a price with
``P_hat_(t+1) = P_t * exp(r_hat)`` (:func:`prices_from_relative`); ``r_hat = 0`` is the
persistence forecast. For returns, :func:`directional_accuracy` scores whether the sign of a
forecast was right and :func:`direction_table` sets it beside a coin and "always up", the
latter compared with a paired test on the days the two disagree (:func:`sign_test`).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._validate import feature_index, finite, nonempty_scores, numbers, one_row_per_window

__all__ = [
    "log_returns",
    "relative_windows",
    "prices_from_relative",
    "directional_accuracy",
    "binomial_standard_error",
    "sign_test",
    "direction_table",
]


def _positive_array(values: Any, name: str) -> np.ndarray:
    array = numbers(values, name)
    finite(array, name, "drop or fill them first")
    if (array <= 0).any():
        raise ValueError(
            f"{name} must be strictly positive (prices); found {int((array <= 0).sum())} value(s) "
            "<= 0. Log ratios exist only for positive prices: did you pass scaled values? "
            "Convert them back to prices first (e.g. split.to_units)."
        )
    return array


def log_returns(prices: Any) -> Any:
    """Daily log returns ``log(P_t / P_(t-1))`` of a price series.

    Parameters
    ----------
    prices
        Strictly positive prices, oldest first: a ``pandas.Series`` of shape ``(T,)`` or an
        array of shape ``(T,)``.

    Returns
    -------
    pandas.Series or numpy.ndarray
        ``(T - 1,)`` returns. A Series keeps the index labels of the *later* day of each pair,
        so the return of 2020-03-02 is the change from the previous trading day to 2020-03-02.

    Raises
    ------
    ValueError
        If the prices are not one-dimensional, have fewer than two values, or are not positive.
    """
    values = _positive_array(prices, "prices")
    if values.ndim != 1:
        raise ValueError(f"prices must have shape (T,); got {values.shape}. Pass one column.")
    if len(values) < 2:
        raise ValueError(f"prices has {len(values)} value(s); a return needs at least two.")
    returns = np.diff(np.log(values))
    if isinstance(prices, pd.Series):
        return pd.Series(returns, index=prices.index[1:], name=prices.name)
    return returns


def _windows(X: Any, target: int) -> np.ndarray:
    array = _positive_array(X, "X")
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(
            f"X must be non-empty windows of shape (samples, lookback, features); got {array.shape}."
        )
    feature_index(target, array.shape[2], "target")
    return array


def relative_windows(X: Any, y: Any = None, target: int = 0) -> Any:
    """Express price windows (and their targets) relative to each window's last price.

    Parameters
    ----------
    X
        Price windows, shape ``(n, lookback, features)``, strictly positive (real units, not
        min-max scaled values).
    y
        Optional target prices, shape ``(n, horizon)``.
    target
        Feature holding the price the targets belong to.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        ``X_rel = log(X / X[:, -1:, :])`` of shape ``(n, lookback, features)`` (its last step is
        0 for every feature) and, when ``y`` is given, ``y_rel = log(y / X[:, -1, target])`` of
        shape ``(n, horizon)``: the log return from the last observed price to each target.

    Raises
    ------
    ValueError
        If a value is not positive, a shape is wrong, or ``y`` has another number of windows.
    """
    windows = _windows(X, target)
    X_rel = np.log(windows / windows[:, -1:, :]).astype(np.float32)
    if y is None:
        return X_rel
    targets = one_row_per_window(_positive_array(y, "y"), len(windows), "y", " to match X")
    y_rel = np.log(targets / windows[:, -1, target][:, np.newaxis]).astype(np.float32)
    return X_rel, y_rel


def prices_from_relative(predictions: Any, X: Any, target: int = 0) -> np.ndarray:
    """Turn forecasts of log returns from the last price back into prices.

    Parameters
    ----------
    predictions
        Forecasts of ``log(P_future / P_last)``, shape ``(n, horizon)`` or ``(n,)``.
    X
        The price windows the forecasts were made from, ``(n, lookback, features)``.
    target
        Feature holding the price.

    Returns
    -------
    numpy.ndarray
        ``P_last * exp(predictions)``, shape ``(n, horizon)``. A forecast of 0 gives the
        last price: the persistence forecast.

    Raises
    ------
    ValueError
        If the number of forecasts differs from the number of windows.
    """
    windows = _windows(X, target)
    values = one_row_per_window(predictions, len(windows), "predictions",
                                ", one row per window of X")
    return windows[:, -1, target][:, np.newaxis] * np.exp(values)


def _changes(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if true.size != pred.size:
        raise ValueError(
            f"y_true has {true.size} values but y_pred has {pred.size}; give one forecast per "
            "true change (e.g. both (n,) or (n, 1))."
        )
    nonempty_scores(true.size)
    for values in (true, pred):
        finite(values, "y_true or y_pred", "fix them before scoring")
    return true, pred


def directional_accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of days on which a forecast of a *change* got its direction right.

    "Up" means strictly positive. A day counts as right when both are up or both are not
    up, so a flat day (change exactly 0) is right for a forecast of "not up".

    Parameters
    ----------
    y_true, y_pred
        True and forecast changes (e.g. log returns, not prices), same number of values.

    Returns
    -------
    float
        Between 0 and 1; a coin scores 0.5 on average.
    """
    true, pred = _changes(y_true, y_pred)
    return float(np.mean((true > 0) == (pred > 0)))


def binomial_standard_error(p: float, n: int) -> float:
    """Standard error ``sqrt(p (1 - p) / n)`` of a share ``p`` measured on ``n`` days.

    Parameters
    ----------
    p
        True (or assumed) probability of a hit, in ``[0, 1]``; use 0.5 for a coin.
    n
        Number of independent trials (days), >= 1.

    Raises
    ------
    ValueError
        If ``p`` is outside ``[0, 1]`` or ``n`` is not a positive integer.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"p must be a probability between 0 and 1; got {p!r}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (a number of days); got {n!r}.")
    return math.sqrt(p * (1 - p) / n)


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test: could ``wins`` against ``losses`` come from a coin?

    This is McNemar's exact test when the counts are the days on which two forecasts,
    scored on the *same* days, disagree: ``wins`` days only the first was right, ``losses``
    days only the second. Days on which both were right or both wrong say nothing about
    which is better and are left out.

    Parameters
    ----------
    wins, losses
        Non-negative integer counts.

    Returns
    -------
    float
        Two-sided p-value, ``P(|B - m/2| >= |wins - m/2|)`` for ``B ~ Binomial(m, 0.5)``,
        ``m = wins + losses``; 1.0 when ``m = 0``.

    Raises
    ------
    ValueError
        If a count is negative or not an integer.
    """
    for name, value in (("wins", wins), ("losses", losses)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer count of days; got {value!r}.")
    total = int(wins) + int(losses)
    if total == 0:
        return 1.0
    from scipy.stats import binomtest  # scipy comes with scikit-learn

    return float(binomtest(int(wins), total, 0.5, alternative="two-sided").pvalue)


def direction_table(y_true: Any, predictions: Mapping[str, Any]) -> pd.DataFrame:
    """Directional accuracy of several forecasts beside the two naive guesses.

    Parameters
    ----------
    y_true
        True changes (e.g. log returns), ``n`` values.
    predictions
        Model name -> forecast changes, ``n`` values each.

    Returns
    -------
    pandas.DataFrame
        One row per forecast plus ``"always up"`` (index ``model``), sorted by accuracy, with
        columns

        - ``accuracy`` and ``share forecast up``;
        - ``z vs coin``: ``(accuracy - 0.5)`` in standard errors of a coin on ``n`` days,
          ``binomial_standard_error(0.5, n)`` (a one-sample comparison: the coin is not
          scored on the data);
        - ``better than always up`` and ``worse than always up``: the days on which only this
          forecast, or only "always up", got the direction right (on every other day the two
          agree in being right or wrong, so those days cannot tell them apart);
        - ``p vs always up``: the exact two-sided McNemar (sign) test on those days,
          :func:`sign_test`. ``p < 0.05`` means the difference is unlikely to be luck.

    Raises
    ------
    ValueError
        If ``predictions`` is empty, is called ``"always up"``, or a length differs.
    """
    if not isinstance(predictions, Mapping) or not predictions:
        raise ValueError(
            "predictions must be a non-empty dict of model name -> forecast changes, e.g. "
            "{'LSTM': lstm_returns}."
        )
    if "always up" in predictions:
        raise ValueError("'always up' is added by direction_table itself; rename your forecast.")
    true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    forecasts = {str(name): value for name, value in predictions.items()}
    forecasts["always up"] = np.ones_like(true)
    n = true.size
    always_up_right = true > 0
    rows = []
    for name, values in forecasts.items():
        try:
            accuracy = directional_accuracy(true, values)
        except ValueError as exc:
            raise ValueError(f"Forecast {name!r}: {exc}") from None
        forecast_up = np.asarray(values, dtype=np.float64).reshape(-1) > 0
        right = forecast_up == always_up_right
        better = int(np.sum(right & ~always_up_right))
        worse = int(np.sum(~right & always_up_right))
        rows.append({"model": name, "accuracy": accuracy,
                     "share forecast up": float(np.mean(forecast_up)),
                     "z vs coin": (accuracy - 0.5) / binomial_standard_error(0.5, n),
                     "better than always up": better, "worse than always up": worse,
                     "p vs always up": sign_test(better, worse)})
    table = pd.DataFrame(rows).set_index("model")
    return table.sort_values("accuracy", ascending=False, kind="stable")
