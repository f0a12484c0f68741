"""course_utils.seed_variance: spread of scores over seeds and Welch's test between two configurations."""
import math

import numpy as np
import pytest
from scipy import stats

from course_utils.seed_variance import RunComparison, compare_runs, seed_spread
from errors import clear_error


def test_seed_spread_summarises_each_configuration_best_first():
    table = seed_spread({"default": [2.0, 2.2, 2.4], "tuned": np.array([1.0, 1.2])})
    assert table.index.tolist() == ["tuned", "default"]
    assert table.loc["default"].tolist() == pytest.approx([3, 2.2, 0.2, 2.0, 2.4])
    assert table.loc["tuned", "std"] == pytest.approx(np.std([1.0, 1.2], ddof=1))


def test_compare_runs_agrees_with_scipy_welch_test():
    a, b = [1.00, 1.02, 0.98, 1.01], [1.10, 1.12, 1.09]
    result = compare_runs(a, b)
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.difference == pytest.approx(np.mean(a) - np.mean(b))
    assert result.standard_error == pytest.approx(math.sqrt(np.var(a, ddof=1) / 4 + np.var(b, ddof=1) / 3))
    assert result.real and result.threshold < abs(result.difference)
    assert "is better than" in result.verdict("small", "big") and result.verdict("small", "big").startswith("small")


def test_overlapping_scores_are_called_luck():
    result = compare_runs([1.0, 1.3, 0.8], [1.1, 0.9, 1.25])
    assert not result.real and result.p_value > 0.05
    assert "could be luck" in result.verdict("a", "b")
    assert result.verdict("a", "b").startswith("a")  # a has the lower mean (1.033 vs 1.083)


def test_identical_spreads_of_zero():
    same = compare_runs([1.0, 1.0], [1.0, 1.0])
    assert isinstance(same, RunComparison) and not same.real and "same mean" in same.verdict()
    different = compare_runs([1.0, 1.0], [2.0, 2.0])
    assert different.real and different.degrees_of_freedom == math.inf


def test_errors_say_what_to_change():
    with clear_error("scores", "non-empty dict"):
        seed_spread({})
    with clear_error("at least two scores", "more seeds"):
        seed_spread({"one seed": [1.0]})
    with clear_error("'diverged'", "NaN", "position(s) [1]", "rerun those seeds"):
        seed_spread({"diverged": [1.0, float("nan")]})
    with clear_error("'text' must be numbers", "got a string"):
        seed_spread({"text": "1.0, 2.0"})
    with clear_error("scores_a must be numbers", "one per seed"):
        compare_runs(["a", "b"], [1.0, 2.0])
    with clear_error("scores_a", "at least two scores"):
        compare_runs([[1.0, 2.0]], [1.0, 2.0])
    with clear_error("confidence", "between 0 and 1"):
        compare_runs([1.0, 2.0], [1.0, 2.0], confidence=95)
