"""course_utils._validate: the small argument checks the other modules share."""
import numpy as np
import pytest

from course_utils._validate import (count, feature_index, finite, nonempty_scores, numbers, one_row_per_window,
                                    one_series)
from errors import clear_error


@pytest.mark.parametrize("value, least", [(1, 1), (np.int64(3), 1), (0, 0), (7, 7)])
def test_count_returns_a_plain_int(value, least):
    result = count(value, "n", least)
    assert result == value and type(result) is int


@pytest.mark.parametrize("value", [0, -1, True, False, 1.0, "2", None, np.float64(2.0)])
def test_count_refuses_non_integers_bools_and_small_values(value):
    with clear_error("n must be", ">= 1"):
        count(value, "n")


def test_count_names_the_lower_bound():
    with clear_error("lookback", ">= 2"):
        count(1, "lookback", 2)


@pytest.mark.parametrize("value, expected", [(0, 0), (2, 2), (-1, -1), (-3, -3), (np.int32(1), 1)])
def test_feature_index_accepts_indices_inside_the_size(value, expected):
    result = feature_index(value, 3)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [3, -4, True, 1.0, "0"])
def test_feature_index_refuses_indices_outside_the_size(value):
    with clear_error("target", "feature index between 0 and 2"):
        feature_index(value, 3)


def test_feature_index_wording_pieces():
    with clear_error("column index between 0 and 1", "(the series has 2 feature(s))"):
        feature_index(5, 2, kind="column", note=" (the series has 2 feature(s))")
    with clear_error("column", "between 0 and 1") as info:
        feature_index(2, 2, "column", kind=None)
    assert "index" not in str(info.value), "kind=None leaves out the kind"


def test_finite_returns_the_array_itself():
    array = np.array([1.0, 2.0])
    assert finite(array, "x") is array


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_finite_refuses_nan_and_infinity(bad):
    with clear_error("NaN or infinite", "fix them"):
        finite(np.array([[1.0, bad]]), "y", "fix them")
    with clear_error("NaN or infinite", "drop or fill them first"):
        finite(np.array([bad]), "y")
    with clear_error("The scores diverged.") as info:
        finite(np.array([bad]), "y", message="The scores diverged.")
    assert str(info.value) == "The scores diverged.", "a given message replaces the default one"


def test_one_row_per_window_turns_a_vector_into_one_column():
    result = one_row_per_window([1, 2, 3], 3, "y", " to match X")
    assert result.shape == (3, 1) and result.dtype == np.float64
    assert one_row_per_window(np.ones((3, 2)), 3, "y", "").shape == (3, 2)


@pytest.mark.parametrize("bad, shape", [(np.ones((2, 1)), "(2, 1)"), (np.ones((3, 1, 1)), "(3, 1, 1)"),
                                        (np.float64(1.0), "()")])
def test_one_row_per_window_refuses_other_shapes(bad, shape):
    with clear_error("(3, horizon) to match X", f"got {shape}"):
        one_row_per_window(bad, 3, "y", " to match X")


def test_one_series_flattens_one_column():
    assert one_series([[1], [2]], "x", "one series of shape", "").tolist() == [1.0, 2.0]
    assert one_series([1, 2], "x", "one series of shape", "").tolist() == [1.0, 2.0]


@pytest.mark.parametrize("bad", [np.ones((3, 2)), np.ones((3, 1, 1)), np.float64(1.0)])
def test_one_series_refuses_other_shapes(bad):
    with clear_error("one series of shape (n,) or (n, 1)", "Plot x[:, 0]."):
        one_series(bad, "x", "one series of shape", "Plot x[:, 0].")


def test_numbers_converts_to_float():
    result = numbers([[1, 2], [3, 4]], "x")
    assert result.dtype == np.float64 and result.shape == (2, 2)


def test_numbers_refuses_text_and_says_what_to_do():
    with clear_error("x must hold numbers only", "'a'", "pd.to_numeric"):
        numbers(["1", "a"], "x")
    with clear_error("x must hold numbers only", "select the columns"):
        numbers(["a"], "x", "select the columns")


def test_nonempty_scores():
    nonempty_scores(1)
    with clear_error("empty", "nothing to score", "give at least one true value"):
        nonempty_scores(0)
