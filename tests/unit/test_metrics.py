"""Unit tests of course_utils.metrics: rmse, mae, r2 and the comparison table."""
import math

import numpy as np
import pandas as pd
import pytest

from course_utils.metrics import compare, mae, r2, rmse
from errors import clear_error

TRUE = [1.0, 2.0, 3.0, 4.0]
PRED = [2.0, 2.0, 1.0, 4.0]  # errors 1, 0, -2, 0


# --- rmse / mae / r2 -----------------------------------------------------------------------


def test_rmse_hand_computed():
    assert rmse(TRUE, PRED) == pytest.approx(math.sqrt((1 + 0 + 4 + 0) / 4))


def test_mae_hand_computed():
    assert mae(TRUE, PRED) == pytest.approx((1 + 0 + 2 + 0) / 4)


def test_r2_hand_computed():
    # mean 2.5: total = 2.25 + 0.25 + 0.25 + 2.25 = 5; residual = 5
    assert r2(TRUE, PRED) == pytest.approx(0.0)
    assert r2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]) == pytest.approx(1 - 1 / 2)


@pytest.mark.parametrize("metric", [rmse, mae, r2])
def test_perfect_prediction(metric):
    assert metric(TRUE, TRUE) == (1.0 if metric is r2 else 0.0)


def test_r2_of_predicting_the_mean_is_zero_and_worse_is_negative():
    true = np.array([1.0, 5.0, 3.0, 7.0])
    assert r2(true, np.full(4, true.mean())) == pytest.approx(0.0)
    assert r2(true, true[::-1]) < 0


@pytest.mark.parametrize("metric", [rmse, mae, r2])
def test_metrics_return_python_floats(metric):
    assert type(metric(TRUE, PRED)) is float


def test_metrics_on_two_d_arrays():
    true = np.array([[1.0, 2.0], [3.0, 4.0]])
    pred = np.array([[1.0, 4.0], [3.0, 4.0]])
    assert rmse(true, pred) == pytest.approx(math.sqrt(4 / 4))
    assert mae(true, pred) == pytest.approx(2 / 4)


@pytest.mark.parametrize("metric", [rmse, mae, r2])
def test_metrics_accept_n_against_n_by_1(metric):
    column = np.array(PRED)[:, None]
    assert metric(TRUE, column) == pytest.approx(metric(TRUE, PRED))
    assert metric(np.array(TRUE)[:, None], PRED) == pytest.approx(metric(TRUE, PRED))


def test_metrics_are_symmetric_where_they_should_be():
    assert rmse(TRUE, PRED) == rmse(PRED, TRUE)
    assert mae(TRUE, PRED) == mae(PRED, TRUE)


@pytest.mark.parametrize("metric", [rmse, mae, r2])
@pytest.mark.parametrize("true, pred", [
    ([1.0, 2.0, 3.0], [1.0, 2.0]),
    (np.zeros((2, 3)), np.zeros((3, 2))),
    (np.zeros((4, 2)), np.zeros(8)),
])
def test_metrics_reject_shape_mismatch(metric, true, pred):
    with clear_error("y_true has shape", "one prediction per true value"):
        metric(true, pred)


@pytest.mark.parametrize("metric", [rmse, mae, r2])
def test_metrics_reject_empty(metric):
    with clear_error("empty", "nothing to score", "give at least one true value"):
        metric([], [])


@pytest.mark.parametrize("metric", [rmse, mae, r2])
@pytest.mark.parametrize("true, pred", [
    ([1.0, np.nan], [1.0, 2.0]),
    ([1.0, 2.0], [np.inf, 2.0]),
])
def test_metrics_reject_non_finite(metric, true, pred):
    with clear_error("NaN or infinite", "fix them before scoring"):
        metric(true, pred)


def test_r2_rejects_constant_truth():
    with clear_error("R^2 is undefined", "RMSE or MAE"):
        r2([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])


# --- compare -------------------------------------------------------------------------------


