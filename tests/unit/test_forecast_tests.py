"""course_utils.forecast_tests: the Diebold-Mariano test of equal expected loss of two forecasts."""
import math

import numpy as np
import pytest
from scipy import stats

from course_utils.forecast_tests import MIN_FORECASTS, DMResult, diebold_mariano, newey_west_lags
from errors import clear_error

# Loss differences d = 2, 0, 2, 0, ... (mean 1, centred values +1, -1, +1, ...): by hand,
# gamma_0 = 1 and gamma_1 = 9 * (-1) / 10 = -0.9.
B = np.ones(10)
A_SQUARED = np.sqrt([3.0, 1.0] * 5) * np.array([1, -1] * 5)  # a^2 - b^2 = 2, 0, 2, 0, ...
A_ABSOLUTE = np.array([3.0, -1.0] * 5)  # |a| - |b| = 2, 0, 2, 0, ...


def test_one_step_statistic_matches_a_hand_computation():
    # lags 0: variance gamma_0 = 1; HLN factor sqrt((10 + 1 - 2) / 10); DM = sqrt(0.9) * 1 / sqrt(1 / 10) = 3
    result = diebold_mariano(A_SQUARED, B)
    assert isinstance(result, DMResult)
    assert result.mean_difference == pytest.approx(1.0)
    assert result.long_run_variance == pytest.approx(1.0)
    assert result.statistic == pytest.approx(3.0)
    assert result.p_value == pytest.approx(2 * stats.t.sf(3.0, 9))
    assert (result.n_forecasts, result.lags, result.loss) == (10, 0, "squared")


def test_two_step_statistic_matches_a_hand_computation():
    # lags 1, Bartlett weight 1/2: variance 1 + 2 * 0.5 * (-0.9) = 0.1; HLN factor with m = 2:
    # sqrt((10 + 1 - 4 + 2 / 10) / 10) = sqrt(0.72); DM = sqrt(0.72) / sqrt(0.1 / 10) = sqrt(72)
    result = diebold_mariano(A_SQUARED, B, horizon=2)
    assert result.lags == 1
    assert result.long_run_variance == pytest.approx(0.1)
    assert result.statistic == pytest.approx(math.sqrt(72))
    assert result.p_value == pytest.approx(2 * stats.t.sf(math.sqrt(72), 9))
    assert diebold_mariano(A_SQUARED, B, lags=1) == result  # lags overrides horizon - 1


def test_absolute_loss_compares_mean_absolute_errors():
    result = diebold_mariano(A_ABSOLUTE, B, loss="absolute")
    assert result.loss == "absolute" and result.statistic == pytest.approx(3.0)
    assert diebold_mariano(A_ABSOLUTE[:, np.newaxis], B[:, np.newaxis], loss="absolute") == result  # (n, 1)


def test_swapping_the_forecasts_flips_the_sign_and_keeps_the_p_value():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=200), rng.normal(scale=1.1, size=200)
    for horizon in (1, 3):
        ab, ba = diebold_mariano(a, b, horizon), diebold_mariano(b, a, horizon)
        assert ba.statistic == pytest.approx(-ab.statistic)
        assert ba.mean_difference == pytest.approx(-ab.mean_difference)
        assert ba.p_value == pytest.approx(ab.p_value)


def test_a_clearly_worse_forecast_is_detected():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=500), rng.normal(scale=1.5, size=500)
    result = diebold_mariano(a, b)
    assert result.statistic < 0 and result.p_value < 0.001
    assert result.significant()
    verdict = result.verdict("good", "bad")
    assert verdict.startswith("good has a smaller expected squared error than bad")
    assert "significant at 5 %" in verdict


def test_forecasts_equal_in_distribution_are_not_distinguished():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=500), rng.normal(size=500)
    result = diebold_mariano(a, b)
    assert result.p_value > 0.2 and not result.significant()
    assert "is not distinguishable from" in result.verdict("a", "b")


def test_the_test_rejects_about_five_percent_of_equal_forecasts():
    rng = np.random.default_rng(3)
    rejections = [diebold_mariano(rng.normal(size=200), rng.normal(size=200)).p_value < 0.05 for _ in range(400)]
    assert 0.02 < np.mean(rejections) < 0.09


def test_autocorrelated_loss_differences_get_a_larger_variance():
    # d_t = u_t + u_(t-1) + u_(t-2) + u_(t-3): MA(3), as the losses of overlapping 4-step forecasts
    rng = np.random.default_rng(4)
    u = rng.normal(size=603)
    d = 0.3 + u[3:] + u[2:-1] + u[1:-2] + u[:-3]
    b = np.full(600, 20.0)
    a = b + d  # absolute loss: |a| - |b| = d exactly, as a and b stay positive
    naive, four_step = diebold_mariano(a, b, loss="absolute"), diebold_mariano(a, b, horizon=4, loss="absolute")
    assert four_step.lags == 3
    assert four_step.long_run_variance > 2 * naive.long_run_variance  # true ratio 16 / 4; Bartlett's 11 / 4
    assert abs(four_step.statistic) < abs(naive.statistic) and four_step.p_value > naive.p_value


def test_newey_west_lags_follow_the_rule_of_thumb():
    assert [newey_west_lags(n) for n in (1, 2, 100, 365, 3000)] == [0, 1, 4, 5, 8]
    with clear_error("n_forecasts", ">= 1"):
        newey_west_lags(0)


def test_errors_say_what_was_wrong_and_what_to_do():
    with clear_error("errors_a has 10", "errors_b has 9", "same length"):
        diebold_mariano(A_SQUARED, B[:9])
    with clear_error(f"only {MIN_FORECASTS - 1} forecasts", f"at least {MIN_FORECASTS}", "more test targets"):
        diebold_mariano(A_SQUARED[:-1], B[:-1])
    with clear_error("errors_b", "NaN", "position(s) [2]", "drop the same positions"):
        diebold_mariano(A_SQUARED, np.where(np.arange(10) == 2, np.nan, 1.0))
    with clear_error("identical squared losses", "indistinguishable"):
        diebold_mariano(B, -B)
    with clear_error("on every one of the 10 targets", "no variance"):
        diebold_mariano(2 * B, B)
    with clear_error("errors_a", "(n,) or (n, 1)", "one step at a time"):
        diebold_mariano(np.ones((10, 3)), B)
    with clear_error("errors_a must be numbers", "got a string"):
        diebold_mariano("1, 2, 3", B)
    with clear_error("loss", "'squared' or 'absolute'"):
        diebold_mariano(A_SQUARED, B, loss="mse")
    with clear_error("horizon", ">= 1"):
        diebold_mariano(A_SQUARED, B, horizon=0)
    with clear_error("lags=5", "fewer lags"):
        diebold_mariano(A_SQUARED, B, lags=5)
    with clear_error("level", "between 0 and 1"):
        diebold_mariano(A_SQUARED, B).significant(5)
