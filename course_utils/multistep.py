"""Errors of multi-step forecasts, one number per forecast step.

A forecast of ``horizon`` future values is scored on each step separately: the error of the
first day ahead, of the second, and so on. Errors usually grow with the step, and a model can
beat a baseline on the first days and lose on the last ones, which one average would hide.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._validate import finite
from .metrics import mae, rmse

__all__ = ["METRICS", "error_per_step", "per_step_table"]

#: Metrics :func:`error_per_step` knows: the course's own :func:`~course_utils.metrics.rmse` and
#: :func:`~course_utils.metrics.mae`, applied to each step's column.
METRICS = {"rmse": rmse, "mae": mae}


def _steps(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 3 and array.shape[2] == 1:  # a seq2seq output (n, horizon, 1)
        array = array[:, :, 0]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (n, horizon) (or (n, horizon, 1)) with at least one row; "
            f"got {array.shape}."
        )
    return finite(array, name, "fix them before scoring")


def error_per_step(y_true: Any, y_pred: Any, metric: str = "rmse") -> np.ndarray:
    """Error of each forecast step, over all windows.

    Parameters
    ----------
    y_true, y_pred
        True values and forecasts, shape ``(n, horizon)`` or ``(n, horizon, 1)``, in the
        units to report (invert any scaling first).
    metric
        ``"rmse"`` or ``"mae"``.

    Returns
    -------
    numpy.ndarray
        ``(horizon,)``: entry ``k`` is the error of the forecasts ``k + 1`` steps ahead.

    Raises
    ------
    ValueError
        If the metric is unknown or the shapes differ.

    Examples
    --------
    >>> error_per_step([[1.0, 2.0], [3.0, 4.0]], [[1.0, 3.0], [3.0, 2.0]], "mae").tolist()
    [0.0, 1.5]
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}; got {metric!r}.")
    true, pred = _steps(y_true, "y_true"), _steps(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true has shape {true.shape} but y_pred has {pred.shape}; both need one forecast "
            "per window and step, (n, horizon)."
        )
    return np.array([METRICS[metric](true[:, step], pred[:, step]) for step in range(true.shape[1])])


def per_step_table(
    y_true: Any, predictions: Mapping[str, Any], metric: str = "rmse", step_name: str = "day"
) -> pd.DataFrame:
    """Error of each model at each forecast step, as a table.

    Parameters
    ----------
    y_true
        True values ``(n, horizon)``.
    predictions
        Model name -> forecasts of the same shape (or ``(n, horizon, 1)``).
    metric
        ``"rmse"`` or ``"mae"``.
    step_name
        Word for one step in the column names (``"day 1"``, ``"day 2"``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per model (index ``model``), one column per step, in the order given.

    Raises
    ------
    ValueError
        If ``predictions`` is empty or a forecast has the wrong shape (the message names it).
    """
    if not isinstance(predictions, Mapping) or not predictions:
        raise ValueError("predictions must be a non-empty dict of model name -> forecasts (n, horizon).")
    rows = {}
    for name, pred in predictions.items():
        try:
            rows[str(name)] = error_per_step(y_true, pred, metric)
        except ValueError as exc:
            raise ValueError(f"Forecasts of {name!r}: {exc}") from None
    horizon = len(next(iter(rows.values())))
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=[f"{step_name} {k}" for k in range(1, horizon + 1)])
    table.index.name = "model"
    return table
