"""Is one forecast really better than another on the same days? The Diebold-Mariano test.

An RMSE ratio of 0.97 says that a model's errors were smaller on *these* test days. Whether
that would hold on more days like them is a question about the **loss differences**
:math:`d_t = L(e_{a,t}) - L(e_{b,t})`, one per forecast, where :math:`L` is the squared or
absolute error: the Diebold-Mariano (1995) test asks whether their expectation is zero.

The difficulty is that the :math:`d_t` are not independent. The errors of h-step forecasts
made on consecutive days overlap (two forecasts share h - 1 of the days they had to bridge),
and even one-step errors are autocorrelated when a model misses slow structure (a warm spell
it forecasts too low for a week). The variance of the mean :math:`\\bar d` is therefore the
**long-run variance** of :math:`d` divided by ``n``, a weighted sum of its autocovariances,
not the plain variance divided by ``n``.

* :func:`diebold_mariano` -- the test, with the Harvey-Leybourne-Newbold (1997) small-sample
  correction and a Student t reference distribution;
* :func:`newey_west_lags` -- a rule-of-thumb number of lags for one-step loss differences
  that are themselves autocorrelated;
* :class:`DMResult` -- what the test measured, with a one-sentence verdict.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import count, one_series

__all__ = ["DMResult", "diebold_mariano", "newey_west_lags", "MIN_FORECASTS"]

#: Fewest forecasts :func:`diebold_mariano` accepts: below this a variance cannot be trusted.
MIN_FORECASTS = 10

_LOSSES = ("squared", "absolute")


@dataclass(frozen=True)
class DMResult:
    """The outcome of :func:`diebold_mariano` for forecasts ``a`` and ``b`` of the same targets.

    Attributes
    ----------
    mean_difference
        :math:`\\bar d`, the mean of ``loss(errors_a) - loss(errors_b)`` (negative: ``a`` had
        the smaller average loss), in squared or plain units of the data.
    statistic
        The Harvey-Leybourne-Newbold corrected DM statistic, compared with Student's t at
        ``n_forecasts - 1`` degrees of freedom; it has the sign of ``mean_difference``.
    p_value
        Two-sided p-value: how often a statistic at least this far from 0 would occur if the
        two forecasts had the same expected loss.
    n_forecasts
        Number of forecasts (loss differences) ``n``.
    lags
        Lag truncation of the long-run variance: autocovariances of lags ``1..lags`` were
        included, with Bartlett weights.
    long_run_variance
        The Bartlett-weighted long-run variance of the loss differences; ``n`` times the
        estimated variance of ``mean_difference``.
    loss
        ``"squared"`` or ``"absolute"``.
    """

    mean_difference: float
    statistic: float
    p_value: float
    n_forecasts: int
    lags: int
    long_run_variance: float
    loss: str

    def significant(self, level: float = 0.05) -> bool:
        """True when ``p_value < level``: the expected losses differ at that level."""
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise ValueError(f"level must be a number between 0 and 1, such as 0.05; got {level!r}.")
        return self.p_value < level

    def verdict(self, name_a: str = "a", name_b: str = "b", level: float = 0.05) -> str:
        """One sentence: which forecast had the smaller loss, and is the difference significant?"""
        percent = f"{100 * level:g} %"
        if self.significant(level):
            better, worse = (name_a, name_b) if self.mean_difference < 0 else (name_b, name_a)
            return (f"{better} has a smaller expected {self.loss} error than {worse}: significant at {percent} "
                    f"(DM = {self.statistic:+.2f}, p = {self.p_value:.3g}).")
        return (f"{name_a} is not distinguishable from {name_b} at {percent} (DM = {self.statistic:+.2f}, "
                f"p = {self.p_value:.3g}).")


def _errors(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be numbers, one forecast error per target; got a string.")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, one forecast error per target; got {values!r}.") from None
    array = one_series(array, name, "one forecast error per target, of shape",
                       "For a multi-step forecast, test one step at a time, e.g. errors[:, k] with "
                       "horizon=k + 1.")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(f"{name} contains NaN or infinite values at position(s) {bad[:10].tolist()}"
                         f"{' ...' if bad.size > 10 else ''}: a diverged model or a gap in the data. "
                         "Fix the forecasts, or drop the same positions from both error arrays.")
    return array


def newey_west_lags(n_forecasts: int) -> int:
    """Newey and West's (1994) rule-of-thumb lag truncation, ``floor(4 (n / 100) ** (2 / 9))``.

    Use it for one-step forecasts whose loss differences are autocorrelated: it grows slowly
    with ``n`` (4 lags for 100 forecasts, 5 for 365, 8 for 3,000).

    Parameters
    ----------
    n_forecasts
        Number of forecasts, ``>= 1``.

    Returns
    -------
    int
        The number of lags, at most ``n_forecasts - 1``.
    """
    n = count(n_forecasts, "n_forecasts", 1)
    return min(int(4 * (n / 100) ** (2 / 9)), n - 1)


def diebold_mariano(errors_a: Any, errors_b: Any, horizon: int = 1, loss: str = "squared", *,
                    lags: int | None = None) -> DMResult:
    """Diebold-Mariano test of equal expected loss of two forecasts of the same targets.

    With :math:`d_t = L(e_{a,t}) - L(e_{b,t})`, :math:`t = 1..n`, the mean :math:`\\bar d`
    and the autocovariances :math:`\\hat\\gamma_k = \\frac1n \\sum_{t=k+1}^{n} (d_t - \\bar d)
    (d_{t-k} - \\bar d)`, the long-run variance is the Newey-West (Bartlett-weighted) sum

    .. math:: \\hat\\sigma^2 = \\hat\\gamma_0 + 2 \\sum_{k=1}^{\\ell} \\Big(1 - \\frac{k}{\\ell + 1}\\Big) \\hat\\gamma_k,

    and the statistic is

    .. math:: \\mathrm{DM} = \\sqrt{\\frac{n + 1 - 2m + m(m - 1)/n}{n}} \\; \\frac{\\bar d}{\\sqrt{\\hat\\sigma^2 / n}},
              \\qquad m = \\ell + 1,

    referred to Student's t with ``n - 1`` degrees of freedom (two-sided).

    The default truncation :math:`\\ell = h - 1` is Diebold and Mariano's (1995) choice for
    h-step forecasts: the errors of optimal h-step forecasts are correlated over at most
    ``h - 1`` lags, because consecutive forecasts overlap. (Diebold and Mariano weighted those
    lags equally, which can give a negative variance; the Bartlett weights of Newey and West
    (1987) keep it positive.) The square root in front is the small-sample correction of Harvey,
    Leybourne and Newbold (1997), who also proposed the t reference distribution; it was derived
    for :math:`m = h`, and is applied here with ``m = lags + 1``, the same number by default.

    For one-step forecasts the default uses no lags at all, which assumes the loss differences
    are uncorrelated. When they are not (check with
    :func:`course_utils.residuals.autocorrelation`), pass ``lags``, e.g.
    :func:`newey_west_lags` of ``n``.

    Parameters
    ----------
    errors_a, errors_b
        Forecast errors ``actual - forecast`` of the two forecasts, on the same targets in the
        same (time) order, shape ``(n,)`` or ``(n, 1)``, ``n >= MIN_FORECASTS``. For a
        multi-step forecast pass one step, ``errors[:, k]``, with ``horizon=k + 1``.
    horizon
        How many steps ahead the forecasts are, ``>= 1``.
    loss
        ``"squared"`` (compares mean squared errors, the RMSE's loss) or ``"absolute"``
        (compares mean absolute errors).
    lags
        Lag truncation :math:`\\ell` of the long-run variance, ``0 <= lags < n / 2``;
        ``None`` means ``horizon - 1``.

    Returns
    -------
    DMResult
        ``statistic < 0`` and a small ``p_value``: ``a`` has the smaller expected loss.

    Raises
    ------
    ValueError
        If the errors differ in length, are not one series, hold NaN or infinite values, are
        fewer than ``MIN_FORECASTS``; if ``horizon``, ``loss`` or ``lags`` is invalid; or if the
        loss difference is the same for every forecast (identical losses: the forecasts are
        indistinguishable; a constant non-zero difference: one is better on every target and
        there is no variance to test with).
    """
    from scipy import stats  # scipy comes with scikit-learn

    a, b = _errors(errors_a, "errors_a"), _errors(errors_b, "errors_b")
    if len(a) != len(b):
        raise ValueError(f"errors_a has {len(a)} values but errors_b has {len(b)}: the test compares two "
                         "forecasts of the same targets, so they must have the same length, in the same order.")
    n = len(a)
    if n < MIN_FORECASTS:
        raise ValueError(f"Only {n} forecasts: the Diebold-Mariano test needs at least {MIN_FORECASTS} to "
                         "estimate the variance of the loss difference. Score more test targets.")
    horizon = count(horizon, "horizon", 1)
    if loss not in _LOSSES:
        raise ValueError(f"loss must be 'squared' or 'absolute'; got {loss!r}.")
    lags = horizon - 1 if lags is None else count(lags, "lags", 0)
    if 2 * (lags + 1) > n:
        raise ValueError(f"lags={lags} is too many for {n} forecasts: the variance needs n >= 2 (lags + 1). "
                         "Use fewer lags (or a smaller horizon), or score more test targets.")
    if loss == "squared":
        d = a**2 - b**2
    else:
        d = np.abs(a) - np.abs(b)
    mean = float(d.mean())
    if np.ptp(d) == 0:
        if mean == 0:
            raise ValueError(f"The two forecasts have identical {loss} losses on all {n} targets: their loss "
                             "difference has zero variance, so the forecasts are indistinguishable (nothing "
                             "to test). Did you pass the same errors twice?")
        raise ValueError(f"The {loss} loss of errors_a minus that of errors_b is {mean:.6g} on every one of the "
                         f"{n} targets: there is no variance to test with. One forecast is better on every "
                         "target; report that instead of a p-value.")
    centred = d - mean
    variance = float(centred @ centred) / n
    for k in range(1, lags + 1):
        variance += 2 * (1 - k / (lags + 1)) * float(centred[k:] @ centred[:-k]) / n
    if not variance > 0:  # Bartlett weights keep it >= 0; exactly 0 only for contrived series
        raise ValueError(f"The long-run variance of the loss differences is {variance:.3g} with lags={lags}: "
                         "the test cannot be computed. Use fewer lags.")
    m = lags + 1
    correction = math.sqrt((n + 1 - 2 * m + m * (m - 1) / n) / n)
    statistic = correction * mean / math.sqrt(variance / n)
    p_value = float(2 * stats.t.sf(abs(statistic), n - 1))
    return DMResult(mean_difference=mean, statistic=float(statistic), p_value=p_value, n_forecasts=n,
                    lags=lags, long_run_variance=variance, loss=loss)
