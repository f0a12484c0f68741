"""course_utils.protocol: baselines and a model compared on the same test windows, in real units."""
from functools import partial

import keras
import numpy as np
import pandas as pd
import pytest

from course_utils.protocol import ProtocolResult, evaluate_forecaster
from errors import clear_error


def tiny_model(lookback, n_features, horizon, units=2):
    model = keras.Sequential([keras.Input(shape=(lookback, n_features)), keras.layers.LSTM(units),
                              keras.layers.Dense(horizon)])
    model.compile(loss="mse", optimizer="adam")
    return model


def seasonal_series(n=200):
    days = pd.date_range("2000-01-01", periods=n, freq="D")
    values = 20 + 5 * np.sin(2 * np.pi * np.arange(n) / 7) + np.random.default_rng(0).normal(0, 0.5, n)
    return pd.Series(values, index=days, name="value")


def test_table_holds_baselines_and_model_in_real_units():
    series = seasonal_series()
    result = evaluate_forecaster(series, lookback=5, horizon=2, build_model=tiny_model, season=7,
                                 epochs=1, batch_size=32, model_name="LSTM")
    assert isinstance(result, ProtocolResult)
    assert set(result.table.index) == {"persistence", "seasonal naive", "linear", "LSTM"}
    assert result.baselines == ["persistence", "seasonal naive", "linear"]
    assert result.y_test.shape == (len(result.test_dates), 2) == result.forecasts["LSTM"].shape
    assert 10 < result.y_test.mean() < 30  # degrees, not scaled values
    assert result.table.loc["persistence", "RMSE / persistence"] == pytest.approx(1.0)
    assert result.table.loc["seasonal naive", "RMSE"] < result.table.loc["persistence", "RMSE"]
    # the seasonal-naive forecast is the value one season (7 rows) before each target
    first = series.index.get_loc(result.test_dates[0])
    assert result.forecasts["seasonal naive"][0, 0] == pytest.approx(series.iloc[first - 7])
    lines = result.verdicts()
    assert len(lines) == 3 and all(("beats" in line) != ("loses to" in line) for line in lines)
    assert len(result.history.history["loss"]) == 1 and result.seconds > 0


def test_without_season_and_with_a_frame_of_features():
    frame = pd.DataFrame({"a": np.arange(120.0), "b": np.sin(np.arange(120.0))})
    result = evaluate_forecaster(frame, lookback=4, horizon=1, build_model=partial(tiny_model, units=3),
                                 target="b", epochs=1, train=0.6, val=0.2, scaler="standard")
    assert set(result.table.index) == {"persistence", "linear", "model"}
    assert result.split.X_test.shape[1:] == (4, 2)
    np.testing.assert_allclose(result.y_test[:, 0], np.sin(np.arange(120.0))[96 + 4:])


def test_same_seed_same_result():
    series = seasonal_series(120)
    first = evaluate_forecaster(series, 4, 1, tiny_model, epochs=2, seed=3)
    second = evaluate_forecaster(series, 4, 1, tiny_model, epochs=2, seed=3)
    np.testing.assert_allclose(first.forecasts["model"], second.forecasts["model"], rtol=1e-5)


def test_errors_say_what_to_change():
    series = seasonal_series(120)
    with clear_error("build_model", "function build_model(lookback=, n_features=, horizon=)"):
        evaluate_forecaster(series, 4, 1, "LSTM")
    with clear_error("lookback", ">= 1"):
        evaluate_forecaster(series, 0, 1, tiny_model)
    with clear_error("horizon", "integer"):
        evaluate_forecaster(series, 4, 1.5, tiny_model)
    with clear_error("epochs", ">= 1"):
        evaluate_forecaster(series, 4, 1, tiny_model, epochs=0)
    with clear_error("patience", ">= 0"):
        evaluate_forecaster(series, 4, 1, tiny_model, patience=-1)
    with clear_error("horizon=8 exceeds season=7", "horizon <= season"):
        evaluate_forecaster(series, 4, 8, tiny_model, season=7)
    with clear_error("model_name", "different from the baselines"):
        evaluate_forecaster(series, 4, 1, tiny_model, model_name="linear")
    with_gap = series.copy()
    with_gap.iloc[10] = np.nan
    with clear_error("missing (NaN)", "fill or drop"):
        evaluate_forecaster(with_gap, 4, 1, tiny_model)
    with clear_error("numbers only", "one numeric column per feature", "pd.to_numeric"):
        evaluate_forecaster(np.array(["a", "b"] * 60), 4, 1, tiny_model)
    with clear_error("validation part has 18 rows", "shorter lookback"):
        evaluate_forecaster(series, 4, 1, tiny_model, season=30)
    with clear_error("compiled keras.Model", "model.compile("):
        evaluate_forecaster(series, 4, 1, lambda **_: keras.Sequential([keras.Input((4, 1)), keras.layers.Dense(1)]))
    with clear_error("horizon=2", "end it with Dense(2)"):
        evaluate_forecaster(series, 4, 2, lambda lookback, n_features, horizon: tiny_model(lookback, n_features, 1))


def test_eager_forecasts_equal_keras_predict():
    from course_utils.protocol import _predict

    model = tiny_model(4, 1, 2)
    X = np.random.default_rng(0).normal(size=(10, 4, 1)).astype("float32")
    np.testing.assert_allclose(_predict(model, X, chunk=3), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
