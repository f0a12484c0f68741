"""Unit tests of course_utils.datasets: bundled data, checksums, synthetic series, CSV loader."""
import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from course_utils import datasets
from course_utils.datasets import (
    DATA_DIR,
    DATASETS,
    check_bundled_data,
    load_aapl,
    load_japanese_vowels,
    load_melbourne_temperatures,
    load_series_csv,
    load_shakespeare,
    load_ts,
    synthetic_noise_std,
    synthetic_series,
)
from errors import clear_error

AAPL_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]


# --- bundled files and checksums ---------------------------------------------------------


def test_every_bundled_file_is_present_and_unaltered():
    report = check_bundled_data()
    assert list(report.columns) == ["file", "bytes", "ok"]
    assert report["file"].tolist() == list(DATASETS)
    assert report["ok"].all()
    assert dict(zip(report["file"], report["bytes"])) == {
        name: (DATA_DIR / name).stat().st_size for name in DATASETS
    }


def test_bundled_returns_the_path_of_an_intact_file():
    assert datasets._bundled("AAPL.csv") == DATA_DIR / "AAPL.csv"


def test_bundled_accepts_a_data_dir_with_an_intact_copy(tmp_path):
    name = "daily_min_temperatures_melbourne.csv"
    shutil.copy(DATA_DIR / name, tmp_path / name)
    assert datasets._bundled(name, data_dir=tmp_path) == tmp_path / name


@pytest.fixture
def damaged_dir(tmp_path):
    """A data folder with one intact file, one altered file and the rest missing."""
    intact = "daily_min_temperatures_melbourne.csv"
    damaged = "daily_max_temperatures_melbourne.csv"
    shutil.copy(DATA_DIR / intact, tmp_path / intact)
    data = (DATA_DIR / damaged).read_bytes()
    (tmp_path / damaged).write_bytes(data.replace(b"38.1", b"39.1", 1))
    return tmp_path


def test_bundled_rejects_an_altered_file(damaged_dir):
    name = "daily_max_temperatures_melbourne.csv"
    with clear_error(f"expected {DATASETS[name]}", "git checkout course_utils/data"):
        datasets._bundled(name, data_dir=damaged_dir)


def test_bundled_rejects_a_missing_file(damaged_dir):
    with clear_error("AAPL.csv is missing", "git checkout course_utils/data"):
        datasets._bundled("AAPL.csv", data_dir=damaged_dir)


def test_check_bundled_data_reports_damage(damaged_dir):
    report = check_bundled_data(data_dir=damaged_dir).set_index("file")
    assert report.loc["daily_min_temperatures_melbourne.csv", "ok"]
    assert not report.loc["daily_max_temperatures_melbourne.csv", "ok"]
    assert report.loc["daily_max_temperatures_melbourne.csv", "bytes"] > 0
    for missing in ["AAPL.csv", "tinyshakespeare.txt", "JapaneseVowels_TRAIN.ts"]:
        assert not report.loc[missing, "ok"]
        assert report.loc[missing, "bytes"] == 0


def test_loader_refuses_damaged_text(monkeypatch, tmp_path):
    """A public loader checks the file: a damaged Shakespeare copy fails loudly."""
    (tmp_path / "tinyshakespeare.txt").write_text("First Citizen:\nnot the real text\n")
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with clear_error("changed or damaged", "git checkout course_utils/data"):
        load_shakespeare()


# --- frame checks behind the loaders (fake bundled files with matching checksums) -------


@pytest.fixture
def fake_bundle(monkeypatch, tmp_path):
    """Install fake bundled files: write(name, text) stores one and registers its md5."""
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    datasets._read_aapl.cache_clear()
    datasets._read_melbourne.cache_clear()
    datasets._read_vowels.cache_clear()

    def write(name, text):
        (tmp_path / name).write_text(text)
        monkeypatch.setitem(DATASETS, name, hashlib.md5(text.encode()).hexdigest())

    yield write
    datasets._read_aapl.cache_clear()
    datasets._read_melbourne.cache_clear()
    datasets._read_vowels.cache_clear()


AAPL_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"


