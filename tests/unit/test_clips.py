"""course_utils.clips: moving-dot clips for TimeDistributed models."""
import numpy as np
import pytest

from course_utils.clips import DIRECTIONS, moving_dot_clips
from errors import clear_error


def dot_positions(clip):
    """Top-left (row, column) of the dot in every frame of one clip (n_frames, size, size, 1)."""
    return np.array([np.argwhere(frame[:, :, 0] == 1.0).min(axis=0) for frame in clip])


def test_shapes_types_and_range():
    X, y = moving_dot_clips(20, n_frames=5, size=10, seed=3)
    assert X.shape == (20, 5, 10, 10, 1) and X.dtype == np.float32
    assert y.shape == (20,) and y.dtype == np.int64 and set(y) <= set(range(len(DIRECTIONS)))
    assert X.min() >= 0 and X.max() == 1.0


def test_the_dot_moves_one_pixel_per_frame_in_the_labelled_direction():
    X, y = moving_dot_clips(40, n_frames=6, size=9, dot=2, seed=1)
    steps = list(DIRECTIONS.values())
    for clip, label in zip(X, y):
        positions = dot_positions(clip)
        np.testing.assert_array_equal(np.diff(positions, axis=0), np.tile(steps[label], (5, 1)))
        assert (clip == 1.0).sum() == 6 * 4  # a whole 2 x 2 dot in every frame


def test_same_seed_same_clips_and_no_noise_option():
    a, la = moving_dot_clips(5, seed=7)
    b, lb = moving_dot_clips(5, seed=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    quiet, _ = moving_dot_clips(3, noise=0.0)
    assert set(np.unique(quiet)) == {0.0, 1.0}


@pytest.mark.parametrize("kwargs, phrases", [
    ({"n_clips": 0}, ("n_clips", ">= 1")),
    ({"n_clips": 2, "n_frames": 1}, ("n_frames", ">= 2")),
    ({"n_clips": 2, "size": 1.0}, ("size", "integer")),
    ({"n_clips": 2, "dot": 0}, ("dot", ">= 1")),
    ({"n_clips": 2, "seed": -1}, ("seed", ">= 0")),
    ({"n_clips": 2, "n_frames": 8, "size": 8, "dot": 2}, ("cannot hold a 2-pixel dot", "size >= 9")),
    ({"n_clips": 2, "noise": 1.0}, ("noise", "[0, 1)")),
])
def test_bad_arguments_raise(kwargs, phrases):
    with clear_error(*phrases):
        moving_dot_clips(**kwargs)
