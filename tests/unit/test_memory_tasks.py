"""course_utils.memory_tasks: the long-lag recall task, its chance level and the lag at which a cell is at chance."""
import numpy as np
import pytest

from course_utils.memory_tasks import chance_accuracy, lag_at_chance, recall_task
from errors import clear_error


@pytest.mark.parametrize("n, lag", [(2, 1), (7, 5), (100, 20)])
def test_recall_task_shapes_and_types(n, lag):
    X, y = recall_task(n, lag, seed=0)
    assert X.shape == (n, lag + 1, 1) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}


def test_the_same_seed_gives_the_same_sequences_and_another_seed_others():
    X1, y1 = recall_task(50, 10, seed=3)
    X2, y2 = recall_task(50, 10, seed=3)
    X3, y3 = recall_task(50, 10, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("n", [2, 9, 10, 1001])
def test_labels_are_balanced(n):
    _, y = recall_task(n, 4, seed=1)
    assert y.sum() == n // 2
    assert chance_accuracy(y) == pytest.approx(max(n // 2, n - n // 2) / n)


def test_labels_are_shuffled_not_sorted():
    _, y = recall_task(200, 3, seed=2)
    assert 0 < y[:100].sum() < 100


def test_the_decisive_input_is_lag_steps_before_the_last():
    lag = 30
    X, y = recall_task(2000, lag, seed=5)
    first = X[:, 0, 0]
    assert set(np.unique(first)) == {-1.0, 1.0}
    np.testing.assert_array_equal(first > 0, y == 1)  # step 0 decides the label ...
    assert (X.shape[1] - 1) - 0 == lag  # ... and lies lag steps before the last step
    # the steps after it carry nothing about the label: noise of mean 0 and standard deviation 1 in both classes
    noise = X[:, 1:, 0]
    for label in (0, 1):
        assert abs(noise[y == label].mean()) < 0.02
        assert noise[y == label].std() == pytest.approx(1.0, abs=0.02)
    correlations = [abs(np.corrcoef(noise[:, t], y)[0, 1]) for t in range(lag)]
    assert max(correlations) < 0.1


def test_noise_std_scales_the_distractors_only():
    X, _ = recall_task(500, 8, seed=0, noise_std=0.0)
    assert np.all(X[:, 1:, 0] == 0.0) and np.all(np.abs(X[:, 0, 0]) == 1.0)
    X, _ = recall_task(4000, 8, seed=0, noise_std=2.0)
    assert X[:, 1:, 0].std() == pytest.approx(2.0, rel=0.03)


def test_chance_accuracy_is_the_share_of_the_most_frequent_label():
    assert chance_accuracy([0, 1, 0, 1]) == 0.5
    assert chance_accuracy(np.array([1, 1, 1, 0])) == 0.75
    assert chance_accuracy(["a", "b", "c"]) == pytest.approx(1 / 3)


def test_lag_at_chance_finds_the_first_lag_within_the_tolerance():
    lags = [5, 20, 50, 100]
    assert lag_at_chance(lags, [1.0, 0.99, 0.53, 0.5], chance=0.5) == 50
    assert lag_at_chance(lags, [1.0, 0.99, 0.56, 0.5], chance=0.5) == 100
    assert lag_at_chance(lags, [1.0, 0.99, 0.56, 0.5], chance=0.5, tolerance=0.1) == 50
    assert lag_at_chance(lags, [1.0, 1.0, 0.9, 0.8], chance=0.5) is None
    assert lag_at_chance(np.array(lags), np.array([0.5, 1.0, 1.0, 1.0]), chance=0.5) == 5
    assert lag_at_chance([10], [0.55], chance=0.5) == 10  # exactly at the tolerance counts


def test_errors_say_what_was_wrong_and_what_to_do():
    with clear_error("lag", "at least 1"):
        recall_task(10, 0, seed=0)
    with clear_error("lag", "whole number"):
        recall_task(10, 2.5, seed=0)
    with clear_error("n must be", "at least 2"):
        recall_task(1, 5, seed=0)
    with clear_error("seed", "at least 0"):
        recall_task(10, 5, seed=-1)
    with clear_error("seed", "whole number"):
        recall_task(10, 5, seed=None)
    with clear_error("noise_std", "at least 0"):
        recall_task(10, 5, seed=0, noise_std=-1.0)
    with clear_error("noise_std", "finite"):
        recall_task(10, 5, seed=0, noise_std=float("nan"))
    with clear_error("labels", "non-empty 1-D"):
        chance_accuracy([])
    with clear_error("labels", "shape (n,)"):
        chance_accuracy([[0, 1], [1, 0]])
    with clear_error("same length", "one accuracy per lag"):
        lag_at_chance([5, 10], [0.9], chance=0.5)
    with clear_error("increasing order"):
        lag_at_chance([10, 5], [0.9, 0.5], chance=0.5)
    with clear_error("accuracies", "not percentages"):
        lag_at_chance([5, 10], [95.0, 50.0], chance=0.5)
    with clear_error("chance", "between 0 and 1"):
        lag_at_chance([5, 10], [0.9, 0.5], chance=50)
    with clear_error("tolerance", "between 0 and 1"):
        lag_at_chance([5, 10], [0.9, 0.5], chance=0.5, tolerance=5)
    with clear_error("chance", "a number"):
        lag_at_chance([5, 10], [0.9, 0.5], chance="0.5")
