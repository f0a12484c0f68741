"""Naive forecasts that every model in the course is measured against.

All functions take windows ``X`` of shape ``(n, lookback, features)`` as made by
:func:`course_utils.windows.make_windows` and return forecasts of shape ``(n, horizon)``
aligned with its ``y``, so a baseline and a model are scored on exactly the same targets.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import count, feature_index, one_row_per_window

__all__ = ["persistence_forecast", "seasonal_naive_forecast", "linear_forecast", "LinearForecaster"]


def _windows(X: Any, name: str = "X") -> np.ndarray:
    array = np.asarray(X, dtype=np.float64)
    if array.ndim == 2:
        raise ValueError(
            f"{name} has shape {array.shape}; windows must be 3-D (samples, lookback, "
            f"features). For one feature, use {name}[..., np.newaxis] or make_windows."
        )
    if array.ndim != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (samples, lookback, features) with at least one sample "
            f"and one step; got {array.shape}."
        )
    return array


def _feature(X: np.ndarray, target: Any) -> int:
    return feature_index(target, X.shape[2], "target")


def _forecast_arguments(X: Any, horizon: Any, target: Any, season: Any = None
                        ) -> tuple[np.ndarray, int, int, int | None]:
    """Check the arguments every naive forecast shares, in the order of its signature."""
    X = _windows(X)
    season = None if season is None else count(season, "season")
    return X, count(horizon, "horizon"), _feature(X, target), season


def persistence_forecast(X: Any, horizon: int = 1, target: int = 0) -> np.ndarray:
    """Tomorrow equals today: repeat the last observed value of the target feature.

    Also called the naive or random-walk forecast. For prices it is very hard to beat.

    Parameters
    ----------
    X
        Windows, shape ``(n, lookback, features)``.
    horizon
        Steps ahead to forecast; every step gets the same last value.
    target
        Feature to forecast.

    Returns
    -------
    numpy.ndarray
        ``(n, horizon)`` forecasts.
    """
    X, horizon, target, _ = _forecast_arguments(X, horizon, target)
    return np.repeat(X[:, -1, target][:, np.newaxis], horizon, axis=1)


def seasonal_naive_forecast(
    X: Any, season: int, horizon: int = 1, target: int = 0
) -> np.ndarray:
    """Each future step equals the value one season earlier (same day last week or year).

    The forecast of step ``t + h`` is the observed value at ``t + h - season``, so the
    windows must reach back at least ``season - 1`` steps before their last one.

    Parameters
    ----------
    X
        Windows, shape ``(n, lookback, features)`` with ``lookback >= season``.
    season
        Length of the season in steps (7 for weekly, 365 for yearly daily data).
    horizon
        Steps ahead, at most ``season`` (further steps would need unobserved values).
    target
        Feature to forecast.

    Returns
    -------
    numpy.ndarray
        ``(n, horizon)`` forecasts.
    """
    X, horizon, target, season = _forecast_arguments(X, horizon, target, season)
    lookback = X.shape[1]
    if horizon > season:
        raise ValueError(
            f"horizon={horizon} exceeds season={season}: the values one season before the "
            "last steps are not observed yet. Use horizon <= season."
        )
    if lookback < season:
        raise ValueError(
            f"Windows of lookback={lookback} cannot see one season ({season} steps) back. "
            f"Make windows with lookback >= {season} for the baseline (a model can use "
            f"X[:, -k:, :] of the same windows, so both share the same targets)."
        )
    positions = lookback - season + np.arange(horizon)
    return X[:, positions, target]


class LinearForecaster:
    """Least squares on the window: ``y = W · window + b``, fitted on training windows.

    Parameters
    ----------
    target_only
        Use only the target feature of each window (default: every feature).
    target
        Feature index used when ``target_only`` is True.
    """

    def __init__(self, target_only: bool = False, target: int = 0) -> None:
        self.target_only = target_only
        self.target = target
        self.coef_: np.ndarray | None = None
        self.n_inputs_: tuple[int, int] | None = None

    def _design(self, X: np.ndarray) -> np.ndarray:
        if self.target_only:
            X = X[:, :, [_feature(X, self.target)]]
        flat = X.reshape(len(X), -1)
        return np.hstack([flat, np.ones((len(flat), 1))])

    def fit(self, X_train: Any, y_train: Any) -> "LinearForecaster":
        """Fit on windows ``(n, lookback, features)`` and targets ``(n, horizon)``."""
        X = _windows(X_train, "X_train")
        y = one_row_per_window(y_train, len(X), "y_train", " to match X_train")
        self.coef_, *_ = np.linalg.lstsq(self._design(X), y, rcond=None)
        self.n_inputs_ = (X.shape[1], X.shape[2])
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Forecasts ``(n, horizon)`` for windows shaped like the training windows."""
        if self.coef_ is None:
            raise ValueError("Call fit(X_train, y_train) before predict.")
        X = _windows(X)
        if (X.shape[1], X.shape[2]) != self.n_inputs_:
            raise ValueError(
                f"Windows have (lookback, features) = {(X.shape[1], X.shape[2])} but the "
                f"model was fitted on {self.n_inputs_}: build the windows with the same lookback "
                "and features as the training windows, or fit the model again on windows of the "
                "new shape."
            )
        return self._design(X) @ self.coef_


def linear_forecast(
    X_train: Any, y_train: Any, X: Any, target_only: bool = False, target: int = 0
) -> np.ndarray:
    """Fit least squares on training windows and forecast the windows ``X``.

    The strongest of the simple baselines: a model that cannot beat a linear function of
    its inputs has learned nothing a neural network was needed for.

    Parameters
    ----------
    X_train, y_train
        Training windows ``(n_train, lookback, features)`` and targets ``(n_train, horizon)``.
    X
        Windows to forecast, ``(n, lookback, features)``.
    target_only, target
        See :class:`LinearForecaster`.

    Returns
    -------
    numpy.ndarray
        ``(n, horizon)`` forecasts.
    """
    model = LinearForecaster(target_only=target_only, target=target)
    return model.fit(X_train, y_train).predict(X)
