"""Unit tests of course_utils.windows: windowing, chronological split and leak-free scaling."""
import numpy as np
import pandas as pd
import pytest

from course_utils.windows import FittedScaler, chronological_split, fit_scaler, make_windows
from errors import clear_error

# --- make_windows --------------------------------------------------------------------------


def test_make_windows_docstring_example():
    X, y = make_windows([1, 2, 3, 4, 5], lookback=3)
    assert X.shape == (2, 3, 1)
    assert y.shape == (2, 1)
    assert X[:, :, 0].tolist() == [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]
    assert y.tolist() == [[4.0], [5.0]]
    assert X.dtype == np.float32 and y.dtype == np.float32


def test_make_windows_horizon():
    X, y = make_windows(np.arange(6), lookback=2, horizon=3)
    assert X[:, :, 0].tolist() == [[0, 1], [1, 2]]
    assert y.tolist() == [[2, 3, 4], [3, 4, 5]]


@pytest.mark.parametrize("T, lookback, horizon", [(5, 3, 1), (10, 1, 1), (10, 4, 3), (20, 7, 7),
                                                  (8, 7, 1), (8, 1, 7)])
def test_make_windows_count_and_alignment(T, lookback, horizon):
    series = np.arange(T, dtype=float) * 10
    X, y = make_windows(series, lookback, horizon)
    n = T - lookback - horizon + 1
    assert X.shape == (n, lookback, 1)
    assert y.shape == (n, horizon)
    for i in range(n):
        np.testing.assert_array_equal(X[i, :, 0], series[i : i + lookback])
        np.testing.assert_array_equal(y[i], series[i + lookback : i + lookback + horizon])
    # every window kept: the last target is the last value of the series
    assert y[-1, -1] == series[-1]


def test_make_windows_multiple_features_and_target():
    series = np.column_stack([np.arange(6), 100 + np.arange(6)])  # (6, 2)
    X, y = make_windows(series, lookback=2, target=1)
    assert X.shape == (4, 2, 2)
    np.testing.assert_array_equal(X[0], [[0, 100], [1, 101]])
    assert y[:, 0].tolist() == [102, 103, 104, 105]
    _, y0 = make_windows(series, lookback=2, target=0)
    assert y0[:, 0].tolist() == [2, 3, 4, 5]
    _, y_last = make_windows(series, lookback=2, target=-1)
    np.testing.assert_array_equal(y_last, y)


def test_make_windows_accepts_pandas():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [5.0, 6, 7, 8]})
    X, y = make_windows(frame, lookback=2, target=1)
    np.testing.assert_array_equal(X[0], [[1, 5], [2, 6]])
    assert y[:, 0].tolist() == [7, 8]
    X1, y1 = make_windows(frame["a"], lookback=3)
    assert X1[:, :, 0].tolist() == [[1, 2, 3]] and y1.tolist() == [[4]]


def test_make_windows_minimal_series():
    X, y = make_windows([1.0, 2.0], lookback=1)
    assert X.tolist() == [[[1.0]]] and y.tolist() == [[2.0]]


def test_make_windows_does_not_modify_input():
    series = np.arange(5.0)
    make_windows(series, 2)
    np.testing.assert_array_equal(series, np.arange(5.0))


@pytest.mark.parametrize("T, lookback, horizon", [(3, 3, 1), (5, 3, 3), (1, 1, 1), (0, 1, 1)])
def test_make_windows_too_short(T, lookback, horizon):
    with clear_error(f"{T} steps is too short", f"one window needs {lookback + horizon} steps"):
        make_windows(np.arange(float(T)), lookback, horizon)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_make_windows_rejects_non_finite(bad):
    with clear_error("NaN or infinite", "fill or drop"):
        make_windows([1.0, 2.0, bad, 4.0], 2)


def test_make_windows_rejects_non_numbers():
    with clear_error("series", "numbers only", "'a'", "pd.to_numeric"):
        make_windows(["a", "b", "c"], 1)


def test_make_windows_rejects_3d_input():
    with clear_error("(timesteps,) or (timesteps, features)", "got shape (2, 5, 1)"):
        make_windows(np.zeros((2, 5, 1)), 2)


@pytest.mark.parametrize("name, kwargs", [
    ("lookback", {"lookback": 0}),
    ("lookback", {"lookback": -1}),
    ("lookback", {"lookback": 2.0}),
    ("lookback", {"lookback": True}),
    ("horizon", {"lookback": 2, "horizon": 0}),
    ("horizon", {"lookback": 2, "horizon": 1.5}),
])
def test_make_windows_rejects_bad_counts(name, kwargs):
    with clear_error(name, ">= 1"):
        make_windows(np.arange(10.0), **kwargs)


