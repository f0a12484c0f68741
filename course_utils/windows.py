"""Turn a series into supervised windows, split it in time, and scale it without leakage.

The order of operations that keeps an evaluation honest::

    train, val, test = chronological_split(values)        # contiguous, in time order
    scaler = fit_scaler(train)                            # statistics of `train` only
    X_train, y_train = make_windows(scaler.transform(train), lookback)
    X_val, y_val = make_windows(scaler.transform(val), lookback)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import count, feature_index, numbers

__all__ = ["make_windows", "chronological_split", "purged_block_split", "fit_scaler", "FittedScaler"]


def _as_2d(series: Any, name: str = "series") -> np.ndarray:
    """``(T,)`` or ``(T, features)`` array-like -> float ``(T, features)`` array."""
    values = numbers(series, name)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must have shape (timesteps,) or (timesteps, features); got shape "
            f"{values.shape}. For a batch of independent series, window each one separately."
        )
    if not np.isfinite(values).all():
        raise ValueError(
            f"{name} contains NaN or infinite values: fill or drop them before windowing "
            "(see load_melbourne_temperatures(fill='interpolate'))."
        )
    return values


def make_windows(
    series: Any, lookback: int, horizon: int = 1, target: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into input windows and the values that follow them.

    Window ``i`` holds steps ``i .. i + lookback - 1`` of every feature; its target holds
    steps ``i + lookback .. i + lookback + horizon - 1`` of the ``target`` feature. Every
    window is kept (none lost at the end) and no target reaches beyond the series.

    Parameters
    ----------
    series
        Array-like of shape ``(T,)`` or ``(T, features)``, oldest step first.
    lookback
        Number of past steps the model sees, >= 1.
    horizon
        Number of future steps to predict, >= 1.
    target
        Index of the feature to predict (column of ``series``).

    Returns
    -------
    X : numpy.ndarray
        ``float32`` of shape ``(n, lookback, features)`` with ``n = T - lookback - horizon + 1``.
    y : numpy.ndarray
        ``float32`` of shape ``(n, horizon)``.

    Raises
    ------
    ValueError
        If the series is too short for one window, holds NaN, or an argument is out of range.

    Examples
    --------
    >>> X, y = make_windows([1, 2, 3, 4, 5], lookback=3)
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [[4.0], [5.0]])
    """
    values = _as_2d(series)
    lookback = count(lookback, "lookback", 1)
    horizon = count(horizon, "horizon", 1)
    n_steps, n_features = values.shape
    feature_index(target, n_features, "target", kind="column",
                  note=f" (the series has {n_features} feature(s))")
    n = n_steps - lookback - horizon + 1
    if n < 1:
        raise ValueError(
            f"A series of {n_steps} steps is too short for lookback={lookback} and "
            f"horizon={horizon}: one window needs {lookback + horizon} steps. Use a shorter "
            "lookback or a longer series."
        )
    starts = np.arange(n)[:, np.newaxis]
    X = values[starts + np.arange(lookback)]
    y = values[starts + lookback + np.arange(horizon), target]
    return X.astype(np.float32), y.astype(np.float32)


def _every_part_has_a_row(n: int, train: float, val: float) -> bool:
    """Whether :func:`chronological_split` of ``n`` rows leaves each of its three parts a row."""
    n_train, n_val = int(round(n * train)), int(round(n * val))
    return n_train >= 1 and n_val >= 1 and n - n_train - n_val >= 1


