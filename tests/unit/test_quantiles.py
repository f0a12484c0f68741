"""Unit tests of course_utils.quantiles: the pinball loss, interval scores and baseline bands."""
import numpy as np
import pytest

from course_utils.quantiles import (
    empirical_quantile_band,
    interval_coverage,
    interval_width,
    mean_pinball_loss,
    pinball_loss,
    quantile_crossing_rate,
)
from errors import clear_error

LEVELS = (0.1, 0.5, 0.9)


def keras_loss(levels, y_true, y_pred):
    """The Keras loss evaluated eagerly, as a numpy array."""
    from keras import ops

    return ops.convert_to_numpy(pinball_loss(levels)(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32)))


# --- pinball_loss -----------------------------------------------------------------------------


def test_pinball_loss_matches_a_hand_computation():
    # y = 1 with forecasts (0, 1, 3): errors (1, 0, -2) cost 0.1*1, 0, (0.9-1)*(-2) = 0.2
    # y = 2 with forecasts (2.5, 2, 1): errors (-0.5, 0, 1) cost 0.9*0.5 = 0.45, 0, 0.9*1 = 0.9
    loss = keras_loss(LEVELS, [1.0, 2.0], [[0.0, 1.0, 3.0], [2.5, 2.0, 1.0]])
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, [(0.1 + 0 + 0.2) / 3, (0.45 + 0 + 0.9) / 3], rtol=1e-6)


def test_pinball_loss_accepts_a_column_of_targets():
    by_row = keras_loss(LEVELS, [1.0, 2.0], [[0.0, 1.0, 3.0], [2.5, 2.0, 1.0]])
    by_column = keras_loss(LEVELS, [[1.0], [2.0]], [[0.0, 1.0, 3.0], [2.5, 2.0, 1.0]])
    np.testing.assert_allclose(by_column.reshape(-1), by_row, rtol=1e-6)


def test_pinball_loss_of_a_multi_step_output_is_per_step():
    y_true = np.array([[1.0, 2.0]])                          # (batch 1, horizon 2)
    y_pred = np.array([[[0.0, 1.0, 3.0], [2.5, 2.0, 1.0]]])  # (1, 2, 3)
    loss = keras_loss(LEVELS, y_true, y_pred)
    assert loss.shape == (1, 2)
    np.testing.assert_allclose(loss[0], [0.3 / 3, 1.35 / 3], rtol=1e-6)


def test_the_median_level_is_half_the_absolute_error():
    y, pred = np.array([1.0, -2.0, 4.0]), np.array([[0.0], [1.0], [4.5]])
    np.testing.assert_allclose(keras_loss([0.5], y, pred), 0.5 * np.abs(y - pred[:, 0]), rtol=1e-6)


@pytest.mark.parametrize("level", [0.1, 0.5, 0.9])
def test_the_constant_that_minimises_the_pinball_loss_is_the_empirical_quantile(level):
    sample = np.random.default_rng(0).normal(size=11)  # 11 values: n * level is never whole, one minimiser
    candidates = np.sort(np.concatenate([sample, (sample[:-1] + sample[1:]) / 2, [sample.min() - 1, sample.max() + 1]]))
    losses = [keras_loss([level], sample, np.full((11, 1), c)).mean() for c in candidates]
    best = candidates[int(np.argmin(losses))]
    assert best == pytest.approx(np.quantile(sample, level, method="inverted_cdf"))


