"""Residual diagnostics: is anything predictable left in a model's errors?

A forecast's **residuals** are ``actual - forecast``. If a model has captured all the
structure it could, its residuals look like noise: centred on zero, with no correlation from
one step to the next and no pattern by season. These functions measure that:

* :func:`autocorrelation` -- the sample autocorrelation at lags ``1..max_lag``;
* :func:`acf_band` -- the band inside which those values stay for white noise (about 95 %);
* :func:`ljung_box` -- one test over several lags together (the Ljung-Box portmanteau test);
* :func:`residuals_by_period` -- bias and error per month (or weekday, quarter).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._validate import count, finite, one_series

__all__ = ["autocorrelation", "acf_band", "ljung_box", "residuals_by_period"]

_PERIODS = ("month", "quarter", "dayofweek")


def _values(values: Any) -> np.ndarray:
    array = one_series(values, "Residuals", "one series of shape",
                       "For a multi-step forecast, analyse one forecast step at a time, e.g. "
                       "residuals[:, 0].")
    return finite(array, "residuals",
                  message="The residuals contain NaN or infinite values; fix the forecasts first.")


def _lag(value: Any, n: int) -> int:
    count(value, "max_lag")
    if value >= n:
        raise ValueError(
            f"max_lag={value} needs more than {value} residuals; there are {n}. Use a smaller max_lag."
        )
    return int(value)


def autocorrelation(values: Any, max_lag: int) -> np.ndarray:
    """Sample autocorrelation of a series at lags ``1, 2, ..., max_lag``.

    .. math:: r_k = \\frac{\\sum_{t=k+1}^{n} (e_t - \\bar e)(e_{t-k} - \\bar e)}{\\sum_{t=1}^{n} (e_t - \\bar e)^2}

    (the usual estimator, which divides every lag by the same total so that the values form a
    valid autocorrelation function).

    Parameters
    ----------
    values
        The series in time order, shape ``(n,)`` or ``(n, 1)``, e.g. test residuals.
    max_lag
        Largest lag, ``1 <= max_lag < n``.

    Returns
    -------
    numpy.ndarray
        Shape ``(max_lag,)``; element ``k - 1`` is :math:`r_k`, between -1 and 1.

    Raises
    ------
    ValueError
        If the series is not 1-D, holds NaN, is constant, or is not longer than ``max_lag``.
    """
    series = _values(values)
    max_lag = _lag(max_lag, len(series))
    centred = series - series.mean()
    total = float(np.sum(centred**2))
    if total == 0:
        raise ValueError(
            f"The series is constant (every value is {series[0]:g}): its autocorrelation is "
            "undefined. Check that you passed the residuals of a forecast, y_true - y_pred, and not "
            "a constant column or the difference of two identical arrays."
        )
    return np.array([np.sum(centred[k:] * centred[:-k]) / total for k in range(1, max_lag + 1)])


def acf_band(n: int, z: float = 1.96) -> float:
    """Half-width of the band that white-noise autocorrelations stay inside.

    For ``n`` independent values, each :math:`r_k` is approximately normal with mean 0 and
    standard deviation :math:`1/\\sqrt{n}`, so about 95 % of them lie within
    :math:`\\pm 1.96/\\sqrt{n}`. Values outside the band hint at structure the model missed
    (expect about 1 in 20 lags outside by chance).

    Parameters
    ----------
    n
        Number of values the autocorrelation was computed from, ``>= 1``.
    z
        Normal quantile, > 0 (1.96 for 95 %).

    Returns
    -------
    float
        :math:`z / \\sqrt{n}`.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be the number of values, an integer >= 1; got {n!r}.")
    if isinstance(z, bool) or not isinstance(z, (int, float, np.floating)) or not z > 0:
        raise ValueError(f"z must be a positive normal quantile such as 1.96; got {z!r}.")
    return float(z) / math.sqrt(int(n))


def ljung_box(values: Any, max_lag: int) -> tuple[float, float]:
    """Ljung-Box test: are the autocorrelations at lags ``1..max_lag`` jointly zero?

    .. math:: Q = n(n+2) \\sum_{k=1}^{m} \\frac{r_k^2}{n-k}

    For white noise, :math:`Q` follows a :math:`\\chi^2` distribution with ``m`` degrees of
    freedom. A small p-value (below 0.05, say) means the residuals are *not* white noise: some
    of their structure was predictable. One test over many lags avoids reading too much into a
    single lag that pokes out of the band by chance.

    Parameters
    ----------
    values
        The series in time order, shape ``(n,)`` or ``(n, 1)``.
    max_lag
        Number of lags ``m`` tested together, ``1 <= m < n``.

    Returns
    -------
    tuple of float
        ``(Q, p_value)``.
    """
    from scipy.stats import chi2  # scipy comes with scikit-learn

    series = _values(values)
    r = autocorrelation(series, max_lag)
    n = len(series)
    lags = np.arange(1, len(r) + 1)
    q = float(n * (n + 2) * np.sum(r**2 / (n - lags)))
    return q, float(chi2.sf(q, df=len(r)))


def residuals_by_period(residuals: Any, dates: Any, period: str = "month") -> pd.DataFrame:
    """Bias and error of the residuals grouped by calendar period.

    Parameters
    ----------
    residuals
        ``actual - forecast`` in the units of the data, shape ``(n,)`` or ``(n, 1)``.
    dates
        The date of every residual, shape ``(n,)`` (anything ``pandas.DatetimeIndex`` accepts).
    period
        ``"month"`` (1-12), ``"quarter"`` (1-4) or ``"dayofweek"`` (0 = Monday).

    Returns
    -------
    pandas.DataFrame
        One row per period present (index named after ``period``), columns ``count``,
        ``mean`` (the bias: positive means the forecasts were too low), ``RMSE`` and ``MAE``.

    Raises
    ------
    ValueError
        If the lengths differ, the dates do not parse, or ``period`` is unknown.
    """
    errors = _values(residuals)
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {list(_PERIODS)}; got {period!r}.")
    try:
        when = pd.DatetimeIndex(dates)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"dates must be dates (a DatetimeIndex or similar): {exc}") from None
    if len(when) != len(errors):
        raise ValueError(f"There are {len(errors)} residuals but {len(when)} dates; give one date per residual.")
    if when.hasnans:
        raise ValueError("dates contain missing values (NaT); give a date for every residual.")
    frame = pd.DataFrame({period: getattr(when, period), "error": errors})
    grouped = frame.groupby(period)["error"]
    return pd.DataFrame({
        "count": grouped.size(),
        "mean": grouped.mean(),
        "RMSE": grouped.apply(lambda e: float(np.sqrt(np.mean(e**2)))),
        "MAE": grouped.apply(lambda e: float(np.mean(np.abs(e)))),
    })