@pytest.mark.parametrize("target", [2, -3, 1.0, True, "0"])
def test_make_windows_rejects_bad_target(target):
    with clear_error("target", "between 0 and 1 (the series has 2 feature(s))"):
        make_windows(np.zeros((10, 2)), 2, target=target)


# --- chronological_split -------------------------------------------------------------------


def test_split_array_sizes_order_and_contiguity():
    data = np.arange(100)
    train, val, test = chronological_split(data)
    assert (len(train), len(val), len(test)) == (70, 15, 15)
    np.testing.assert_array_equal(np.concatenate([train, val, test]), data)
    assert train[-1] + 1 == val[0] and val[-1] + 1 == test[0]
    assert all(isinstance(part, np.ndarray) for part in (train, val, test))


@pytest.mark.parametrize("n, train, val, sizes", [
    (10, 0.6, 0.2, (6, 2, 2)),
    (20, 0.5, 0.25, (10, 5, 5)),
    (7, 0.7, 0.15, (5, 1, 1)),
    (3, 0.34, 0.33, (1, 1, 1)),
])
def test_split_sizes(n, train, val, sizes):
    parts = chronological_split(np.arange(n), train, val)
    assert tuple(len(p) for p in parts) == sizes
    assert np.concatenate(parts).tolist() == list(range(n))


def test_split_keeps_feature_axis():
    data = np.arange(40).reshape(20, 2)
    train, val, test = chronological_split(data, 0.5, 0.25)
    assert train.shape == (10, 2) and val.shape == (5, 2) and test.shape == (5, 2)
    np.testing.assert_array_equal(np.vstack([train, val, test]), data)


def test_split_dataframe_keeps_index_and_type():
    index = pd.date_range("2020-01-01", periods=20, freq="D", name="Date")
    frame = pd.DataFrame({"x": np.arange(20.0)}, index=index)
    train, val, test = chronological_split(frame, 0.6, 0.2)
    assert all(isinstance(part, pd.DataFrame) for part in (train, val, test))
    assert (len(train), len(val), len(test)) == (12, 4, 4)
    assert train.index.equals(index[:12])
    assert val.index.equals(index[12:16])
    assert test.index.equals(index[16:])
    assert train.index.max() < val.index.min() and val.index.max() < test.index.min()


def test_split_series_uses_positions_not_labels():
    series = pd.Series(np.arange(10.0), index=np.arange(100, 110))  # integer labels
    train, val, test = chronological_split(series, 0.6, 0.2)
    assert isinstance(train, pd.Series)
    assert train.index.tolist() == list(range(100, 106))
    assert val.tolist() == [6.0, 7.0]
    assert test.index.tolist() == [108, 109]


def test_split_list_returns_lists():
    train, val, test = chronological_split(list(range(10)), 0.6, 0.2)
    assert (train, val, test) == ([0, 1, 2, 3, 4, 5], [6, 7], [8, 9])


@pytest.mark.parametrize("kwargs, phrases", [
    ({"train": 0}, ("train", "fraction between 0 and 1")),
    ({"train": 1}, ("train", "fraction between 0 and 1")),
    ({"train": -0.5}, ("train", "fraction between 0 and 1")),
    ({"train": 70}, ("train", "fraction between 0 and 1")),
    ({"train": "0.7"}, ("train", "fraction between 0 and 1")),
    ({"train": True}, ("train", "fraction between 0 and 1")),
    ({"val": 0.0}, ("val", "fraction between 0 and 1")),
    ({"val": 1.5}, ("val", "fraction between 0 and 1")),
    ({"val": None}, ("val", "fraction between 0 and 1")),
    ({"train": 0.8, "val": 0.2}, ("train + val = 1 leaves nothing", "sum to less than 1")),
    ({"train": 0.7, "val": 0.5}, ("train + val = 1.2 leaves nothing", "sum to less than 1")),
])
def test_split_rejects_bad_fractions(kwargs, phrases):
    with clear_error(*phrases):
        chronological_split(np.arange(100), **kwargs)


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_split_rejects_too_few_rows(n):
    with clear_error(f"{n} rows are too few", "give a longer series"):
        chronological_split(np.arange(n))


# --- fit_scaler / FittedScaler -------------------------------------------------------------