def test_fake_bundle_loads_when_valid(fake_bundle):
    fake_bundle("AAPL.csv", AAPL_HEADER + "2020-01-01,1,2,0.5,1.5,1.4,100\n"
                "2020-01-02,1,2,0.5,1.6,1.5,100\n")
    frame = load_aapl()
    assert frame["Close"].tolist() == [1.5, 1.6]


@pytest.mark.parametrize(
    "text, phrases",
    [
        ("Date,Open,High,Low,Close,Adj Close\n2020-01-01,1,2,0.5,1.5,1.4\n",
         ("['Volume'] are missing",)),
        (AAPL_HEADER + "2020-01-02,1,2,0.5,1.5,1.4,100\n2020-01-01,1,2,0.5,1.5,1.4,100\n",
         ("not sorted oldest first",)),
        (AAPL_HEADER + "2020-01-01,1,2,0.5,1.5,1.4,100\n2020-01-01,1,2,0.5,1.5,1.4,100\n",
         ("dates occur twice",)),
        (AAPL_HEADER + "2020-01-01,1,2,0.5,,1.4,100\n2020-01-02,1,2,0.5,1.5,1.4,100\n",
         ("values are missing (NaN)",)),
    ],
    ids=["missing-column", "unsorted", "duplicate", "nan"],
)
def test_aapl_loader_rejects_bad_frames(fake_bundle, text, phrases):
    fake_bundle("AAPL.csv", text)
    with clear_error("AAPL.csv", *phrases):
        load_aapl()


def test_melbourne_loader_rejects_files_with_different_dates(fake_bundle):
    fake_bundle("daily_min_temperatures_melbourne.csv",
                '"Date","Temp"\n"1981-01-01",20.7\n"1981-01-02",17.9\n')
    fake_bundle("daily_max_temperatures_melbourne.csv",
                '"Date","Temperature"\n"1981-01-01",38.1\n"1981-01-03",32.4\n')
    with clear_error("do not cover the same dates"):
        load_melbourne_temperatures()


# --- load_aapl ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aapl():
    return load_aapl()


def test_aapl_shape_and_columns(aapl):
    assert aapl.shape == (10_538, 6)
    assert list(aapl.columns) == AAPL_COLUMNS


def test_aapl_index(aapl):
    assert isinstance(aapl.index, pd.DatetimeIndex)
    assert aapl.index.name == "Date"
    assert aapl.index.is_monotonic_increasing
    assert aapl.index.is_unique
    assert aapl.index[0] == pd.Timestamp("1980-12-12")
    assert aapl.index[-1] == pd.Timestamp("2022-09-28")


def test_aapl_values(aapl):
    assert not aapl.isna().any().any()
    assert aapl["Close"].iloc[0] == pytest.approx(0.128348)
    assert aapl["Close"].iloc[-1] == pytest.approx(149.839996)
    assert (aapl["Low"] <= aapl[["Open", "Close"]].min(axis=1)).all()
    assert (aapl["High"] >= aapl[["Open", "Close"]].max(axis=1)).all()


def test_aapl_returns_a_fresh_copy():
    first = load_aapl()
    first.iloc[0, 0] = -1.0
    first["extra"] = 0
    second = load_aapl()
    assert second.iloc[0, 0] == pytest.approx(0.128348)
    assert "extra" not in second.columns


# --- load_melbourne_temperatures ---------------------------------------------------------


IMPUTED_DAYS = [pd.Timestamp("1984-12-31"), pd.Timestamp("1988-12-31")]


@pytest.fixture(scope="module")
def melbourne():
    return load_melbourne_temperatures()


def test_melbourne_shape_and_columns(melbourne):
    assert melbourne.shape == (3_652, 3)
    assert list(melbourne.columns) == ["min_temp", "max_temp", "imputed"]
    assert melbourne["imputed"].dtype == bool


def test_melbourne_index_is_an_unbroken_daily_calendar(melbourne):
    index = melbourne.index
    assert isinstance(index, pd.DatetimeIndex)
    assert index.name == "Date"
    assert index[0] == pd.Timestamp("1981-01-01")
    assert index[-1] == pd.Timestamp("1990-12-31")
    assert (index[1:] - index[:-1] == pd.Timedelta(days=1)).all()


