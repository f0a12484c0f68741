"""course_utils.returns: relative price windows, log returns and directional accuracy."""
import math

import numpy as np
import pandas as pd
import pytest

from course_utils.returns import (binomial_standard_error, direction_table, directional_accuracy,
                                  log_returns, prices_from_relative, relative_windows, sign_test)
from course_utils.windows import make_windows
from errors import clear_error


def test_log_returns_of_series_and_array():
    prices = pd.Series([100.0, 110.0, 99.0], index=pd.date_range("2020-01-01", periods=3), name="Close")
    returns = log_returns(prices)
    assert isinstance(returns, pd.Series) and returns.name == "Close"
    assert returns.index[0] == pd.Timestamp("2020-01-02")  # labelled by the later day
    assert returns.tolist() == pytest.approx([math.log(1.1), math.log(0.9)])
    assert log_returns(np.array([1.0, math.e])) == pytest.approx([1.0])


def test_relative_windows_and_back_to_prices():
    prices = np.array([10.0, 20.0, 40.0, 20.0, 30.0])
    X, y = make_windows(prices, lookback=2)
    X_rel, y_rel = relative_windows(X, y)
    assert X_rel.shape == (3, 2, 1) and y_rel.shape == (3, 1)
    assert np.all(X_rel[:, -1, 0] == 0)  # the last step is the reference
    assert X_rel[0, 0, 0] == pytest.approx(math.log(0.5))
    assert y_rel[:, 0] == pytest.approx(np.log([2.0, 0.5, 1.5]))
    assert relative_windows(X).shape == (3, 2, 1)
    # the true relative targets give back the true prices; a zero forecast is persistence
    assert prices_from_relative(y_rel, X)[:, 0] == pytest.approx([40.0, 20.0, 30.0])
    assert prices_from_relative(np.zeros(3), X)[:, 0] == pytest.approx([20.0, 40.0, 20.0])
    # scale-free: doubling every price changes nothing
    assert relative_windows(2 * X, 2 * y)[1] == pytest.approx(y_rel)


def test_relative_windows_uses_the_target_feature():
    X = np.ones((2, 3, 2))
    X[:, -1, 1] = 4.0
    _, y_rel = relative_windows(X, np.full((2, 1), 8.0), target=1)
    assert y_rel[:, 0] == pytest.approx([math.log(2.0)] * 2)


def test_directional_accuracy_counts_flat_days_as_not_up():
    true = np.array([0.01, -0.02, 0.0, 0.03])
    assert directional_accuracy(true, np.array([0.1, 0.1, -0.1, 0.2])) == 0.75
    assert directional_accuracy(true, np.zeros(4)) == 0.5  # "never up": right on the down and flat days
    assert directional_accuracy(true[:, None], true[:, None]) == 1.0


def test_binomial_standard_error():
    assert binomial_standard_error(0.5, 100) == pytest.approx(0.05)
    assert binomial_standard_error(1.0, 7) == 0.0


def test_direction_table():
    true = np.array([0.01, 0.02, -0.01, 0.03])
    table = direction_table(true, {"model": np.array([0.1, -0.1, -0.1, 0.1])})
    assert list(table.index) == ["model", "always up"]  # ties keep their order
    assert table.loc["always up", "accuracy"] == 0.75 and table.loc["model", "accuracy"] == 0.75
    assert table.loc["always up", "share forecast up"] == 1.0
    assert table.loc["model", "z vs coin"] == pytest.approx(0.25 / 0.25)
    # the model is right alone on day 3 and wrong alone on day 2
    assert table.loc["model", "better than always up"] == 1
    assert table.loc["model", "worse than always up"] == 1
    assert table.loc["model", "p vs always up"] == pytest.approx(1.0)
    assert table.loc["always up", "p vs always up"] == 1.0
    assert list(table.columns) == ["accuracy", "share forecast up", "z vs coin",
                                   "better than always up", "worse than always up",
                                   "p vs always up"]


def test_direction_table_pairs_the_days():
    # 100 days, 60 up. "always up" is right on 60. A model that agrees with it on 90 days and
    # differs on 10 (right alone on 9 of them) is 8 points better: the paired test sees 9 to 1.
    true = np.where(np.arange(100) < 60, 0.01, -0.01)
    forecast = np.ones(100)
    forecast[[60, 61, 62, 63, 64, 65, 66, 67, 68, 0]] = -1.0
    table = direction_table(true, {"m": forecast})
    row = table.loc["m"]
    assert row["accuracy"] == pytest.approx(0.68)
    assert (row["better than always up"], row["worse than always up"]) == (9, 1)
    assert row["p vs always up"] == pytest.approx(sign_test(9, 1))
    assert row["p vs always up"] == pytest.approx(22 / 1024)  # 2 * P(B >= 9), B ~ Bin(10, 0.5)


def test_sign_test():
    assert sign_test(0, 0) == 1.0
    assert sign_test(5, 5) == pytest.approx(1.0)
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(0, 10) == pytest.approx(2 / 1024)
    with clear_error("wins", "non-negative integer"):
        sign_test(-1, 3)
    with clear_error("wins", "non-negative integer"):
        sign_test(2.5, 3)


@pytest.mark.parametrize("bad, phrases", [
    (np.array([1.0, -1.0]), ("strictly positive", "convert them back to prices")),
    (np.array([1.0, np.nan]), ("NaN", "drop or fill")),
    (np.array([1.0]), ("1 value(s)", "at least two")),
    (np.ones((3, 2)), ("shape (T,)", "pass one column")),
    (["a", "b"], ("prices", "numbers only", "pd.to_numeric")),
])
def test_log_returns_errors(bad, phrases):
    with clear_error(*phrases):
        log_returns(bad)


def test_window_errors():
    X = np.ones((3, 2, 1))
    with clear_error("strictly positive", "convert them back to prices"):
        relative_windows(X - 1)
    with clear_error("got (3, 2)", "(samples, lookback, features)"):
        relative_windows(np.ones((3, 2)))
    with clear_error("target", "between 0 and 0"):
        relative_windows(X, target=1)
    with clear_error("got (2, 1)", "(3, horizon)"):
        relative_windows(X, np.ones((2, 1)))
    with clear_error("predictions", "one row per window"):
        prices_from_relative(np.zeros(2), X)


def test_scoring_errors():
    with clear_error("y_true has 3 values but y_pred has 2", "one forecast per true change"):
        directional_accuracy(np.ones(3), np.ones(2))
    with clear_error("empty", "nothing to score", "give at least one true value"):
        directional_accuracy([], [])
    with clear_error("NaN", "fix them before scoring"):
        directional_accuracy([np.nan], [1.0])
    with clear_error("p must be a probability", "got 1.5"):
        binomial_standard_error(1.5, 10)
    with clear_error("n must be a positive integer", "got 0"):
        binomial_standard_error(0.5, 0)
    with clear_error("predictions", "non-empty dict"):
        direction_table(np.ones(3), {})
    with clear_error("'always up' is added by direction_table", "rename your forecast"):
        direction_table(np.ones(3), {"always up": np.ones(3)})
    with clear_error("Forecast 'm'", "one forecast per true change"):
        direction_table(np.ones(3), {"m": np.ones(2)})
