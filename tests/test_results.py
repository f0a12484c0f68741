"""course_utils.results: headline metrics written only when COURSE_RESULTS_DIR is set."""
import numpy as np
import pandas as pd
import pytest

from course_utils.results import read_results, record_results


@pytest.fixture
def table():
    return pd.DataFrame({"RMSE": [1.5, 2.0], "R2": [np.float64(0.5), np.nan]},
                        index=pd.Index(["LSTM", "persistence"], name="model"))


def test_nothing_is_written_without_the_variable(tmp_path, table):
    record = record_results("01_x", "test RMSE", table, environ={})
    assert record == {"test RMSE": {"LSTM": {"RMSE": 1.5, "R2": 0.5}, "persistence": {"RMSE": 2.0, "R2": None}}}
    assert list(tmp_path.iterdir()) == []


def test_records_accumulate_per_notebook(tmp_path, table):
    env = {"COURSE_RESULTS_DIR": str(tmp_path / "out")}
    record_results("01_x", "test RMSE", table, environ=env)
    record_results("01_x", "timing", {"seconds": np.float32(2.5), "epochs": np.int64(3)}, environ=env)
    results = read_results(tmp_path / "out")
    assert results["01_x"]["test RMSE"]["LSTM"]["RMSE"] == 1.5
    assert results["01_x"]["timing"] == {"seconds": 2.5, "epochs": 3}


@pytest.mark.parametrize("notebook, name, results, message", [
    ("", "n", {"a": 1}, "stem"),
    ("a/b", "n", {"a": 1}, "stem"),
    ("01_x", " ", {"a": 1}, "name must say"),
    ("01_x", "n", {}, "non-empty"),
    ("01_x", "n", pd.DataFrame(), "empty table"),
    ("01_x", "n", {"a": object()}, "Cannot record"),
])
def test_bad_input_raises(notebook, name, results, message):
    with pytest.raises(ValueError, match=message):
        record_results(notebook, name, results, environ={})


def test_missing_folder_raises(tmp_path):
    with pytest.raises(ValueError, match="No results folder"):
        read_results(tmp_path / "nope")