def test_melbourne_imputes_exactly_the_two_missing_days(melbourne):
    assert melbourne.index[melbourne["imputed"]].tolist() == IMPUTED_DAYS
    assert not melbourne[["min_temp", "max_temp"]].isna().any().any()


def test_melbourne_imputed_value_is_mean_of_neighbours(melbourne):
    for day in IMPUTED_DAYS:
        before = melbourne.loc[day - pd.Timedelta(days=1)]
        after = melbourne.loc[day + pd.Timedelta(days=1)]
        for column in ["min_temp", "max_temp"]:
            expected = (before[column] + after[column]) / 2
            assert melbourne.loc[day, column] == pytest.approx(expected)
    # the known neighbours of 1984-12-31 in the source files
    assert melbourne.loc["1984-12-30", "min_temp"] == pytest.approx(16.4)
    assert melbourne.loc["1984-12-30", "max_temp"] == pytest.approx(25.6)


def test_melbourne_fill_none_leaves_nan_on_the_two_days():
    frame = load_melbourne_temperatures(fill=None)
    assert frame.shape == (3_652, 3)
    gaps = frame[["min_temp", "max_temp"]].isna()
    assert frame.index[gaps.any(axis=1)].tolist() == IMPUTED_DAYS
    assert gaps.loc[IMPUTED_DAYS].all().all()
    assert frame.index[frame["imputed"]].tolist() == IMPUTED_DAYS


def test_melbourne_loaders_do_not_share_state():
    filled = load_melbourne_temperatures()
    filled.loc["1981-01-01", "min_temp"] = -99.0
    assert load_melbourne_temperatures(fill=None).loc["1981-01-01", "min_temp"] == 20.7
    assert load_melbourne_temperatures().loc["1981-01-01", "min_temp"] == 20.7


def test_melbourne_ffill_repeats_the_day_before():
    frame = load_melbourne_temperatures(fill="ffill")
    for day in ["1984-12-31", "1988-12-31"]:
        before = pd.Timestamp(day) - pd.Timedelta(days=1)
        assert frame.loc[day, "imputed"]
        assert frame.loc[day, ["min_temp", "max_temp"]].tolist() == frame.loc[before, ["min_temp", "max_temp"]].tolist()
    assert not frame[["min_temp", "max_temp"]].isna().any().any()


@pytest.mark.parametrize("fill", ["linear", "bfill", "", 0, False])
def test_melbourne_rejects_unknown_fill(fill):
    with clear_error("fill", "'interpolate', 'ffill' or None"):
        load_melbourne_temperatures(fill=fill)


# --- load_shakespeare --------------------------------------------------------------------


def test_shakespeare_text():
    text = load_shakespeare()
    assert isinstance(text, str)
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    assert text.isascii()
    assert text.count("\n") == 40_000


# --- synthetic series --------------------------------------------------------------------


def test_synthetic_noise_std_formula():
    assert synthetic_noise_std() == pytest.approx(0.1 / np.sqrt(12))
    assert synthetic_noise_std(0.0) == 0.0
    assert synthetic_noise_std(1) == pytest.approx(0.28867513)


