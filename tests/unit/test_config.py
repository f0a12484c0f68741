"""Unit tests of course_utils.config: FAST mode, pick and set_seed."""
import random

import numpy as np
import pytest

from course_utils import config
from course_utils.config import is_fast, pick, set_seed
from errors import clear_error


# --- is_fast ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " 1 ", "True\n"])
def test_is_fast_true_values(value):
    assert is_fast({"COURSE_FAST": value}) is True


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no", "OFF", "  "])
def test_is_fast_false_values(value):
    assert is_fast({"COURSE_FAST": value}) is False


def test_is_fast_unset_means_full_run():
    assert is_fast({}) is False
    assert is_fast({"OTHER": "1"}) is False


@pytest.mark.parametrize("value", ["2", "fast", "y", "tru", "-1"])
def test_is_fast_rejects_unknown_value(value):
    with clear_error("is not understood", "COURSE_FAST=1"):
        is_fast({"COURSE_FAST": value})


def test_is_fast_error_names_the_value():
    with clear_error("'maybe'"):
        is_fast({"COURSE_FAST": "maybe"})


def test_is_fast_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    assert is_fast() is True
    monkeypatch.setenv("COURSE_FAST", "0")
    assert is_fast() is False
    monkeypatch.delenv("COURSE_FAST")
    assert is_fast() is False


def test_FAST_is_a_bool():
    assert isinstance(config.FAST, bool)


# --- pick ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "full, fast",
    [(20, 2), (1.5, 0.1), (10, 0.5), ("big", "small"), ([1, 2], [3]), ((64,), (8,))],
)
def test_pick_follows_fast_mode(full, fast):
    assert pick(full, fast, fast_mode=True) == fast
    assert pick(full, fast, fast_mode=False) == full


def test_pick_returns_the_object_itself():
    full, fast = [1, 2, 3], [1]
    assert pick(full, fast, fast_mode=False) is full
    assert pick(full, fast, fast_mode=True) is fast


def test_pick_defaults_to_module_FAST(monkeypatch):
    monkeypatch.setattr(config, "FAST", True)
    assert pick(full=20, fast=2) == 2
    monkeypatch.setattr(config, "FAST", False)
    assert pick(full=20, fast=2) == 20


def test_pick_keyword_arguments():
    assert pick(full=100, fast=5, fast_mode=True) == 5


@pytest.mark.parametrize("full, fast", [(None, 1), (1, None), (None, None)])
def test_pick_rejects_none(full, fast):
    with clear_error("needs both values", "None"):
        pick(full, fast, fast_mode=False)


@pytest.mark.parametrize("full, fast", [(10, "2"), ("a", 1), ([1], (1,)), (1.0, [1])])
def test_pick_rejects_mixed_kinds(full, fast):
    with clear_error("same kind", "both modes"):
        pick(full, fast, fast_mode=True)


# --- set_seed --------------------------------------------------------------------------


@pytest.fixture
def restore_hashseed(monkeypatch):
    """set_seed writes PYTHONHASHSEED; monkeypatch puts the old value back afterwards."""
    monkeypatch.setenv("PYTHONHASHSEED", "0")


def _draws():
    return random.random(), np.random.rand(3).tolist()


def test_set_seed_repeats_python_and_numpy_draws(restore_hashseed):
    set_seed(123)
    first = _draws()
    set_seed(123)
    assert _draws() == first
    set_seed(124)
    assert _draws() != first


def test_set_seed_sets_pythonhashseed(restore_hashseed):
    import os

    set_seed(7)
    assert os.environ["PYTHONHASHSEED"] == "7"


def test_set_seed_repeats_keras_draws(restore_hashseed):
    import keras

    def draw():
        uniform = np.asarray(keras.random.uniform((4,)))
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
        return uniform, np.asarray(layer.kernel)

    set_seed(5)
    u1, k1 = draw()
    set_seed(5)
    u2, k2 = draw()
    np.testing.assert_array_equal(u1, u2)
    np.testing.assert_array_equal(k1, k2)
    set_seed(6)
    u3, _ = draw()
    assert not np.array_equal(u1, u3)


def test_set_seed_accepts_numpy_integer(restore_hashseed):
    set_seed(np.int64(3))
    first = np.random.rand()
    set_seed(3)
    assert np.random.rand() == first


@pytest.mark.parametrize("seed", [-1, 1.5, "42", None, True, False, 4.0])
def test_set_seed_rejects_bad_seed(seed):
    with clear_error("set_seed", "non-negative integer"):
        set_seed(seed)