def test_a_model_trained_with_the_pinball_loss_has_one_output_per_step_and_quantile():
    import keras

    model = keras.Sequential([keras.Input(shape=(4, 2)), keras.layers.Flatten(), keras.layers.Dense(3 * 2),
                              keras.layers.Reshape((2, 3))])
    model.compile(loss=pinball_loss(LEVELS), optimizer="adam")
    X, y = np.zeros((8, 4, 2), np.float32), np.ones((8, 2), np.float32)
    history = model.fit(X, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_mean_pinball_loss_agrees_with_the_keras_loss():
    rng = np.random.default_rng(1)
    y, pred = rng.normal(size=(5, 2)), np.sort(rng.normal(size=(5, 2, 3)), axis=-1)
    expected = keras_loss(LEVELS, y, pred).mean()
    assert mean_pinball_loss(y, pred, LEVELS) == pytest.approx(float(expected), rel=1e-5)
    assert mean_pinball_loss([1.0, 2.0], [[0.0, 1.0, 3.0], [2.5, 2.0, 1.0]], LEVELS) == pytest.approx(1.65 / 6)


# --- interval_coverage and interval_width -----------------------------------------------------


def test_coverage_counts_the_bounds_as_inside():
    y = [0.0, 1.0, 2.0, 3.0, 5.0]
    assert interval_coverage(y, [0, 0, 0, 4, 4], [1, 1, 1, 5, 5]) == pytest.approx(3 / 5)
    assert interval_coverage([[1.0, 9.0]], [[1.0, 0.0]], [[2.0, 8.0]]) == 0.5


def test_width_is_the_mean_distance_between_the_bounds():
    assert interval_width([0.0, 1.0, -2.0], [1.0, 4.0, 2.0]) == pytest.approx((1 + 3 + 4) / 3)
    assert interval_width([2.0], [2.0]) == 0.0


# --- empirical_quantile_band -------------------------------------------------------------------


def test_band_offsets_are_the_quantiles_of_the_training_errors():
    errors = np.arange(101.0) - 50  # -50 .. 50: the 10th percentile is -40, the 90th 40
    np.testing.assert_allclose(empirical_quantile_band(errors, LEVELS), [-40.0, 0.0, 40.0])


def test_band_offsets_are_per_step_for_multi_step_errors():
    errors = np.stack([np.arange(101.0) - 50, 2 * (np.arange(101.0) - 50)], axis=1)  # (101, 2)
    offsets = empirical_quantile_band(errors, LEVELS)
    assert offsets.shape == (2, 3)
    np.testing.assert_allclose(offsets, [[-40.0, 0.0, 40.0], [-80.0, 0.0, 80.0]])
    band = np.array([[10.0, 20.0]])[..., np.newaxis] + offsets  # (1, 2, 3)
    np.testing.assert_allclose(band[0, 1], [-60.0, 20.0, 100.0])


# --- quantile_crossing_rate --------------------------------------------------------------------


def test_crossing_rate_counts_forecasts_with_any_quantile_out_of_order():
    pred = np.array([[1.0, 2.0, 3.0],   # in order
                     [3.0, 2.0, 4.0],   # 10th above the 50th
                     [5.0, 5.0, 5.0],   # ties are not crossings
                     [4.0, 3.0, 1.0]])  # 10th above the 90th
    assert quantile_crossing_rate(pred) == 0.5
    assert quantile_crossing_rate(pred.reshape(2, 2, 3)) == 0.5


# --- every ValueError --------------------------------------------------------------------------


@pytest.mark.parametrize("levels, phrases", [
    ((0.0, 0.5), ("quantiles", "between 0 and 1")),
    ((0.5, 1.0), ("quantiles", "between 0 and 1")),
    ((10, 50, 90), ("quantiles", "between 0 and 1")),
    ((0.9, 0.1), ("increasing order", "sort them")),
    ((0.5, 0.5), ("increasing order", "duplicates")),
    ((), ("non-empty", "(0.1, 0.5, 0.9)")),
    (0.5, ("non-empty", "(0.5,)")),
    ("0.1", ("sequence of numbers", "(0.1, 0.5, 0.9)")),
    (("low", "high"), ("quantiles", "numbers")),
])
def test_invalid_levels_are_refused_by_every_function(levels, phrases):
    with clear_error(*phrases):
        pinball_loss(levels)
    with clear_error(*phrases):
        mean_pinball_loss([1.0], [[1.0, 2.0]], levels)
    with clear_error(*phrases):
        empirical_quantile_band(np.arange(20.0), levels)


def test_the_loss_refuses_an_output_with_the_wrong_number_of_quantiles():
    with clear_error("3 quantiles", "Reshape((horizon, 3))"):
        keras_loss(LEVELS, [1.0, 2.0], [[0.0, 1.0], [2.0, 3.0]])


def test_the_loss_refuses_a_one_dimensional_output():
    with clear_error("y_pred has shape (3,)", "(batch, 3)"):
        keras_loss(LEVELS, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])


def test_the_loss_refuses_targets_that_do_not_match_the_output():
    with clear_error("y_true has shape (2, 7)", "(batch, horizon, n_quantiles)"):
        keras_loss(LEVELS, np.zeros((2, 7)), np.zeros((2, 3)))


def test_mean_pinball_loss_refuses_mismatched_shapes():
    with clear_error("predictions must have shape (2, 3)", "one value per quantile"):
        mean_pinball_loss([1.0, 2.0], [[1.0, 2.0], [1.0, 2.0]], LEVELS)


@pytest.mark.parametrize("call, phrases", [
    (lambda: interval_coverage([1.0, 2.0], [0.0], [3.0]), ("y has shape (2,)", "one interval per true value")),
    (lambda: interval_coverage([1.0], [0.0, 1.0], [3.0]), ("lower has shape (2,)", "upper has shape (1,)")),
    (lambda: interval_width([0.0, 1.0], [3.0]), ("lower has shape (2,)", "one lower and one upper bound")),
    (lambda: interval_coverage([1.0, 2.0], [0.0, 3.0], [2.0, 2.5]), ("1 of 2 positions", "np.sort(pred, axis=-1)")),
    (lambda: interval_width([3.0], [1.0]), ("lower exceeds upper", "quantile_crossing_rate")),
    (lambda: interval_width([], []), ("lower is empty", "at least one value")),
    (lambda: interval_coverage([np.nan], [0.0], [1.0]), ("y contains nan", "drop or fill")),
    (lambda: interval_width([0.0], [np.inf]), ("upper contains nan or infinite", "drop or fill")),
    (lambda: interval_width(["a"], [1.0]), ("lower must hold numbers only", "convert the text")),
])
def test_interval_scores_refuse_bad_bounds(call, phrases):
    with clear_error(*phrases):
        call()


@pytest.mark.parametrize("errors, phrases", [
    (np.zeros((20, 2, 2)), ("train_errors must have shape (n,) or (n, horizon)", "one row per training window")),
    (np.zeros(9), ("9 rows", "at least 10 are needed")),
    (np.array([1.0, np.nan] * 10), ("train_errors contains nan", "drop or fill")),
    (np.zeros(0), ("train_errors is empty", "at least one value")),
])
def test_the_band_refuses_bad_errors(errors, phrases):
    with clear_error(*phrases):
        empirical_quantile_band(errors, LEVELS)


def test_a_band_for_the_median_only_needs_two_errors():
    assert empirical_quantile_band([1.0, 3.0], [0.5]).tolist() == [2.0]


@pytest.mark.parametrize("pred, phrases", [
    (np.zeros(3), ("(n, n_quantiles)", "at least 2 quantiles")),
    (np.zeros((4, 1)), ("got (4, 1)", "at least 2 quantiles")),
    (np.full((2, 3), np.nan), ("predictions contains nan", "drop or fill")),
])
def test_the_crossing_rate_refuses_bad_forecasts(pred, phrases):
    with clear_error(*phrases):
        quantile_crossing_rate(pred)