@pytest.mark.parametrize("amplitude", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_synthetic_noise_std_rejects_bad_amplitude(amplitude):
    with clear_error("noise_amplitude", "finite number >= 0"):
        synthetic_noise_std(amplitude)


@pytest.mark.parametrize("n_series, n_steps", [(1, 2), (3, 50), (7, 11)])
def test_synthetic_series_shape_and_dtype(n_series, n_steps):
    series = synthetic_series(n_series, n_steps)
    assert series.shape == (n_series, n_steps, 1)
    assert series.dtype == np.float32
    assert np.isfinite(series).all()


def test_synthetic_series_is_bounded():
    # |0.5 sin| + |0.2 sin| + |0.1 sin| + noise/2 <= 0.85
    assert np.abs(synthetic_series(50, 100)).max() <= 0.85 + 1e-6


def test_synthetic_series_same_seed_same_data():
    np.testing.assert_array_equal(synthetic_series(4, 30, seed=1), synthetic_series(4, 30, seed=1))


def test_synthetic_series_different_seed_different_data():
    assert not np.allclose(synthetic_series(4, 30, seed=1), synthetic_series(4, 30, seed=2))


def test_synthetic_series_series_differ_from_each_other():
    series = synthetic_series(2, 30)
    assert not np.allclose(series[0], series[1])


def test_synthetic_series_without_noise_matches_the_formula():
    seed, n_series, n_steps = 3, 4, 25
    rng = np.random.default_rng(seed)
    f1, f2, a, b, p = rng.random((5, n_series, 1))
    t = np.linspace(0, 1, n_steps)
    expected = (0.5 * np.sin((t - a) * (10 + 10 * f1)) + 0.2 * np.sin((t - b) * (20 + 20 * f2))
                + 0.1 * np.sin(2 * np.pi * p * t))
    got = synthetic_series(n_series, n_steps, seed=seed, noise_amplitude=0.0)[..., 0]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_synthetic_series_noise_has_the_documented_std():
    clean = synthetic_series(200, 500, seed=0, noise_amplitude=0.0).astype(np.float64)
    noisy = synthetic_series(200, 500, seed=0, noise_amplitude=0.1).astype(np.float64)
    noise = noisy - clean
    assert noise.std() == pytest.approx(synthetic_noise_std(0.1), rel=0.03)
    assert abs(noise.mean()) < 0.002
    assert np.abs(noise).max() <= 0.05 + 1e-6


@pytest.mark.parametrize(
    "kwargs, phrases",
    [
        ({"n_series": 0, "n_steps": 10}, ("n_series", ">= 1")),
        ({"n_series": 2.0, "n_steps": 10}, ("n_series", "integer")),
        ({"n_series": True, "n_steps": 10}, ("n_series", "integer")),
        ({"n_series": 2, "n_steps": 1}, ("n_steps", ">= 2")),
        ({"n_series": 2, "n_steps": "10"}, ("n_steps", "integer")),
        ({"n_series": 2, "n_steps": 10, "noise_amplitude": -1}, ("noise_amplitude", ">= 0")),
        ({"n_series": 2, "n_steps": 10, "noise_amplitude": float("nan")}, ("noise_amplitude", "finite")),
    ],
)
def test_synthetic_series_rejects_bad_arguments(kwargs, phrases):
    with clear_error(*phrases):
        synthetic_series(**kwargs)


def test_synthetic_series_accepts_numpy_integers():
    assert synthetic_series(np.int64(2), np.int32(5)).shape == (2, 5, 1)


# --- load_series_csv ---------------------------------------------------------------------


@pytest.fixture
def csv(tmp_path):
    """Write text to a CSV file in tmp_path and return its path."""

    def write(text, name="series.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


GOOD = "date,sales,region\n2021-01-01,10,a\n2021-01-02,12.5,b\n2021-01-04,-3,a\n"


def test_load_series_csv_without_dates(csv):
    series = load_series_csv(csv(GOOD), "sales")
    assert series.tolist() == [10.0, 12.5, -3.0]
    assert series.name == "sales"
    assert series.dtype == np.float64
    assert isinstance(series.index, pd.RangeIndex)
    assert series.index.tolist() == [0, 1, 2]


def test_load_series_csv_with_dates(csv):
    series = load_series_csv(str(csv(GOOD)), "sales", date_column="date")
    assert series.tolist() == [10.0, 12.5, -3.0]
    assert series.name == "sales"
    assert series.dtype == np.float64
    assert isinstance(series.index, pd.DatetimeIndex)
    assert series.index.name == "date"
    assert series.index.tolist() == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-02"),
                                     pd.Timestamp("2021-01-04")]


def test_load_series_csv_missing_file(tmp_path):
    with clear_error("nothere.csv", "check the path"):
        load_series_csv(tmp_path / "nothere.csv", "sales")


@pytest.mark.parametrize("column, date_column, missing", [
    ("price", None, "'price'"),
    ("sales", "day", "'day'"),
])
def test_load_series_csv_missing_column(csv, column, date_column, missing):
    with clear_error(f"no column {missing}", "['date', 'sales', 'region']"):
        load_series_csv(csv(GOOD), column, date_column)


def test_load_series_csv_header_only(csv):
    with clear_error("header but no rows"):
        load_series_csv(csv("date,sales\n"), "sales", "date")


def test_load_series_csv_non_numeric_value(csv):
    path = csv("date,sales\n2021-01-01,1\n2021-01-02,1\n2021-01-03,oops\n2021-01-04,4\n")
    with clear_error("non-numeric", "lines [4]"):
        load_series_csv(path, "sales")


def test_load_series_csv_missing_values(csv):
    path = csv("date,sales\n2021-01-01,\n2021-01-02,2\n2021-01-03,\n")
    with clear_error("lines [2, 4]", "clean them"):
        load_series_csv(path, "sales", "date")


def test_load_series_csv_unparseable_date(csv):
    path = csv("date,sales\n2021-01-01,1\n2021-01-02,2\nyesterday,3\n")
    with clear_error("not dates", "lines [4]"):
        load_series_csv(path, "sales", "date")


def test_load_series_csv_duplicate_dates(csv):
    path = csv("date,sales\n2021-01-01,1\n2021-01-02,2\n2021-01-02,3\n2021-01-03,4\n")
    with clear_error("duplicate dates ['2021-01-02']", "keep one row per date"):
        load_series_csv(path, "sales", "date")


def test_load_series_csv_unsorted_dates(csv):
    path = csv("date,sales\n2021-01-02,1\n2021-01-01,2\n2021-01-03,3\n")
    with clear_error("not sorted oldest first", "sort the file by 'date'"):
        load_series_csv(path, "sales", "date")


def test_load_series_csv_unsorted_dates_are_fine_without_date_column(csv):
    path = csv("date,sales\n2021-01-02,1\n2021-01-01,2\n")
    assert load_series_csv(path, "sales").tolist() == [1.0, 2.0]


# --- load_ts and load_japanese_vowels ------------------------------------------------------


TS_HEADER = "#a comment\n@problemName Toy\n@dimensions 2\n@equalLength false\n@classLabel true 1 2\n@data\n"
TS_GOOD = TS_HEADER + "1,2,3:4,5,6:1\n# a comment among the cases\n\n7,8:9,1e-1:2\n"


@pytest.fixture
def ts(tmp_path):
    """Write text to a .ts file in tmp_path and return its path."""

    def write(text, name="toy.ts"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def test_load_ts_reads_cases_of_different_lengths(ts):
    sequences, labels = load_ts(ts(TS_GOOD))
    assert [s.shape for s in sequences] == [(3, 2), (2, 2)]
    np.testing.assert_array_equal(sequences[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_allclose(sequences[1], [[7, 9], [8, 0.1]])
    assert sequences[0].dtype == np.float64
    assert labels.tolist() == ["1", "2"]


def test_load_ts_infers_the_dimensions_without_a_header_line(ts):
    sequences, _ = load_ts(ts(TS_GOOD.replace("@dimensions 2\n", "")))
    assert [s.shape for s in sequences] == [(3, 2), (2, 2)]


@pytest.mark.parametrize(
    "text, phrases",
    [
        (TS_GOOD.replace("@data\n", ""), ("line 6", "no '@data' line", "add the missing")),
        ("@classLabel true 1 2\n1,2:1\n@data\n", ("line 2", "no '@data' line comes before it")),
        (TS_HEADER + "1,2,3:4,5,6:7,8,9:1\n", ("line 7", "3 dimension(s)", "'@dimensions 2'")),
        (TS_HEADER + "1,2,3:4,5,6:1\n1,2,3:4,5:2\n", ("line 8", "unequal lengths [2, 3]")),
        (TS_HEADER + "1,2,3:4,oops,6:1\n", ("line 7", "dimension 2", "'oops' is not a number")),
        (TS_HEADER + "1,?,3:4,5,6:1\n", ("'?' is not a number", "missing values")),
        (TS_HEADER + "1,,3:4,5,6:1\n", ("'' is not a number",)),
        (TS_HEADER + "1,nan,3:4,5,6:1\n", ("line 7", "nan or infinite")),
        (TS_HEADER + "1,2,3:4,5,6:3\n", ("line 7", "label '3'", "['1', '2']")),
        (TS_HEADER.replace("true 1 2", "false"), ("declares no class labels", "@classLabel true")),
        (TS_HEADER, ("no cases after its '@data' line",)),
        (TS_HEADER.replace("@dimensions 2", "@dimensions two"), ("'@dimensions two'", "whole number")),
        ("@timeStamps true\n" + TS_GOOD, ("time stamps", "without time stamps")),
    ],
    ids=["no-data", "data-before-header", "dimensions", "unequal", "text", "missing", "empty-value",
         "nan", "unknown-label", "no-labels", "no-cases", "bad-dimensions", "timestamps"],
)
def test_load_ts_rejects_malformed_files(ts, text, phrases):
    with clear_error("toy.ts", *phrases):
        load_ts(ts(text))


def test_load_ts_missing_file(tmp_path):
    with clear_error("nothere.ts", "check the path"):
        load_ts(tmp_path / "nothere.ts")


@pytest.mark.parametrize("split, n, counts, shortest, longest", [
    ("train", 270, [30] * 9, 7, 26),
    ("test", 370, [31, 35, 88, 44, 29, 24, 40, 50, 29], 7, 29),
])
def test_japanese_vowels(split, n, counts, shortest, longest):
    sequences, speakers = load_japanese_vowels(split)
    assert len(sequences) == len(speakers) == n
    assert speakers.dtype == np.int64 and speakers.min() == 1 and speakers.max() == 9
    assert np.bincount(speakers, minlength=10)[1:].tolist() == counts
    lengths = [len(s) for s in sequences]
    assert (min(lengths), max(lengths)) == (shortest, longest)
    assert all(s.shape[1] == 12 and s.dtype == np.float64 and np.isfinite(s).all() for s in sequences)


def test_japanese_vowels_first_case_matches_the_file():
    sequences, speakers = load_japanese_vowels()
    assert sequences[0].shape == (20, 12) and speakers[0] == 1
    assert sequences[0][0, 0] == pytest.approx(1.860936)
    assert sequences[0][1, 0] == pytest.approx(1.891651)
    assert sequences[0][0, 1] == pytest.approx(-0.207383)


def test_japanese_vowels_returns_fresh_copies():
    sequences, speakers = load_japanese_vowels("test")
    sequences[0][0, 0] = -99.0
    speakers[0] = 0
    again, speakers_again = load_japanese_vowels("test")
    assert again[0][0, 0] != -99.0 and speakers_again[0] != 0


@pytest.mark.parametrize("split", ["TRAIN", "validation", None, 1])
def test_japanese_vowels_rejects_unknown_split(split):
    with clear_error("split", "'train' or 'test'"):
        load_japanese_vowels(split)


@pytest.mark.parametrize("text, phrases", [
    ("@dimensions 1\n@classLabel true 1 2\n@data\n1,2:1\n", ("1 dimensions", "expected 12")),
    ("@dimensions 12\n@classLabel true 1 x\n@data\n" + ":".join(["1,2"] * 12) + ":x\n",
     ("labels ['x']", "speakers 1 to 9")),
], ids=["coefficients", "speakers"])
def test_japanese_vowels_loader_checks_the_bundled_file(fake_bundle, text, phrases):
    fake_bundle("JapaneseVowels_TRAIN.ts", text)
    with clear_error("JapaneseVowels_TRAIN.ts", *phrases, "git checkout course_utils/data"):
        load_japanese_vowels("train")


def test_japanese_vowels_refuses_a_damaged_file(monkeypatch, tmp_path):
    (tmp_path / "JapaneseVowels_TEST.ts").write_text(TS_GOOD)
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    datasets._read_vowels.cache_clear()
    try:
        with clear_error("changed or damaged", "git checkout course_utils/data"):
            load_japanese_vowels("test")
    finally:
        datasets._read_vowels.cache_clear()
