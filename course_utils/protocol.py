"""A reusable evaluation protocol: one call from a series to an honest results table.

:func:`evaluate_forecaster` applies the course's rules to any series, e.g. one column of a
learner's CSV loaded with :func:`course_utils.datasets.load_series_csv`:

1. split in time (training, validation, test), fit the scaler on the training rows only and
   window each part separately (:func:`course_utils.pipelines.windowed_split`);
2. score the baselines on the test windows: persistence, seasonal naive (when a season is
   given) and a linear least-squares model of the same inputs as the model;
3. seed everything, build the model, train it with early stopping on the validation part
   (keeping the best epoch's weights), and forecast the test windows once;
4. convert every forecast back to the units of the data and compare them all on the same
   targets (:func:`course_utils.metrics.compare`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ._validate import NUMBERS_ADVICE, count, numbers
from .architectures import train_with_early_stopping
from .baselines import linear_forecast, persistence_forecast, seasonal_naive_forecast
from .config import set_seed
from .metrics import compare
from .pipelines import WindowedSplit, windowed_split

__all__ = ["ProtocolResult", "evaluate_forecaster"]


@dataclass(frozen=True)
class ProtocolResult:
    """Everything :func:`evaluate_forecaster` measured.

    Attributes
    ----------
    table
        :func:`course_utils.metrics.compare` table in the units of the data: one row per
        forecast (baselines and model), columns ``RMSE``, ``MAE``, ``R2`` and
        ``RMSE / persistence``, best first.
    y_test
        True test targets in the units of the data, shape ``(n_test, horizon)``.
    forecasts
        Forecast name -> test forecasts in the units of the data, shape ``(n_test, horizon)``.
    test_dates
        Label (e.g. date) of the first target step of every test window, shape ``(n_test,)``.
    model_name
        Name of the model's row in ``table``.
    history
        The ``keras.callbacks.History`` of the training run.
    seconds
        Training time of the model.
    split
        The :class:`course_utils.pipelines.WindowedSplit` used (scaled windows, scaler).
    """

    table: pd.DataFrame
    y_test: np.ndarray
    forecasts: dict[str, np.ndarray]
    test_dates: pd.Index
    model_name: str
    history: Any = field(repr=False)
    seconds: float
    split: WindowedSplit = field(repr=False)

    @property
    def baselines(self) -> list[str]:
        """Names of the baseline rows of ``table``."""
        return [name for name in self.forecasts if name != self.model_name]

    def verdicts(self) -> list[str]:
        """One line per baseline: does the model beat it or lose to it, by how much (RMSE)?"""
        model = self.table.loc[self.model_name, "RMSE"]
        lines = []
        for name in self.baselines:
            other = self.table.loc[name, "RMSE"]
            verdict = "beats" if model < other else "loses to"
            lines.append(f"{self.model_name} ({model:.4g}) {verdict} {name} ({other:.4g}): ratio {model / other:.3f}")
        return lines


def _check_series(series: Any) -> None:
    if isinstance(series, (pd.Series, pd.DataFrame)):
        values = series.to_numpy()
    else:
        values = np.asarray(series)
    finite = np.isfinite(numbers(values, "The series",
                                 f"give one numeric column per feature: {NUMBERS_ADVICE}")).all()
    if not finite:
        raise ValueError(
            "The series contains missing (NaN) or infinite values. Fill or drop them first, e.g. "
            "series.interpolate(), and keep a note of which values were filled."
        )


def _predict(model: Any, X: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Forecasts of windows ``(n, lookback, features)`` -> ``(n, horizon)``, computed eagerly.

    For a test part of a few thousand windows, calling the model directly is quicker than
    ``model.predict``, which first compiles a prediction graph; the results are the same.
    """
    return np.concatenate([np.asarray(model(X[start:start + chunk], training=False))
                           for start in range(0, len(X), chunk)])


