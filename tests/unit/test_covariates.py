"""course_utils.covariates: calendar codes, one-hot, known-ahead windows, outlier fences, the two-input LSTM."""
import numpy as np
import pandas as pd
import pytest

from course_utils.covariates import (
    CALENDAR_FIELDS,
    OutlierBounds,
    build_known_ahead_lstm,
    calendar_features,
    clip_outliers,
    fit_outlier_bounds,
    known_ahead,
    one_hot,
    outlier_mask,
)
from course_utils.windows import chronological_split, make_windows
from errors import clear_error


# --- calendar_features and one_hot ----------------------------------------------------------


def test_calendar_codes_start_at_zero_and_follow_the_calendar():
    dates = pd.to_datetime(["1990-01-01", "1990-12-31", "1984-12-31", "1990-06-17"])  # Monday .. Sunday
    codes = calendar_features(dates, fields=("month", "day_of_week", "day_of_year"))
    assert codes["month"].tolist() == [0, 11, 11, 5]
    assert codes["day_of_week"].tolist() == [0, 0, 0, 6]
    assert codes["day_of_year"].tolist() == [0, 364, 365, 167]  # 1984 is a leap year
    assert codes.dtypes.unique().tolist() == [np.dtype("int64")]
    for field, n in CALENDAR_FIELDS.items():
        assert codes[field].between(0, n - 1).all()


def test_a_single_field_name_is_accepted():
    assert list(calendar_features(pd.date_range("2000-01-01", periods=3), "day_of_week").columns) == ["day_of_week"]


@pytest.mark.parametrize("index, fields, phrases", [
    (pd.date_range("2000-01-01", periods=2), ("season",), ("season", "choose from", "month")),
    ([], ("month",), ("no dates", "at least one date")),
    (["not a date"], ("month",), ("needs dates", "DatetimeIndex")),
    ([pd.NaT, "2000-01-01"], ("month",), ("missing dates", "drop or fill")),
])
def test_calendar_features_refuses_bad_input(index, fields, phrases):
    with clear_error(*phrases):
        calendar_features(index, fields)


def test_one_hot_puts_a_single_one_at_each_code():
    codes = np.array([[0, 11], [5, 5]])
    vectors = one_hot(codes, 12)
    assert vectors.shape == (2, 2, 12) and vectors.dtype == np.float32
    assert (vectors.sum(axis=-1) == 1).all()
    assert (vectors.argmax(axis=-1) == codes).all()
    assert one_hot([1.0, 0.0], 2).tolist() == [[0, 1], [1, 0]]  # whole floats are codes too


@pytest.mark.parametrize("codes, n, phrases", [
    ([0, 12], 12, ("between 0 and", "11", "got 12", "other")),
    ([-1], 12, ("between 0 and", "got -1")),
    ([0.5], 12, ("whole numbers", "calendar_features")),
    ([np.nan], 12, ("whole numbers",)),
    (["May"], 12, ("numbers only",)),
    ([0], 1, ("n_categories", ">= 2")),
])
def test_one_hot_refuses_codes_it_was_not_built_for(codes, n, phrases):
    with clear_error(*phrases):
        one_hot(codes, n)


# --- known_ahead ------------------------------------------------------------------------------


def test_known_ahead_gives_the_values_of_the_target_steps():
    series = np.arange(20.0)
    _, y = make_windows(series, lookback=5, horizon=3)
    assert np.array_equal(known_ahead(series, 5, 3), y)  # the series' own future is the target
    days = pd.date_range("1990-01-25", periods=20)
    months = calendar_features(days)["month"].to_numpy()
    ahead = known_ahead(months, 5, 3)
    assert ahead.dtype == np.int64 and ahead.shape == (20 - 5 - 3 + 1, 3)
    # window i reads days i .. i + 4 and forecasts days i + 5 .. i + 7 of the index
    assert ahead[0].tolist() == [0, 0, 1]  # 1990-01-30, 01-31, 02-01
    assert ahead[1].tolist() == [0, 1, 1]  # 1990-01-31, 02-01, 02-02
    assert ahead[-1].tolist() == [1, 1, 1]  # 1990-02-11 .. 02-13


def test_known_ahead_keeps_several_covariates_apart():
    table = np.column_stack([np.arange(10), 100 + np.arange(10)])
    ahead = known_ahead(table, lookback=4, horizon=2)
    assert ahead.shape == (5, 2, 2)
    assert ahead[0].tolist() == [[4, 104], [5, 105]]
    assert known_ahead(table.astype(float), 4, 2).dtype == np.float32


@pytest.mark.parametrize("values, lookback, horizon, phrases", [
    (np.arange(5), 4, 2, ("too short", "one window needs 6")),
    (np.zeros((3, 2, 2)), 1, 1, ("(T,) or (T, k)",)),
    (np.arange(5), 0, 1, ("lookback", ">= 1")),
])
def test_known_ahead_refuses_bad_input(values, lookback, horizon, phrases):
    with clear_error(*phrases):
        known_ahead(values, lookback, horizon)


# --- outlier fences ---------------------------------------------------------------------------


