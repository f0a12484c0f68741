"""course_utils.results: headline metrics written only when COURSE_RESULTS_DIR is set."""
import numpy as np
import pandas as pd
import pytest

from course_utils.results import read_results, record_results
from errors import clear_error


@pytest.fixture
def table():
    return pd.DataFrame({"RMSE": [1.5, 2.0], "R2": [np.float64(0.5), np.nan]},
                        index=pd.Index(["LSTM", "persistence"], name="model"))


def test_nothing_is_written_without_the_variable(tmp_path, table):
    record = record_results("01_x", "test RMSE", table, environ={})
    assert record == {"test RMSE": {"table": {"LSTM": {"RMSE": 1.5, "R2": 0.5},
                                              "persistence": {"RMSE": 2.0, "R2": None}},
                                    "baselines": [], "metric": None, "higher_is_better": False}}
    assert list(tmp_path.iterdir()) == []


def test_records_accumulate_per_notebook(tmp_path, table):
    env = {"COURSE_RESULTS_DIR": str(tmp_path / "out")}
    record_results("01_x", "test RMSE", table, baselines=["persistence"], metric="RMSE", environ=env)
    record_results("01_x", "timing", {"seconds": np.float32(2.5), "epochs": np.int64(3)}, environ=env)
    results = read_results(tmp_path / "out")
    assert results["01_x"]["test RMSE"]["table"]["LSTM"]["RMSE"] == 1.5
    assert results["01_x"]["test RMSE"]["baselines"] == ["persistence"]
    assert results["01_x"]["test RMSE"]["metric"] == "RMSE"
    assert results["01_x"]["timing"]["table"] == {"seconds": 2.5, "epochs": 3}


def test_a_second_record_of_the_same_name_replaces_the_first(tmp_path, table):
    env = {"COURSE_RESULTS_DIR": str(tmp_path)}
    record_results("01_x", "t", {"a": 1}, environ=env)
    record_results("01_x", "t", {"a": 2}, environ=env)
    assert read_results(tmp_path)["01_x"]["t"]["table"] == {"a": 2}


@pytest.mark.parametrize("notebook, name, results, phrases", [
    ("", "n", {"a": 1}, ("notebook", "stem such as")),
    ("a/b", "n", {"a": 1}, ("'a/b'", "stem such as")),
    ("01_x", " ", {"a": 1}, ("name must say", "'test RMSE (deg C)'")),
    ("01_x", "n", {}, ("results", "non-empty")),
    ("01_x", "n", pd.DataFrame(), ("results", "empty table", "one row per scored model")),
    ("01_x", "n", {"a": object()}, ("cannot record", "numbers or text")),
])
def test_bad_input_raises(notebook, name, results, phrases):
    with clear_error(*phrases):
        record_results(notebook, name, results, environ={})


@pytest.mark.parametrize("kwargs, phrases", [
    ({"baselines": ["naive"], "metric": "RMSE"}, ("['naive'] are not rows", "['LSTM', 'persistence']")),
    ({"baselines": ["persistence"], "metric": "MSE"}, ("'MSE' is not a column", "['RMSE', 'R2']")),
    ({"baselines": ["persistence"]}, ("without metric", "metric='RMSE'")),
    ({"metric": "RMSE"}, ("without baselines", "baselines=['persistence', ...]")),
    ({"baselines": "persistence", "metric": "RMSE"}, ("got a string", "list of row names")),
    ({"baselines": ["persistence", "LSTM"], "metric": "RMSE"}, ("every row is a baseline", "at least one model")),
])
def test_a_comparison_names_real_rows_and_a_column(table, kwargs, phrases):
    with clear_error(*phrases):
        record_results("01_x", "n", table, environ={}, **kwargs)


def test_baselines_need_a_table():
    with clear_error("baselines and metric describe a table", "pass a DataFrame"):
        record_results("01_x", "n", {"a": 1}, baselines=["a"], metric="a", environ={})


def test_missing_folder_raises(tmp_path):
    with clear_error("no results folder", "COURSE_RESULTS_DIR="):
        read_results(tmp_path / "nope")


def test_repeated_row_names_raise():
    table = pd.DataFrame({"RMSE": [1.0, 2.0]}, index=["LSTM", "LSTM"])
    with clear_error("['LSTM'] appear more than once", "its own name"):
        record_results("01_x", "n", table, environ={})