@pytest.fixture
def split_series():
    """A series whose test part leaves the training range (as prices do)."""
    series = np.array([3.0, 1.0, 5.0, 2.0, 4.0, 6.0, 9.0, 10.0, 12.0, 20.0])
    return chronological_split(series, 0.5, 0.2)  # train = first 5 values


def test_minmax_uses_training_statistics_only(split_series):
    train, val, test = split_series
    scaler = fit_scaler(train)
    assert isinstance(scaler, FittedScaler)
    assert scaler.kind == "minmax"
    assert scaler.n_features == 1
    np.testing.assert_array_equal(scaler.offset, [1.0])       # train min
    np.testing.assert_array_equal(scaler.scale, [4.0])        # train max - min
    np.testing.assert_allclose(scaler.transform(train), [0.5, 0.0, 1.0, 0.25, 0.75])
    # values beyond the training range are not clipped: no test statistics leaked
    np.testing.assert_allclose(scaler.transform(test), [(10 - 1) / 4, (12 - 1) / 4, (20 - 1) / 4])
    assert scaler.transform(val).max() > 1


def test_standard_scaler_statistics():
    train = np.array([1.0, 2.0, 3.0, 4.0])
    scaler = fit_scaler(train, kind="standard")
    assert scaler.kind == "standard"
    np.testing.assert_allclose(scaler.offset, [2.5])
    np.testing.assert_allclose(scaler.scale, [np.sqrt(1.25)])
    scaled = scaler.transform(train)
    assert scaled.mean() == pytest.approx(0.0)
    assert scaled.std() == pytest.approx(1.0)


def test_scaler_per_feature():
    train = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    scaler = fit_scaler(train)
    assert scaler.n_features == 2
    np.testing.assert_array_equal(scaler.offset, [0.0, 10.0])
    np.testing.assert_array_equal(scaler.scale, [4.0, 20.0])
    np.testing.assert_allclose(scaler.transform(train), [[0, 0], [0.5, 1], [1, 0.5]])
    assert scaler.offset.dtype == np.float64 and scaler.scale.dtype == np.float64


@pytest.mark.parametrize("kind", ["minmax", "standard"])
def test_scaler_round_trip(kind):
    rng = np.random.default_rng(0)
    train = rng.normal(5, 3, size=(50, 3))
    other = rng.normal(5, 3, size=(20, 3))
    scaler = fit_scaler(train, kind=kind)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(other)), other)
    np.testing.assert_allclose(scaler.transform(scaler.inverse_transform(other)), other)


def test_scaler_one_d_in_one_d_out():
    scaler = fit_scaler([0.0, 10.0])
    out = scaler.transform([0.0, 5.0, 10.0])
    assert out.shape == (3,)
    np.testing.assert_allclose(out, [0, 0.5, 1])
    back = scaler.inverse_transform(out)
    assert back.shape == (3,)
    np.testing.assert_allclose(back, [0, 5, 10])
    assert scaler.transform(np.array([[5.0]])).shape == (1, 1)


def test_scaler_transforms_windows_of_any_leading_shape():
    train = np.array([[0.0, 0.0], [2.0, 4.0]])
    scaler = fit_scaler(train)
    windows = np.ones((3, 5, 2))
    scaled = scaler.transform(windows)
    assert scaled.shape == (3, 5, 2)
    np.testing.assert_allclose(scaled[..., 0], 0.5)
    np.testing.assert_allclose(scaled[..., 1], 0.25)


def test_scaler_transforms_a_single_row_of_features():
    scaler = fit_scaler(np.array([[0.0, 10.0], [2.0, 30.0]]))
    np.testing.assert_allclose(scaler.transform([1.0, 20.0]), [0.5, 0.5])
    np.testing.assert_allclose(scaler.inverse_transform([0.5, 0.5]), [1.0, 20.0])


def test_inverse_transform_column():
    train = np.array([[0.0, 100.0], [10.0, 300.0]])
    scaler = fit_scaler(train)
    predictions = np.array([[0.0, 0.5], [1.0, 0.25]])  # (n, horizon) of feature 1
    np.testing.assert_allclose(scaler.inverse_transform_column(predictions, column=1),
                               [[100.0, 200.0], [300.0, 150.0]])
    np.testing.assert_allclose(scaler.inverse_transform_column(predictions),
                               [[0.0, 5.0], [10.0, 2.5]])
    np.testing.assert_allclose(scaler.inverse_transform_column(predictions, column=-1),
                               scaler.inverse_transform_column(predictions, column=1))


