"""Unit tests of course_utils.baselines: persistence, seasonal naive and linear forecasts."""
import numpy as np
import pytest

from course_utils.baselines import (
    LinearForecaster,
    linear_forecast,
    persistence_forecast,
    seasonal_naive_forecast,
)
from course_utils.windows import make_windows
from errors import clear_error


@pytest.fixture
def two_feature_windows():
    """Windows (n=3, lookback=2, features=2); feature 1 is feature 0 plus 100."""
    X = np.array([
        [[1.0, 101.0], [2.0, 102.0]],
        [[2.0, 102.0], [3.0, 103.0]],
        [[3.0, 103.0], [4.0, 104.0]],
    ])
    return X


# --- persistence ---------------------------------------------------------------------------


def test_persistence_repeats_last_value():
    X, _ = make_windows([5.0, 7.0, 4.0, 9.0, 1.0], lookback=2)
    assert persistence_forecast(X).tolist() == [[7.0], [4.0], [9.0]]


def test_persistence_horizon_repeats_the_same_value(two_feature_windows):
    forecast = persistence_forecast(two_feature_windows, horizon=3)
    assert forecast.shape == (3, 3)
    assert forecast.tolist() == [[2.0] * 3, [3.0] * 3, [4.0] * 3]


def test_persistence_target_feature(two_feature_windows):
    assert persistence_forecast(two_feature_windows, target=1)[:, 0].tolist() == [102, 103, 104]
    assert persistence_forecast(two_feature_windows, target=-1)[:, 0].tolist() == [102, 103, 104]


def test_persistence_aligns_with_make_windows_targets():
    """On a ramp rising by 1 per step, persistence is exactly 1 below every target."""
    X, y = make_windows(np.arange(20.0), lookback=5, horizon=1)
    np.testing.assert_array_equal(y - persistence_forecast(X), 1.0)


@pytest.mark.parametrize("horizon", [0, -1, 1.0, True])
def test_persistence_rejects_bad_horizon(two_feature_windows, horizon):
    with clear_error("horizon", ">= 1"):
        persistence_forecast(two_feature_windows, horizon=horizon)


@pytest.mark.parametrize("target", [2, -3, 0.0, False])
def test_persistence_rejects_bad_target(two_feature_windows, target):
    with clear_error("target", "between 0 and 1"):
        persistence_forecast(two_feature_windows, target=target)


def test_persistence_rejects_2d_windows():
    with clear_error("(3, 4)", "X[..., np.newaxis]"):
        persistence_forecast(np.zeros((3, 4)))


@pytest.mark.parametrize("shape", [(5,), (2, 3, 1, 1), (0, 3, 1), (3, 0, 1)])
def test_persistence_rejects_other_bad_shapes(shape):
    with clear_error("(samples, lookback, features)", "at least one sample"):
        persistence_forecast(np.zeros(shape))


# --- seasonal naive ------------------------------------------------------------------------


def test_seasonal_naive_is_exact_on_a_periodic_series():
    pattern = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    series = np.tile(pattern, 6)
    X, y = make_windows(series, lookback=7, horizon=3)
    np.testing.assert_array_equal(seasonal_naive_forecast(X, season=7, horizon=3), y)


@pytest.mark.parametrize("season, lookback, horizon", [(4, 6, 2), (4, 4, 4), (1, 3, 1), (5, 9, 3)])
def test_seasonal_naive_picks_value_one_season_earlier(season, lookback, horizon):
    """On the ramp x_t = t, the value one season earlier is exactly y - season."""
    X, y = make_windows(np.arange(40.0), lookback=lookback, horizon=horizon)
    forecast = seasonal_naive_forecast(X, season=season, horizon=horizon)
    assert forecast.shape == y.shape
    np.testing.assert_array_equal(forecast, y - season)


def test_seasonal_naive_with_season_one_is_persistence():
    X, _ = make_windows(np.sin(np.arange(30.0)), lookback=5)
    np.testing.assert_array_equal(seasonal_naive_forecast(X, season=1), persistence_forecast(X))


def test_seasonal_naive_target_feature():
    series = np.column_stack([np.arange(20.0), 1000 + np.arange(20.0)])
    X, y = make_windows(series, lookback=5, horizon=2, target=1)
    np.testing.assert_array_equal(seasonal_naive_forecast(X, season=3, horizon=2, target=1), y - 3)


def test_seasonal_naive_rejects_horizon_beyond_season():
    X, _ = make_windows(np.arange(30.0), lookback=10)
    with clear_error("horizon=4 exceeds season=3", "horizon <= season"):
        seasonal_naive_forecast(X, season=3, horizon=4)


