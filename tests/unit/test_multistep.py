"""course_utils.multistep: error of each forecast step, and the per-step table."""
import numpy as np
import pytest

from course_utils.multistep import error_per_step, per_step_table
from errors import clear_error


def test_error_per_step_scores_each_column():
    true = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    pred = np.array([[1.0, 3.0, 6.0], [1.0, 1.0, 0.0]])
    np.testing.assert_allclose(error_per_step(true, pred), [0.0, 1.0, 3.0])
    np.testing.assert_allclose(error_per_step(true, pred, "mae"), [0.0, 1.0, 3.0])
    np.testing.assert_allclose(error_per_step([[0.0, 0.0]] * 2, [[3.0, 1.0], [-1.0, 1.0]], "rmse"),
                               [np.sqrt(5.0), 1.0])


def test_sequence_outputs_with_a_last_axis_are_accepted():
    true = np.zeros((4, 3))
    pred = np.ones((4, 3, 1))
    np.testing.assert_allclose(error_per_step(true, pred), [1.0, 1.0, 1.0])


def test_per_step_table_rows_and_columns():
    true = np.zeros((5, 2))
    table = per_step_table(true, {"zero": np.zeros((5, 2)), "one": np.ones((5, 2, 1))}, step_name="hour")
    assert list(table.index) == ["zero", "one"] and table.index.name == "model"
    assert list(table.columns) == ["hour 1", "hour 2"]
    assert table.loc["one"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("true, pred, metric, phrases", [
    (np.zeros((3, 2)), np.zeros((3, 2)), "mape", ("'mape'", "one of ['mae', 'rmse']")),
    (np.zeros((3, 2)), np.zeros((3, 3)), "rmse", ("y_true has shape (3, 2)", "(n, horizon)")),
    (np.zeros(3), np.zeros(3), "rmse", ("y_true", "(n, horizon)")),
    (np.zeros((0, 2)), np.zeros((0, 2)), "rmse", ("got (0, 2)", "at least one row")),
    (np.zeros((3, 2)), np.full((3, 2), np.nan), "rmse", ("y_pred contains NaN", "fix them")),
])
def test_error_per_step_errors(true, pred, metric, phrases):
    with clear_error(*phrases):
        error_per_step(true, pred, metric)


def test_per_step_table_errors():
    with clear_error("predictions", "non-empty dict"):
        per_step_table(np.zeros((2, 2)), {})
    with clear_error("Forecasts of 'bad'", "(n, horizon)"):
        per_step_table(np.zeros((2, 2)), {"good": np.zeros((2, 2)), "bad": np.zeros((2, 3))})