def test_inverse_transform_column_matches_full_inverse_for_windows():
    rng = np.random.default_rng(1)
    train = rng.uniform(-5, 5, size=(30, 2))
    scaler = fit_scaler(train, kind="standard")
    X, y = make_windows(scaler.transform(train), lookback=4, horizon=2, target=1)
    _, y_raw = make_windows(train, lookback=4, horizon=2, target=1)
    np.testing.assert_allclose(scaler.inverse_transform_column(y, column=1), y_raw, rtol=1e-5)


@pytest.mark.parametrize("column", [2, -3, 0.0, True])
def test_inverse_transform_column_rejects_bad_column(column):
    scaler = fit_scaler(np.array([[0.0, 1.0], [1.0, 2.0]]))
    with clear_error("column", "between 0 and 1"):
        scaler.inverse_transform_column([0.5], column=column)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
@pytest.mark.parametrize("values", [np.zeros((4, 3)), np.zeros(3), np.float64(1.0)])
def test_scaler_rejects_wrong_number_of_features(method, values):
    scaler = fit_scaler(np.array([[0.0, 1.0], [1.0, 2.0]]))
    with clear_error("fitted on 2 feature(s)", "last axis must be the features"):
        getattr(scaler, method)(values)


def test_scaler_error_points_to_inverse_transform_column():
    scaler = fit_scaler(np.array([[0.0, 1.0], [1.0, 2.0]]))
    with clear_error("fitted on 2 feature(s)", "use inverse_transform_column"):
        scaler.inverse_transform(np.zeros((5, 3)))


def test_scaler_is_frozen():
    scaler = fit_scaler([0.0, 1.0])
    with pytest.raises(AttributeError):
        scaler.kind = "standard"


@pytest.mark.parametrize("kind", ["MinMax", "robust", "", None])
def test_fit_scaler_rejects_unknown_kind(kind):
    with clear_error("kind", "'minmax' or 'standard'"):
        fit_scaler([1.0, 2.0], kind=kind)


@pytest.mark.parametrize("train", [[], [1.0], np.zeros((1, 3))])
def test_fit_scaler_needs_two_rows(train):
    with clear_error("fit_scaler", "at least two training rows", "fit it on the training part"):
        fit_scaler(train)


def test_fit_scaler_rejects_non_finite():
    with clear_error("train contains NaN", "fill or drop"):
        fit_scaler([1.0, np.nan, 3.0])


@pytest.mark.parametrize("kind", ["minmax", "standard"])
def test_fit_scaler_rejects_constant_feature(kind):
    train = np.array([[1.0, 5.0, 2.0], [2.0, 5.0, 2.0], [3.0, 5.0, 2.0]])
    with clear_error("[1, 2] are constant", "drop them"):
        fit_scaler(train, kind=kind)


def test_purged_block_split_leaves_no_shared_row():
    from course_utils.windows import purged_block_split

    lookback = 5
    train, test = purged_block_split(400, lookback, n_blocks=10, test_blocks=3, seed=1)
    assert len(test) == 120 and len(np.intersect1d(train, test)) == 0
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    # window i reads rows i .. i + lookback: no training window shares a row with a test window
    rows = lambda positions: {row for i in positions for row in range(i, i + lookback + 1)}  # noqa: E731
    assert not rows(train) & rows(test)
    # and only the windows that must go are purged: three blocks, at most 2 * lookback each side
    assert len(train) >= 400 - 120 - 3 * 2 * lookback
    # the test windows are three whole inner blocks of 40 consecutive windows
    blocks = set(test // 40)
    assert len(blocks) == 3 and not blocks & {0, 9}
    for seed in range(30):  # never the first or the last block, whatever the seed
        assert not set(purged_block_split(400, lookback, 10, 3, seed=seed)[1] // 40) & {0, 9}
    # a different seed draws different blocks; the same seed the same
    assert not np.array_equal(test, purged_block_split(400, lookback, 10, 3, seed=2)[1])
    assert np.array_equal(test, purged_block_split(400, lookback, 10, 3, seed=1)[1])


def test_purged_block_split_errors():
    from course_utils.windows import purged_block_split

    with clear_error("test_blocks (3)", "at most n_blocks - 2"):
        purged_block_split(400, 5, n_blocks=4, test_blocks=3)
    with clear_error("purge would empty", "fewer blocks or a longer series"):
        purged_block_split(50, 5, n_blocks=10)
    with clear_error("lookback", ">= 1"):
        purged_block_split(400, 0)