@pytest.fixture
def table():
    true = np.array([1.0, 2.0, 3.0, 4.0])
    predictions = {
        "persistence": true + 1.0,               # RMSE 1
        "LSTM": true + np.array([0.5, -0.5, 0.5, -0.5]),  # RMSE 0.5
        "bad": true - 2.0,                       # RMSE 2
    }
    return compare(true, predictions)


def test_compare_columns_and_index(table):
    assert list(table.columns) == ["RMSE", "MAE", "R2", "RMSE / persistence"]
    assert table.index.name == "model"


def test_compare_sorts_by_rmse(table):
    assert table.index.tolist() == ["LSTM", "persistence", "bad"]
    assert table["RMSE"].is_monotonic_increasing


def test_compare_values(table):
    np.testing.assert_allclose(table["RMSE"], [0.5, 1.0, 2.0])
    np.testing.assert_allclose(table["MAE"], [0.5, 1.0, 2.0])
    # total sum of squares around 2.5 is 5
    np.testing.assert_allclose(table["R2"], [1 - 1 / 5, 1 - 4 / 5, 1 - 16 / 5])


def test_compare_ratio_is_one_for_the_baseline(table):
    assert table.loc["persistence", "RMSE / persistence"] == 1.0
    assert table.loc["LSTM", "RMSE / persistence"] == pytest.approx(0.5)
    assert table.loc["bad", "RMSE / persistence"] == pytest.approx(2.0)


def test_compare_other_baseline_name():
    result = compare([1.0, 2.0, 3.0], {"mean": [2.0, 2.0, 2.0], "model": [1.0, 2.0, 4.0]},
                     baseline="mean")
    assert "RMSE / mean" in result.columns
    assert result.loc["mean", "RMSE / mean"] == 1.0
    assert result.loc["model", "RMSE / mean"] == pytest.approx(
        math.sqrt(1 / 3) / math.sqrt(2 / 3))


def test_compare_without_baseline():
    result = compare([1.0, 2.0, 3.0], {"a": [1.0, 2.0, 4.0]}, baseline=None)
    assert list(result.columns) == ["RMSE", "MAE", "R2"]
    assert result.index.tolist() == ["a"]


def test_compare_ties_keep_insertion_order():
    result = compare([1.0, 2.0], {"persistence": [2.0, 3.0], "z": [0.0, 1.0], "a": [2.0, 3.0]})
    assert result.index.tolist() == ["persistence", "z", "a"]


def test_compare_constant_truth_gives_nan_r2():
    result = compare([3.0, 3.0, 3.0], {"persistence": [3.0, 3.0, 4.0]})
    assert math.isnan(result.loc["persistence", "R2"])
    assert result.loc["persistence", "RMSE"] == pytest.approx(math.sqrt(1 / 3))


def test_compare_accepts_column_predictions():
    true = np.array([1.0, 2.0, 3.0])
    result = compare(true, {"persistence": true[:, None] + 1})
    assert result.loc["persistence", "RMSE"] == pytest.approx(1.0)


def test_compare_returns_dataframe(table):
    assert isinstance(table, pd.DataFrame)


@pytest.mark.parametrize("predictions", [{}, None, [("persistence", [1.0])]])
def test_compare_rejects_empty_or_non_mapping(predictions):
    with clear_error("predictions", "non-empty dict"):
        compare([1.0], predictions)


def test_compare_rejects_missing_baseline():
    with clear_error("baseline 'persistence' is not among the predictions", "baseline=None"):
        compare([1.0, 2.0], {"LSTM": [1.0, 2.0]})


def test_compare_names_the_model_with_a_bad_shape():
    with clear_error("Predictions of 'LSTM'", "y_true has shape (3,) but y_pred has shape (2,)"):
        compare([1.0, 2.0, 3.0], {"persistence": [1.0, 2.0, 3.0], "LSTM": [1.0, 2.0]})


def test_compare_names_the_model_with_nan():
    with clear_error("Predictions of 'LSTM'", "NaN"):
        compare([1.0, 2.0], {"persistence": [1.0, 2.0], "LSTM": [np.nan, 2.0]})