def chronological_split(data: Any, train: float = 0.7, val: float = 0.15) -> tuple[Any, Any, Any]:
    """Split data into train, validation and test parts that follow each other in time.

    Nothing is shuffled: the training part is the oldest, the test part the newest, as in
    real forecasting where the model is used on the future.

    Parameters
    ----------
    data
        Array of shape ``(T, ...)``, a list, or a pandas Series/DataFrame (split by row
        position; its index, e.g. dates, is kept on each part).
    train, val
        Fractions of the rows for training and validation; the test part gets the rest.
        Both in ``(0, 1)`` with ``train + val < 1``.

    Returns
    -------
    tuple
        ``(train_part, val_part, test_part)``, of the same type as ``data``.

    Raises
    ------
    ValueError
        If the fractions are out of range or a part would be empty.
    """
    for name, fraction in [("train", train), ("val", val)]:
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not (
            0 < fraction < 1
        ):
            raise ValueError(f"{name} must be a fraction between 0 and 1; got {fraction!r}.")
    if train + val >= 1:
        raise ValueError(
            f"train + val = {train + val:g} leaves nothing for the test part; make them sum "
            "to less than 1 (e.g. train=0.7, val=0.15)."
        )
    n = len(data)
    if not _every_part_has_a_row(n, train, val):
        enough = next((m for m in range(n + 1, n + 100_000) if _every_part_has_a_row(m, train, val)), None)
        example = f" ({enough} rows are enough for these fractions)" if enough else ""
        raise ValueError(
            f"{n} rows are too few to split into train={train}, val={val} and a test part "
            f"with at least one row each: give a longer series{example}."
        )
    n_train, n_val = int(round(n * train)), int(round(n * val))
    take = data.iloc if hasattr(data, "iloc") else data
    return take[:n_train], take[n_train : n_train + n_val], take[n_train + n_val :]



