"""course_utils.pipelines: split, scale on train only, window inside each part."""
import numpy as np
import pandas as pd
import pytest

from course_utils.pipelines import windowed_split
from errors import clear_error


@pytest.fixture
def frame():
    dates = pd.date_range("2000-01-01", periods=100, freq="D")
    return pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100.0) * 2}, index=dates)


def test_parts_are_windowed_separately_and_scaled_on_train(frame):
    split = windowed_split(frame, lookback=5, horizon=2, target="b")
    # 70 / 15 / 15 rows -> 70-5-2+1, 15-5-2+1, 15-5-2+1 windows
    assert split.X_train.shape == (64, 5, 2) and split.y_train.shape == (64, 2)
    assert split.X_val.shape == (9, 5, 2) and split.X_test.shape == (9, 5, 2)
    assert split.target == 1 and split.feature_names == ["a", "b"]
    # scaler fitted on the 70 training rows only: the training part spans [0, 1]
    assert split.scaler.offset.tolist() == [0.0, 0.0] and split.scaler.scale.tolist() == [69.0, 138.0]
    assert split.X_train.min() == 0 and split.X_train.max() <= 1 and split.X_test.max() > 1
    # targets are the values after each window, in original units again
    assert split.to_units(split.y_test[0]).tolist() == pytest.approx([2 * 90, 2 * 91])
    assert split.test_dates[0] == pd.Timestamp("2000-03-31")  # row 90
    assert len(split.val_dates) == 9 and len(split.train_dates) == 64


def test_arrays_and_series_work_too(frame):
    split = windowed_split(frame["a"].to_numpy(), lookback=3, scaler="standard")
    assert split.X_train.shape == (67, 3, 1) and split.feature_names == ["feature 0"]
    assert split.test_dates[0] == 88
    assert windowed_split(frame["a"], lookback=3).feature_names == ["a"]


def test_errors_say_what_to_change(frame):
    with clear_error("target 'c' is not a column", "['a', 'b']"):
        windowed_split(frame, lookback=3, target="c")
    with clear_error("only when data is a DataFrame", "give an index"):
        windowed_split(frame.to_numpy(), lookback=3, target="a")
    with clear_error("validation part has 15 rows", "shorter lookback"):
        windowed_split(frame, lookback=15)
