"""Unit tests of course_utils.sequences: padding, masks, right padding, summary features."""
import numpy as np
import pytest

from course_utils.sequences import pad_sequences, right_padded, sequence_lengths, summary_features
from errors import clear_error

A = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])  # 3 frames, 2 features
B = np.array([[4.0, 40.0]])                             # 1 frame
C = np.array([[5.0, 50.0], [7.0, 70.0]])                # 2 frames


# --- sequence_lengths --------------------------------------------------------------------


def test_sequence_lengths():
    lengths = sequence_lengths([A, B, C])
    assert lengths.tolist() == [3, 1, 2]
    assert lengths.dtype == np.int64


def test_one_dimensional_sequences_have_one_feature():
    assert sequence_lengths([[1, 2, 3], [4]]).tolist() == [3, 1]
    padded, _ = pad_sequences([[1, 2, 3], [4]])
    assert padded.shape == (2, 3, 1)


def test_a_rectangular_array_is_a_batch_of_sequences():
    assert sequence_lengths(np.zeros((4, 5, 2))).tolist() == [5, 5, 5, 5]


# --- pad_sequences -----------------------------------------------------------------------


def test_post_padding_puts_the_frames_first():
    padded, mask = pad_sequences([A, B, C])
    assert padded.shape == (3, 3, 2) and padded.dtype == np.float32
    assert mask.shape == (3, 3) and mask.dtype == bool
    np.testing.assert_array_equal(padded[0], A)
    np.testing.assert_array_equal(padded[1], [[4, 40], [0, 0], [0, 0]])
    np.testing.assert_array_equal(padded[2], [[5, 50], [7, 70], [0, 0]])
    assert mask.tolist() == [[True, True, True], [True, False, False], [True, True, False]]


def test_pre_padding_puts_the_frames_last():
    padded, mask = pad_sequences([A, B, C], padding="pre", value=-1.0)
    np.testing.assert_array_equal(padded[1], [[-1, -1], [-1, -1], [4, 40]])
    np.testing.assert_array_equal(padded[2], [[-1, -1], [5, 50], [7, 70]])
    assert mask.tolist() == [[True, True, True], [False, False, True], [False, True, True]]


@pytest.mark.parametrize("padding", ["post", "pre"])
def test_the_mask_recovers_every_sequence(padding):
    padded, mask = pad_sequences([A, B, C], maxlen=6, padding=padding, value=9.0)
    assert padded.shape == (3, 6, 2)
    for row, original in zip(range(3), [A, B, C]):
        np.testing.assert_array_equal(padded[row][mask[row]], original)
        assert (padded[row][~mask[row]] == 9.0).all()
    assert mask.sum(axis=1).tolist() == [3, 1, 2]


def test_longer_maxlen_only_adds_padding():
    short, short_mask = pad_sequences([A, B])
    long, long_mask = pad_sequences([A, B], maxlen=5)
    np.testing.assert_array_equal(long[:, :3], short)
    assert not long_mask[:, 3:].any() and (long[:, 3:] == 0).all()
    np.testing.assert_array_equal(long_mask[:, :3], short_mask)


def test_inputs_are_not_changed():
    a = A.copy()
    pad_sequences([a, B], value=5.0)
    np.testing.assert_array_equal(a, A)


@pytest.mark.parametrize(
    "kwargs, phrases",
    [
        ({"sequences": []}, ("non-empty list", "(frames, features)")),
        ({"sequences": "abc"}, ("non-empty list",)),
        ({"sequences": [A, np.zeros((0, 2))]}, ("sequences[1]", "at least one frame")),
        ({"sequences": [A, np.zeros((2, 2, 2))]}, ("sequences[1]", "(frames, features)")),
        ({"sequences": [A, [["x", "y"]]]}, ("sequences[1]", "numbers only")),
        ({"sequences": [A, np.array([[np.nan, 1.0]])]}, ("sequences[1]", "NaN", "drop or fill")),
        ({"sequences": [A, np.zeros((2, 3))]}, ("different numbers of features [2, 3]",)),
        ({"sequences": [A], "maxlen": 2}, ("maxlen=2", "longest sequence (3 frames)", "never cuts")),
        ({"sequences": [A], "maxlen": 0}, ("maxlen", ">= 1")),
        ({"sequences": [A], "maxlen": 4.0}, ("maxlen", "integer")),
        ({"sequences": [A], "padding": "left"}, ("padding", "'post'", "'pre'", "'left'")),
        ({"sequences": [A], "value": float("nan")}, ("value", "finite number")),
        ({"sequences": [A], "value": "0"}, ("value", "finite number")),
    ],
    ids=["empty", "string", "no-frame", "3-d", "text", "nan", "widths", "too-short", "zero", "float",
         "padding", "nan-value", "text-value"],
)
def test_pad_sequences_rejects_bad_input(kwargs, phrases):
    with clear_error(*phrases):
        pad_sequences(**kwargs)


# --- right_padded --------------------------------------------------------------------------


def test_post_padding_is_right_padded_and_pre_padding_is_not():
    _, post = pad_sequences([A, B, C], padding="post")
    _, pre = pad_sequences([A, B, C], padding="pre")
    assert right_padded(post).tolist() == [True, True, True]
    assert right_padded(pre).tolist() == [True, False, False]  # a full-length row is both


def test_right_padded_rejects_holes_and_empty_rows():
    mask = np.array([[True, False, True], [False, False, False], [True, True, False]])
    assert right_padded(mask).tolist() == [False, False, True]


@pytest.mark.parametrize("mask", [np.ones((2, 3)), np.ones(3, dtype=bool), np.ones((2, 0), dtype=bool)])
def test_right_padded_rejects_what_is_not_a_mask(mask):
    with clear_error("mask", "2-D boolean array"):
        right_padded(mask)


# --- summary_features --------------------------------------------------------------------


def test_summary_features_are_means_then_standard_deviations():
    features = summary_features([A, B, C])
    assert features.shape == (3, 4) and features.dtype == np.float64
    np.testing.assert_allclose(features[0], [2.0, 20.0, np.std([1, 2, 3]), np.std([10, 20, 30])])
    np.testing.assert_allclose(features[1], [4.0, 40.0, 0.0, 0.0])
    np.testing.assert_allclose(features[2], [6.0, 60.0, 1.0, 10.0])


def test_summary_features_ignore_the_order_of_the_frames():
    np.testing.assert_allclose(summary_features([A]), summary_features([A[::-1]]))


def test_summary_features_reject_mixed_widths():
    with clear_error("different numbers of features"):
        summary_features([A, np.zeros((2, 3))])
