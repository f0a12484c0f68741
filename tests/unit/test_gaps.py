"""course_utils.gaps: missing dates, gap tables and windows that would span a gap."""
import numpy as np
import pandas as pd
import pytest

from course_utils.datasets import load_melbourne_temperatures
from course_utils.gaps import find_gaps, missing_dates, windows_spanning_gaps
from course_utils.windows import make_windows
from errors import clear_error

DAYS = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-04", "2020-01-05", "2020-01-08"])


def test_missing_dates_lists_every_absent_day():
    assert [str(d.date()) for d in missing_dates(DAYS)] == ["2020-01-03", "2020-01-06", "2020-01-07"]


def test_a_complete_calendar_has_no_gaps():
    days = pd.date_range("2021-03-01", periods=10, freq="D")
    assert len(missing_dates(days)) == 0
    assert find_gaps(days).empty
    assert not windows_spanning_gaps(days, lookback=3).any()


def test_find_gaps_gives_one_row_per_gap_with_its_size():
    gaps = find_gaps(DAYS)
    assert list(gaps.columns) == ["last_before", "first_after", "missing"]
    assert gaps["missing"].tolist() == [1, 2]
    assert gaps["last_before"].dt.strftime("%m-%d").tolist() == ["01-02", "01-05"]
    assert gaps["first_after"].dt.strftime("%m-%d").tolist() == ["01-04", "01-08"]


def test_hourly_frequency():
    hours = pd.to_datetime(["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 04:00"])
    assert find_gaps(hours, freq="h")["missing"].tolist() == [2]
    assert len(missing_dates(hours, freq="h")) == 2


def test_windows_spanning_gaps_matches_make_windows_rows():
    # rows 0..4; the steps 1->2 and 3->4 are gaps. lookback 2 + horizon 1: windows use rows
    # (0,1,2), (1,2,3), (2,3,4): every one crosses a gap
    assert windows_spanning_gaps(DAYS, lookback=2).tolist() == [True, True, True]
    # lookback 1: windows (0,1) ok, (1,2) gap, (2,3) ok, (3,4) gap
    mask = windows_spanning_gaps(DAYS, lookback=1)
    assert mask.tolist() == [False, True, False, True]
    X, _ = make_windows(np.arange(len(DAYS)), lookback=1)
    assert len(mask) == len(X)


def test_melbourne_file_rows_have_the_two_new_year_gaps():
    rows = load_melbourne_temperatures(fill=None).dropna().index
    assert [str(d.date()) for d in missing_dates(rows)] == ["1984-12-31", "1988-12-31"]
    mask = windows_spanning_gaps(rows, lookback=14)
    assert mask.sum() == 2 * 14  # lookback + horizon - 1 windows per one-day gap
    full = load_melbourne_temperatures().index
    assert not windows_spanning_gaps(full, lookback=14).any()


@pytest.mark.parametrize(
    "index, phrases",
    [
        (["not a date", "2020-01-01"], ("must hold dates", "DatetimeIndex")),
        (["2020-01-01"], ("1 date(s)", "at least two")),
        ([pd.NaT, "2020-01-01", "2020-01-02"], ("NaT", "drop those rows")),
        (["2020-01-01", "2020-01-01"], ("duplicate", "keep one row per date")),
        (["2020-01-02", "2020-01-01"], ("not sorted", "sort_index()")),
    ],
)
def test_bad_indexes_raise(index, phrases):
    for function in (missing_dates, find_gaps):
        with clear_error(*phrases):
            function(index)
    with clear_error(*phrases):
        windows_spanning_gaps(index, lookback=1)


@pytest.mark.parametrize("freq, phrases", [("not a freq", ("fixed frequency", "'D'")),
                                           ("ME", ("fixed frequency", "'D'")), ("-1D", ("positive", "'-1D'"))])
def test_bad_frequencies_raise(freq, phrases):
    with clear_error(*phrases):
        missing_dates(DAYS, freq=freq)


def test_an_index_finer_than_freq_raises():
    hours = pd.to_datetime(["2020-01-01 00:00", "2020-01-01 12:00", "2020-01-02 00:00"])
    with clear_error("finer than freq", "resample"):
        find_gaps(hours, freq="D")


@pytest.mark.parametrize("lookback, horizon", [(0, 1), (2, 0), (1.5, 1), (True, 1)])
def test_bad_window_sizes_raise(lookback, horizon):
    with clear_error("integer >= 1"):
        windows_spanning_gaps(DAYS, lookback=lookback, horizon=horizon)


def test_an_index_too_short_for_one_window_raises():
    with clear_error("too few", "lookback=5", "give at least 6 dates"):
        windows_spanning_gaps(DAYS, lookback=5)