def evaluate_forecaster(
    series: Any,
    lookback: int,
    horizon: int,
    build_model: Callable[..., Any],
    *,
    target: int | str = 0,
    season: int | None = None,
    train: float = 0.7,
    val: float = 0.15,
    scaler: str = "minmax",
    epochs: int = 50,
    batch_size: int = 64,
    patience: int = 5,
    seed: int = 42,
    model_name: str = "model",
) -> ProtocolResult:
    """Train a model on a series and compare it with the baselines on the test part, in real units.

    Parameters
    ----------
    series
        Oldest value first, no missing values: a ``pandas.Series`` (e.g. from
        ``load_series_csv``), a ``DataFrame`` of features, or an array ``(T,)`` / ``(T, features)``.
        A date index labels the test windows.
    lookback
        Number of past steps the model and the linear baseline read, ``>= 1``.
    horizon
        Number of future steps forecast at once, ``>= 1``.
    build_model
        Function called as ``build_model(lookback=..., n_features=..., horizon=...)`` that
        returns a compiled Keras model mapping ``(batch, lookback, n_features)`` to
        ``(batch, horizon)``, e.g. ``functools.partial(build_lstm_regressor, units=32)``.
    target
        Column to forecast (index, or name for a DataFrame).
    season
        Length of the season in steps (e.g. 365 for yearly daily data, 7 for weekly), or
        ``None`` for no seasonal baseline. With a season, windows are cut ``max(lookback,
        season)`` steps long so that all forecasts share the same targets; the model and the
        linear baseline read only their last ``lookback`` steps.
    train, val
        Fractions of rows for training and validation (test: the rest).
    scaler
        ``"minmax"`` or ``"standard"``, fitted on the training rows only.
    epochs, batch_size, patience
        Training settings; early stopping watches the validation loss, waits ``patience``
        epochs and restores the best weights.
    seed
        Passed to :func:`course_utils.config.set_seed` before the model is built.
    model_name
        Name of the model's row in the table.

    Returns
    -------
    ProtocolResult

    Raises
    ------
    ValueError
        If an argument is invalid, the series holds missing values, a part of the split is
        too short for one window, or the model's output does not have ``horizon`` values.
    """
    import keras

    if not callable(build_model):
        raise ValueError("build_model must be a function build_model(lookback=, n_features=, horizon=) "
                         "that returns a compiled Keras model.")
    lookback, horizon = count(lookback, "lookback", 1), count(horizon, "horizon", 1)
    epochs, batch_size = count(epochs, "epochs", 1), count(batch_size, "batch_size", 1)
    patience = count(patience, "patience", 0)
    if season is not None:
        season = count(season, "season", 1)
        if horizon > season:
            raise ValueError(f"horizon={horizon} exceeds season={season}: the seasonal-naive forecast "
                             "would need values not yet observed. Use horizon <= season or season=None.")
    if not isinstance(model_name, str) or not model_name or model_name in ("persistence", "seasonal naive", "linear"):
        raise ValueError(f"model_name must be a non-empty name different from the baselines'; got {model_name!r}.")
    _check_series(series)
    split = windowed_split(series, max(lookback, season or 0), horizon, target, train, val, scaler)
    inputs = {part: X[:, -lookback:, :] for part, X in
              (("train", split.X_train), ("val", split.X_val), ("test", split.X_test))}
    scaled = {"persistence": persistence_forecast(split.X_test, horizon, split.target)}
    if season is not None:
        scaled["seasonal naive"] = seasonal_naive_forecast(split.X_test, season, horizon, split.target)
    scaled["linear"] = linear_forecast(inputs["train"], split.y_train, inputs["test"])

    set_seed(seed)
    model = build_model(lookback=lookback, n_features=len(split.feature_names), horizon=horizon)
    if not isinstance(model, keras.Model) or not getattr(model, "compiled", False):
        raise ValueError("build_model must return a compiled keras.Model (call model.compile(loss='mse', ...)).")
    if tuple(model.output_shape[1:]) != (horizon,):
        raise ValueError(f"The model outputs shape {model.output_shape[1:]} per window but horizon={horizon}: "
                         f"end it with Dense({horizon}).")
    fit = train_with_early_stopping(model, inputs["train"], split.y_train, inputs["val"], split.y_val,
                                    epochs=epochs, batch_size=batch_size, patience=patience)
    history, seconds = fit.history, fit.seconds
    scaled[model_name] = _predict(model, inputs["test"])

    y_test = split.to_units(split.y_test)
    forecasts = {name: split.to_units(values) for name, values in scaled.items()}
    table = compare(y_test, forecasts, baseline="persistence")
    return ProtocolResult(table=table, y_test=y_test, forecasts=forecasts, test_dates=split.test_dates,
                          model_name=model_name, history=history, seconds=seconds, split=split)
