"""How much of a difference between two models is luck? Scores over several random seeds.

Training a network starts from random weights and visits the data in a random order, so the
same configuration trained with another seed ends with another test score. Before calling
one configuration better than another, train each with several seeds and compare the
difference of their mean scores with the spread of the scores:

* :func:`seed_spread` -- mean, standard deviation, minimum and maximum per configuration;
* :func:`compare_runs` -- Welch's two-sample t-test on two lists of scores, with a verdict.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import finite

__all__ = ["seed_spread", "RunComparison", "compare_runs"]


def _scores(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"The scores of {name} must be numbers, one per seed; got a string.")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"The scores of {name} must be numbers, one per seed; got {values!r}.") from None
    if array.ndim != 1 or len(array) < 2:
        raise ValueError(
            f"{name} needs at least two scores (one per seed) in a flat list to measure a spread; "
            f"got shape {array.shape}. Train with more seeds."
        )
    bad = np.flatnonzero(~np.isfinite(array)).tolist()
    return finite(array, name, message=(
        f"The scores of {name} contain NaN or infinite values at position(s) {bad} (a diverged "
        "run?). Rerun those seeds, e.g. with a lower learning rate or gradient clipping "
        "(clipnorm=1.0), and report how many diverged rather than dropping them silently."))


def seed_spread(scores: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Summarise the scores of each configuration over its seeds.

    Parameters
    ----------
    scores
        Configuration name -> its scores, one per seed, e.g. test RMSEs; shape ``(n_seeds,)``
        with ``n_seeds >= 2`` (configurations may have different numbers of seeds).

    Returns
    -------
    pandas.DataFrame
        One row per configuration (index ``configuration``), columns ``runs``, ``mean``,
        ``std`` (sample standard deviation, ``ddof=1``), ``min`` and ``max``; sorted by mean,
        smallest first.

    Raises
    ------
    ValueError
        If ``scores`` is empty or a configuration has fewer than two finite scores.
    """
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError("scores must be a non-empty dict: configuration name -> list of scores (one per seed).")
    rows = []
    for name, values in scores.items():
        array = _scores(values, repr(name))
        rows.append({"configuration": str(name), "runs": len(array), "mean": array.mean(),
                     "std": array.std(ddof=1), "min": array.min(), "max": array.max()})
    return pd.DataFrame(rows).set_index("configuration").sort_values("mean", kind="stable")


@dataclass(frozen=True)
class RunComparison:
    """The outcome of :func:`compare_runs` (scores where smaller is better, e.g. RMSE).

    Attributes
    ----------
    mean_a, mean_b
        Mean score of each configuration.
    difference
        ``mean_a - mean_b`` (negative: ``a`` scores lower).
    standard_error
        :math:`\\sqrt{s_a^2/n_a + s_b^2/n_b}`, the uncertainty of ``difference``.
    degrees_of_freedom
        Welch-Satterthwaite degrees of freedom (``inf`` when both spreads are zero).
    threshold
        Smallest ``|difference|`` that counts as real at the chosen confidence:
        the t quantile times ``standard_error``.
    p_value
        Two-sided p-value of Welch's t-test.
    real
        True when ``|difference| > threshold``.
    """

    mean_a: float
    mean_b: float
    difference: float
    standard_error: float
    degrees_of_freedom: float
    threshold: float
    p_value: float
    real: bool

    def verdict(self, name_a: str = "a", name_b: str = "b") -> str:
        """One sentence saying which configuration is better and whether that is more than luck."""
        better, worse = (name_a, name_b) if self.difference < 0 else (name_b, name_a)
        if self.difference == 0:
            return f"{name_a} and {name_b} have the same mean score."
        size = f"{abs(self.difference):.4g} vs a threshold of {self.threshold:.4g}"
        if self.real:
            return f"{better} is better than {worse}, and the difference is larger than the seed noise ({size})."
        return (f"{better} scores better than {worse} on average, but the difference is within the seed "
                f"noise ({size}): it could be luck.")


def compare_runs(scores_a: Sequence[float], scores_b: Sequence[float], confidence: float = 0.95) -> RunComparison:
    """Is the difference between two configurations' mean scores larger than seed noise?

    Welch's t-test: the difference of the means is divided by its standard error
    :math:`\\sqrt{s_a^2/n_a + s_b^2/n_b}`; it is called real when it exceeds the
    ``(1 + confidence) / 2`` quantile of Student's t distribution, at Welch's degrees of
    freedom, times that standard error. The degrees of freedom depend on both samples (with 5
    seeds per side they lie between 4 and 8, a 95 % quantile between 2.78 and 2.31; with many
    seeds the quantile nears 1.96), so the threshold is computed, never taken from a rule.

    Parameters
    ----------
    scores_a, scores_b
        Scores of the two configurations, one per seed, shapes ``(n_a,)`` and ``(n_b,)``,
        each with at least 2 values.
    confidence
        Between 0 and 1 (exclusive); 0.95 gives the usual 5 % test.

    Returns
    -------
    RunComparison

    Raises
    ------
    ValueError
        If either list has fewer than two finite scores, or ``confidence`` is not in (0, 1).
    """
    from scipy import stats  # scipy comes with scikit-learn

    a, b = _scores(scores_a, "scores_a"), _scores(scores_b, "scores_b")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number between 0 and 1, such as 0.95; got {confidence!r}.")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    difference = float(a.mean() - b.mean())
    standard_error = math.sqrt(va + vb)
    if standard_error == 0:
        real = difference != 0
        return RunComparison(float(a.mean()), float(b.mean()), difference, 0.0, math.inf, 0.0,
                             0.0 if real else 1.0, real)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    threshold = float(stats.t.ppf((1 + confidence) / 2, dof) * standard_error)
    p_value = float(2 * stats.t.sf(abs(difference) / standard_error, dof))
    return RunComparison(float(a.mean()), float(b.mean()), difference, standard_error, float(dof),
                         threshold, p_value, abs(difference) > threshold)