def purged_block_split(n_windows: int, lookback: int, n_blocks: int = 20, test_blocks: int = 3,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions of training and test windows: random contiguous test blocks, purged.

    A diagnostic split, not a forecasting one (training windows lie after test windows
    too). The windows ``0 .. n_windows - 1`` are cut into ``n_blocks`` contiguous blocks and
    ``test_blocks`` of them, drawn at random among the *inner* blocks (never the first or the
    last), are the test windows: every test block has training data on both sides, so its
    levels lie among those training saw (a last block of a trending price would not). Window ``i`` of
    :func:`make_windows` reads rows ``i .. i + lookback`` (inputs and target), so windows
    ``i`` and ``j`` share a row when ``|i - j| <= lookback``; every training window that
    shares a row with a test window is dropped (the *purge*). Compared with a shuffled split
    on the same series, the test windows still come from the whole period, but none of
    their rows is seen in training, which isolates the leak of the shuffled split.

    Parameters
    ----------
    n_windows
        Number of windows, e.g. ``len(X)``.
    lookback
        Input steps per window (as given to ``make_windows``; one target step is assumed).
    n_blocks, test_blocks
        Blocks to cut, and how many of them are test blocks (``1 <= test_blocks <= n_blocks - 2``).
    seed
        Seed of the random choice of test blocks.

    Returns
    -------
    tuple of numpy.ndarray
        ``(train_positions, test_positions)``, sorted integer positions into the windows.

    Raises
    ------
    ValueError
        If a count is not a positive integer, ``test_blocks > n_blocks - 2``, or the blocks are
        too short for a purge to leave any training window.
    """
    n_windows = count(n_windows, "n_windows")
    lookback = count(lookback, "lookback")
    n_blocks = count(n_blocks, "n_blocks", least=3)
    test_blocks = count(test_blocks, "test_blocks")
    seed = count(seed, "seed", least=0)
    if test_blocks > n_blocks - 2:
        raise ValueError(f"test_blocks ({test_blocks}) must be at most n_blocks - 2 ({n_blocks - 2}): test "
                         "blocks are drawn among the inner blocks, and the first and last stay for training.")
    if n_windows < n_blocks * (2 * lookback + 1):
        raise ValueError(
            f"{n_windows} windows cut into {n_blocks} blocks give blocks shorter than "
            f"2 * lookback + 1 = {2 * lookback + 1}, so the purge would empty them; use fewer "
            "blocks or a longer series.")
    block_of = np.arange(n_windows) * n_blocks // n_windows
    chosen = 1 + np.random.default_rng(seed).choice(n_blocks - 2, size=test_blocks, replace=False)
    is_test = np.isin(block_of, chosen)
    test_positions = np.flatnonzero(is_test)
    # a window is purged when a test window lies within lookback positions of it (either side)
    near_test = np.convolve(is_test.astype(np.int64), np.ones(2 * lookback + 1, dtype=np.int64),
                            mode="same") > 0
    train_positions = np.flatnonzero(~near_test)
    return train_positions, test_positions

@dataclass(frozen=True)
class FittedScaler:
    """A scaler whose statistics come from the training part only.

    ``transform`` maps values to ``(x - offset) / scale`` per feature, ``inverse_transform``
    maps them back. Build one with :func:`fit_scaler`.

    Attributes
    ----------
    kind
        ``"minmax"`` (training range -> [0, 1]) or ``"standard"`` (training mean 0, std 1).
    offset, scale
        ``float64`` arrays of shape ``(features,)``.
    """

    kind: str
    offset: np.ndarray
    scale: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of features the scaler was fitted on."""
        return int(self.offset.shape[0])

    def _check(self, values: Any) -> tuple[np.ndarray, bool]:
        array = np.asarray(values, dtype=np.float64)
        # only a (T,) series of the single feature gets an axis added (and removed again);
        # a 1-D array of n_features values is one row of features
        one_d = array.ndim == 1 and self.n_features == 1
        if one_d:
            array = array[:, np.newaxis]
        elif array.ndim == 0 or array.shape[-1] != self.n_features:
            raise ValueError(
                f"The scaler was fitted on {self.n_features} feature(s) but got an array of "
                f"shape {array.shape}; the last axis must be the features. To invert one "
                "column (such as predictions of the target), use inverse_transform_column."
            )
        return array, one_d

    def transform(self, values: Any) -> np.ndarray:
        """Scale ``values`` of shape ``(..., features)`` (or ``(T,)`` for one feature)."""
        array, one_d = self._check(values)
        out = (array - self.offset) / self.scale
        return out[:, 0] if one_d else out

    def inverse_transform(self, values: Any) -> np.ndarray:
        """Undo :meth:`transform`: back to the original units."""
        array, one_d = self._check(values)
        out = array * self.scale + self.offset
        return out[:, 0] if one_d else out

    def inverse_transform_column(self, values: Any, column: int = 0) -> np.ndarray:
        """Undo the scaling of one feature, e.g. predictions ``(n, horizon)`` of the target.

        Parameters
        ----------
        values
            Scaled values of feature ``column``, any shape.
        column
            Index of the feature the values belong to.
        """
        feature_index(column, self.n_features, "column", kind=None)
        array = np.asarray(values, dtype=np.float64)
        return array * self.scale[column] + self.offset[column]


def fit_scaler(train: Any, kind: str = "minmax") -> FittedScaler:
    """Fit a scaler on the training part only.

    Fitting on the whole series lets the test period's minimum, maximum or mean leak into
    training; fit here on ``train`` and apply the result to validation and test.

    Parameters
    ----------
    train
        Training values, shape ``(T,)`` or ``(T, features)``.
    kind
        ``"minmax"`` maps the training range of each feature to [0, 1]; ``"standard"`` gives
        each feature mean 0 and standard deviation 1 on the training part.

    Returns
    -------
    FittedScaler

    Raises
    ------
    ValueError
        For an unknown ``kind``, empty or non-finite data, or a constant feature.
    """
    if kind not in ("minmax", "standard"):
        raise ValueError(f"kind must be 'minmax' or 'standard'; got {kind!r}.")
    values = _as_2d(train, "train")
    if len(values) < 2:
        raise ValueError(
            f"fit_scaler needs at least two training rows; got {len(values)}. Fit it on the "
            "training part of the series (fit_scaler(train) after chronological_split), with "
            "one row per time step."
        )
    if kind == "minmax":
        offset = values.min(axis=0)
        scale = values.max(axis=0) - offset
    else:
        offset = values.mean(axis=0)
        scale = values.std(axis=0)
    constant = np.flatnonzero(scale == 0)
    if constant.size:
        raise ValueError(
            f"Feature(s) {constant.tolist()} are constant on the training part, so they "
            "cannot be scaled; drop them or check the split."
        )
    return FittedScaler(kind=kind, offset=offset, scale=scale)
