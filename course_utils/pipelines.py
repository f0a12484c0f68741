"""The leak-free path from a table of features to scaled training, validation and test windows.

One function does the steps in the only safe order: split in time, fit the scaler on the
training part, scale every part with it, and cut windows inside each part so that no window
straddles a split boundary. Lessons build it step by step first (notebook 03), then use this.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .windows import FittedScaler, chronological_split, fit_scaler, make_windows

__all__ = ["WindowedSplit", "windowed_split"]


@dataclass(frozen=True)
class WindowedSplit:
    """Scaled windows of the three parts of a series, and what is needed to undo the scaling.

    Attributes
    ----------
    X_train, X_val, X_test
        ``float32`` windows of shape ``(n_part, lookback, features)``, scaled.
    y_train, y_val, y_test
        ``float32`` targets of shape ``(n_part, horizon)``, scaled.
    scaler
        Fitted on the training rows only.
    target
        Column index of the target feature.
    feature_names
        Names of the feature columns, in order.
    train_dates, val_dates, test_dates
        Index label (e.g. date) of the first target step of every window, shape ``(n_part,)``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: FittedScaler
    target: int
    feature_names: list[str]
    train_dates: pd.Index
    val_dates: pd.Index
    test_dates: pd.Index

    def to_units(self, values: Any) -> np.ndarray:
        """Scaled values of the target (any shape, e.g. predictions) back in original units."""
        return self.scaler.inverse_transform_column(values, self.target)


def windowed_split(
    data: Any,
    lookback: int,
    horizon: int = 1,
    target: int | str = 0,
    train: float = 0.7,
    val: float = 0.15,
    scaler: str = "minmax",
) -> WindowedSplit:
    """Split in time, scale with training statistics, and window each part separately.

    Parameters
    ----------
    data
        ``pandas.DataFrame`` or ``Series`` (its index, e.g. dates, labels the targets), or an
        array of shape ``(T,)`` or ``(T, features)``. Oldest row first, no missing values.
    lookback, horizon
        Window length and number of future steps, as in :func:`make_windows`.
    target
        Column of the value to forecast: an index, or a column name for a DataFrame.
    train, val
        Fractions of rows for the training and validation parts (test: the rest).
    scaler
        ``"minmax"`` or ``"standard"``, fitted on the training rows only.

    Returns
    -------
    WindowedSplit

    Raises
    ------
    ValueError
        If ``target`` names no column, or a part is too short for one window (the message
        says which part and how long it is).
    """
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        if isinstance(target, str):
            if target not in names:
                raise ValueError(f"target {target!r} is not a column; the columns are {names}.")
            target = names.index(target)
        index = data.index
        values = data.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(data, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, np.newaxis]
        names = [f"feature {i}" for i in range(values.shape[1] if values.ndim == 2 else 0)]
        index = pd.RangeIndex(len(values))
        if isinstance(target, str):
            raise ValueError("target can be a column name only when data is a DataFrame; give an index.")
    parts = chronological_split(values, train=train, val=val)
    part_index = chronological_split(np.arange(len(values)), train=train, val=val)
    fitted = fit_scaler(parts[0], kind=scaler)
    windows, dates = [], []
    for name, part, rows in zip(("training", "validation", "test"), parts, part_index):
        if len(part) < lookback + horizon:
            raise ValueError(
                f"The {name} part has {len(part)} rows, too few for lookback={lookback} and "
                f"horizon={horizon} ({lookback + horizon} rows per window). Use a shorter "
                "lookback or give the part a larger fraction."
            )
        X, y = make_windows(fitted.transform(part), lookback, horizon, target)
        windows.append((X, y))
        dates.append(index[rows[lookback : lookback + len(X)]])
    return WindowedSplit(
        X_train=windows[0][0], y_train=windows[0][1],
        X_val=windows[1][0], y_val=windows[1][1],
        X_test=windows[2][0], y_test=windows[2][1],
        scaler=fitted, target=int(target), feature_names=names,
        train_dates=dates[0], val_dates=dates[1], test_dates=dates[2],
    )