def test_fences_are_tukeys_from_the_quartiles():
    train = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 100])
    q1, q3 = np.percentile(train, [25, 75])
    bounds = fit_outlier_bounds(train)
    assert bounds.lower.tolist() == [q1 - 1.5 * (q3 - q1)] and bounds.upper.tolist() == [q3 + 1.5 * (q3 - q1)]
    assert outlier_mask(train, bounds)[:, 0].tolist() == [False] * 8 + [True]
    assert fit_outlier_bounds(train, k=3).upper[0] == q3 + 3 * (q3 - q1)


def test_bounds_fitted_on_training_rows_ignore_the_test_period():
    rng = np.random.default_rng(0)
    series = rng.normal(20, 5, size=(1000, 2))
    series[700:, 1] += 40  # the last 30 % of the rows far hotter than anything in training
    train, _, test = chronological_split(series, train=0.6, val=0.2)
    bounds = fit_outlier_bounds(train)
    whole = fit_outlier_bounds(series)
    np.testing.assert_allclose(bounds.upper, np.percentile(train, 75, axis=0) + 1.5 * np.subtract(
        *np.percentile(train, [75, 25], axis=0)))
    assert whole.upper[1] > bounds.upper[1] + 1  # fences fitted on everything move with the test period
    flagged = outlier_mask(test, bounds)
    assert flagged[:, 1].all()  # the hot test days are flagged by the training fences ...
    assert not outlier_mask(test, whole)[:, 1].any()  # ... and by none of the fences that saw them


def test_clipping_keeps_shape_and_pandas_labels_and_moves_only_outliers():
    bounds = fit_outlier_bounds(np.arange(1.0, 9.0))  # quartiles 2.75 and 6.25: fences -2.5 and 11.5
    clipped = clip_outliers(np.array([-10.0, 5.0, 30.0]), bounds)
    assert clipped.tolist() == [-2.5, 5.0, 11.5]
    frame = pd.DataFrame({"a": [0.0, 1, 2, 3, 50], "b": [5.0, 6, 7, 8, -40]},
                         index=pd.date_range("2000-01-01", periods=5))
    two = fit_outlier_bounds(frame.iloc[:4])
    out = clip_outliers(frame, two)
    assert isinstance(out, pd.DataFrame) and out.index.equals(frame.index) and list(out.columns) == ["a", "b"]
    assert out.iloc[:4].equals(frame.iloc[:4])
    assert out.iloc[4].tolist() == [two.upper[0], two.lower[1]]
    series = clip_outliers(frame["a"], fit_outlier_bounds(frame["a"].iloc[:4]))
    assert isinstance(series, pd.Series) and series.name == "a" and series.iloc[-1] < 50
    assert clip_outliers(frame.to_numpy(), two).shape == (5, 2)


@pytest.mark.parametrize("train, k, phrases", [
    ([1.0, 2, 3], 1.5, ("at least 4", "training part")),
    ([1.0, 2, np.nan, 4, 5], 1.5, ("NaN or infinite", "drop or fill")),
    ([1.0, 2, 3, 4], 0, ("k must be a positive number", "1.5")),
    (np.column_stack([np.arange(8.0), [0, 0, 0, 0, 0, 0, 1, 0]]), 1.5,
     ("feature(s) [1]", "interquartile range of 0", "leave those features out")),
    (np.zeros((0, 2)), 1.5, ("at least one row",)),
])
def test_fit_outlier_bounds_refuses_bad_input(train, k, phrases):
    with clear_error(*phrases):
        fit_outlier_bounds(train, k)


def test_bounds_must_match_the_columns():
    bounds = fit_outlier_bounds(np.arange(16.0).reshape(8, 2))
    with clear_error("fitted on 2 feature(s)", "same columns"):
        clip_outliers(np.zeros((3, 3)), bounds)
    with clear_error("fit_outlier_bounds(train)"):
        outlier_mask(np.zeros((3, 2)), (0, 1))
    assert isinstance(bounds, OutlierBounds) and bounds.n_features == 2


# --- the two-input LSTM ------------------------------------------------------------------------


def test_known_ahead_lstm_reads_a_window_and_the_target_days():
    model = build_known_ahead_lstm(10, 2, 7, units=4, n_known=12, n_categories=12, embedding_dim=3)
    assert [tensor.name for tensor in model.inputs] == ["window", "known", "calendar"]
    assert model.output_shape == (None, 7)
    assert model.get_layer("calendar_embedding").get_weights()[0].shape == (12, 3)
    out = model.predict({"window": np.zeros((5, 10, 2)), "known": one_hot(np.zeros((5, 7), int), 12),
                         "calendar": np.zeros((5, 7), int)}, verbose=0)
    assert out.shape == (5, 7)
    # the embedding alone, as the notebook builds it
    embedding_only = build_known_ahead_lstm(10, 2, 7, units=4, n_categories=12)
    assert [tensor.name for tensor in embedding_only.inputs] == ["window", "calendar"]


def test_known_ahead_lstm_needs_a_known_input():
    with clear_error("n_known > 0 or n_categories > 0", "build_lstm"):
        build_known_ahead_lstm(10, 2, 7)
    with clear_error("units", ">= 1"):
        build_known_ahead_lstm(10, 2, 7, units=0, n_known=1)
