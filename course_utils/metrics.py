"""Forecast errors and the comparison table every model in the course is shown in."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._validate import nonempty_scores

__all__ = ["rmse", "mae", "r2", "compare"]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(y_true, dtype=np.float64)
    pred = np.asarray(y_pred, dtype=np.float64)
    if true.shape != pred.shape:
        # (n,) against (n, 1) is the common, harmless mismatch: accept it
        if true.size == pred.size and true.squeeze().shape == pred.squeeze().shape:
            true, pred = true.reshape(-1), pred.reshape(-1)
        else:
            raise ValueError(
                f"y_true has shape {true.shape} but y_pred has shape {pred.shape}; they must "
                "hold one prediction per true value (e.g. both (n, horizon))."
            )
    nonempty_scores(true.size)
    if not (np.isfinite(true).all() and np.isfinite(pred).all()):
        raise ValueError(
            "y_true or y_pred contains NaN or infinite values: a diverged model or a gap in "
            "the data. Fix them before scoring."
        )
    return true, pred


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error, in the units of the data.

    Parameters
    ----------
    y_true, y_pred
        Arrays of the same shape, e.g. ``(n,)`` or ``(n, horizon)``.
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((true - pred) ** 2)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error, in the units of the data."""
    true, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def r2(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination: 1 is perfect, 0 is as good as predicting the mean.

    Raises
    ------
    ValueError
        If ``y_true`` is constant (R² is undefined).
    """
    true, pred = _pair(y_true, y_pred)
    total = np.sum((true - true.mean()) ** 2)
    if total == 0:
        raise ValueError("R^2 is undefined when y_true is constant; report RMSE or MAE instead.")
    return float(1.0 - np.sum((true - pred) ** 2) / total)


def compare(
    y_true: Any, predictions: Mapping[str, Any], baseline: str | None = "persistence"
) -> pd.DataFrame:
    """Score several forecasts of the same targets, best first.

    Parameters
    ----------
    y_true
        True values, shape ``(n,)`` or ``(n, horizon)``, in the units to report (invert any
        scaling first).
    predictions
        Model name -> predictions of the same shape as ``y_true``.
    baseline
        Name of the reference forecast in ``predictions``; the table gives every model's
        RMSE divided by the baseline's (below 1 beats it). ``None`` leaves the ratio out.

    Returns
    -------
    pandas.DataFrame
        One row per model (index ``model``), columns ``RMSE``, ``MAE``, ``R2`` and, with a
        baseline, ``RMSE / <baseline>``; sorted by RMSE, smallest first.

    Raises
    ------
    ValueError
        If ``predictions`` is empty, a shape differs, or ``baseline`` is not one of its keys.
    """
    if not isinstance(predictions, Mapping) or not predictions:
        raise ValueError(
            "predictions must be a non-empty dict of model name -> predictions, e.g. "
            "{'persistence': persistence_forecast(X_test), 'LSTM': model.predict(X_test)}."
        )
    if baseline is not None and baseline not in predictions:
        raise ValueError(
            f"The baseline {baseline!r} is not among the predictions {list(predictions)}: add "
            "it (every model is shown beside its baseline) or pass baseline=None."
        )
    true = np.asarray(y_true, dtype=np.float64)
    constant = np.ptp(true) == 0 if true.size else True
    rows = []
    for name, pred in predictions.items():
        try:
            row = {"model": str(name), "RMSE": rmse(true, pred), "MAE": mae(true, pred)}
        except ValueError as exc:
            raise ValueError(f"Predictions of {name!r}: {exc}") from None
        row["R2"] = np.nan if constant else r2(true, pred)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("model")
    if baseline is not None:
        table[f"RMSE / {baseline}"] = table["RMSE"] / table.loc[str(baseline), "RMSE"]
    return table.sort_values("RMSE", kind="stable")