def test_seasonal_naive_rejects_short_windows():
    X, _ = make_windows(np.arange(30.0), lookback=5)
    with clear_error("lookback=5", "lookback >= 7"):
        seasonal_naive_forecast(X, season=7)


@pytest.mark.parametrize("kwargs, phrases", [
    ({"season": 0}, ("season", ">= 1")),
    ({"season": 2.5}, ("season", "integer")),
    ({"season": 2, "horizon": 0}, ("horizon", ">= 1")),
    ({"season": 2, "target": 1}, ("target", "between 0 and 0")),
])
def test_seasonal_naive_rejects_bad_arguments(kwargs, phrases):
    X, _ = make_windows(np.arange(30.0), lookback=5)
    with clear_error(*phrases):
        seasonal_naive_forecast(X, **kwargs)


def test_seasonal_naive_rejects_2d_windows():
    with clear_error("3-D", "X[..., np.newaxis]"):
        seasonal_naive_forecast(np.zeros((3, 7)), season=7)


# --- linear forecast -----------------------------------------------------------------------


def test_linear_forecast_recovers_exact_linear_relation():
    rng = np.random.default_rng(0)
    X_train = rng.normal(size=(40, 3, 2))
    weights = np.array([[0.5, -1.0], [2.0, 0.0], [-0.25, 3.0]])
    y_train = (X_train * weights).sum(axis=(1, 2))[:, None] + 7.0
    X_new = rng.normal(size=(5, 3, 2))
    expected = (X_new * weights).sum(axis=(1, 2))[:, None] + 7.0
    forecast = linear_forecast(X_train, y_train, X_new)
    assert forecast.shape == (5, 1)
    np.testing.assert_allclose(forecast, expected, atol=1e-9)


def test_linear_forecaster_coefficients():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2, 1))
    y = 3.0 * X[:, 0, 0] - 2.0 * X[:, 1, 0] + 0.5
    model = LinearForecaster().fit(X, y)  # 1-D targets are accepted
    np.testing.assert_allclose(model.coef_[:, 0], [3.0, -2.0, 0.5], atol=1e-9)
    assert model.n_inputs_ == (2, 1)
    assert model.predict(X).shape == (30, 1)


def test_linear_forecast_multi_step_horizon():
    X, y = make_windows(2.0 * np.arange(50.0) + 1.0, lookback=4, horizon=3)
    forecast = linear_forecast(X[:30], y[:30], X[30:])
    assert forecast.shape == y[30:].shape
    np.testing.assert_allclose(forecast, y[30:], atol=1e-6)


def test_linear_forecast_target_only_ignores_other_features():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 3, 2))
    y = X[:, -1, 1:2] * 2.0 - 1.0
    noise_X = X.copy()
    noise_X[:, :, 0] = rng.normal(size=(50, 3)) * 100  # feature 0 changes wildly
    only = linear_forecast(X, y, noise_X, target_only=True, target=1)
    np.testing.assert_allclose(only, y, atol=1e-9)
    model = LinearForecaster(target_only=True, target=1).fit(X, y)
    assert model.coef_.shape == (3 + 1, 1)  # lookback weights of one feature and a bias


def test_linear_forecaster_predict_before_fit():
    with clear_error("fit(X_train, y_train)", "before predict"):
        LinearForecaster().predict(np.zeros((2, 3, 1)))


def test_linear_forecaster_rejects_differently_shaped_windows():
    model = LinearForecaster().fit(np.random.default_rng(0).normal(size=(10, 3, 1)), np.ones(10))
    with clear_error("(4, 1)", "fitted on (3, 1)", "same lookback and features"):
        model.predict(np.zeros((2, 4, 1)))


@pytest.mark.parametrize("y", [np.ones(9), np.ones((11, 1)), np.ones((10, 1, 1))])
def test_linear_forecaster_rejects_mismatched_targets(y):
    with clear_error("y_train", "(10, horizon)"):
        LinearForecaster().fit(np.zeros((10, 3, 1)), y)


def test_linear_forecaster_rejects_2d_training_windows():
    with clear_error("X_train has shape (10, 3)", "X_train[..., np.newaxis]"):
        LinearForecaster().fit(np.zeros((10, 3)), np.zeros(10))


def test_linear_forecaster_rejects_bad_target():
    with clear_error("target", "between 0 and 1"):
        LinearForecaster(target_only=True, target=2).fit(np.zeros((10, 3, 2)), np.zeros(10))


def test_linear_forecast_rejects_2d_windows_to_forecast():
    X = np.random.default_rng(0).normal(size=(10, 3, 1))
    with clear_error("X has shape (2, 3)", "X[..., np.newaxis]"):
        linear_forecast(X, np.ones(10), np.zeros((2, 3)))
