"""course_utils.residuals: autocorrelation, white-noise band, Ljung-Box test, errors by period."""
import numpy as np
import pandas as pd
import pytest

from course_utils.residuals import acf_band, autocorrelation, ljung_box, residuals_by_period
from errors import clear_error


def test_autocorrelation_matches_the_textbook_formula():
    values = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0])
    centred = values - values.mean()
    expected = [np.sum(centred[k:] * centred[:-k]) / np.sum(centred**2) for k in (1, 2, 3)]
    np.testing.assert_allclose(autocorrelation(values, 3), expected)
    np.testing.assert_allclose(autocorrelation(values[:, np.newaxis], 3), expected)  # (n, 1) is accepted


def test_autocorrelation_sees_structure_and_white_noise_stays_in_the_band():
    alternating = np.tile([1.0, -1.0], 50)
    assert autocorrelation(alternating, 2) == pytest.approx([-0.99, 0.98])
    noise = np.random.default_rng(0).normal(size=2000)
    band = acf_band(len(noise))
    assert band == pytest.approx(1.96 / np.sqrt(2000))
    assert np.mean(np.abs(autocorrelation(noise, 20)) < band) >= 0.85
    assert acf_band(100, z=1.0) == pytest.approx(0.1)


def test_ljung_box_rejects_structure_and_accepts_noise():
    rng = np.random.default_rng(1)
    noise = rng.normal(size=500)
    q, p = ljung_box(noise, 10)
    assert q > 0 and p > 0.05
    walk = np.cumsum(noise)  # strongly autocorrelated
    assert ljung_box(walk, 10)[1] < 1e-6
    n, r = 500, autocorrelation(noise, 10)
    assert q == pytest.approx(n * (n + 2) * np.sum(r**2 / (n - np.arange(1, 11))))


def test_residuals_by_period_gives_bias_and_errors_per_month():
    dates = pd.date_range("2020-01-30", periods=4, freq="D")  # 30, 31 Jan, 1, 2 Feb
    table = residuals_by_period([1.0, 3.0, -2.0, 2.0], dates)
    assert table.index.name == "month" and table.index.tolist() == [1, 2]
    assert table.loc[1].tolist() == pytest.approx([2, 2.0, np.sqrt(5.0), 2.0])
    assert table.loc[2].tolist() == pytest.approx([2, 0.0, 2.0, 2.0])
    weekdays = residuals_by_period(np.ones(7), pd.date_range("2024-01-01", periods=7), period="dayofweek")
    assert weekdays.index.tolist() == list(range(7))


def test_errors_say_what_to_change():
    with clear_error("one series of shape (n,)", "residuals[:, 0]"):
        autocorrelation(np.ones((5, 2)), 1)
    with clear_error("NaN", "fix the forecasts"):
        autocorrelation([1.0, np.nan, 2.0], 1)
    with clear_error("max_lag", ">= 1"):
        autocorrelation([1.0, 2.0, 3.0], 0)
    with clear_error("needs more than 3 residuals", "smaller max_lag"):
        autocorrelation([1.0, 2.0, 3.0], 3)
    with clear_error("constant", "autocorrelation is undefined", "every value is 2", "check that you passed the residuals"):
        autocorrelation([2.0, 2.0, 2.0], 1)
    with clear_error("n must be the number of values", ">= 1"):
        acf_band(0)
    with clear_error("z must be a positive", "1.96"):
        acf_band(10, z=-1)
    with clear_error("max_lag=5", "smaller max_lag"):
        ljung_box([1.0, 2.0], 5)
    dates = pd.date_range("2020-01-01", periods=3)
    with clear_error("period", "['month', 'quarter', 'dayofweek']"):
        residuals_by_period([1.0, 2.0, 3.0], dates, period="week")
    with clear_error("2 residuals but 3 dates", "one date per residual"):
        residuals_by_period([1.0, 2.0], dates)
    with clear_error("dates must be dates", "DatetimeIndex"):
        residuals_by_period([1.0, 2.0], ["not a date", "nor this"])
    with clear_error("NaT", "a date for every residual"):
        residuals_by_period([1.0, 2.0], pd.DatetimeIndex(["2020-01-01", None]))
