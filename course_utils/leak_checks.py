"""Behavioural checks that a windowing pipeline does not leak the future into training.

Each check calls a pipeline on a probe series built so that the answer can be read back
from its output, and raises ``AssertionError`` with an explanation when the pipeline leaks:

* :func:`check_scaler_fitted_on_training`: the scaler's range is the training part's range;
* :func:`check_chronological_split`: the parts follow each other in time, unshuffled;
* :func:`check_windows_inside_parts`: no window (or its target) crosses a split boundary;
* :func:`check_targets_follow_windows`: each target is the value right after its window.

A *pipeline* is a callable ``pipeline(series, lookback, train, val)`` that returns a dict
with windows ``X_train``, ``X_val``, ``X_test`` of shape ``(n, lookback, 1)``, targets
``y_train``, ``y_val``, ``y_test`` of shape ``(n, 1)`` (all scaled), and the scaler's
range ``scaler_low`` and ``scaler_high`` (scaled = (value - low) / (high - low)). The
fractions ``train`` and ``val`` are fractions of the series' rows, split as
:func:`course_utils.windows.chronological_split` does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validate import count
from .windows import chronological_split

__all__ = ["PART_NAMES", "run_pipeline", "check_scaler_fitted_on_training",
           "check_chronological_split", "check_windows_inside_parts",
           "check_targets_follow_windows"]

#: The three parts a pipeline returns, oldest first.
PART_NAMES = ("train", "val", "test")
_OFFSET = 1000.0  # probe values are 1000 + position, so positions can be read back


def _check_arguments(pipeline: Any, n_steps: Any, lookback: Any, train: Any, val: Any) -> None:
    if not callable(pipeline):
        raise ValueError(f"pipeline must be a function pipeline(series, lookback, train, val); got {pipeline!r}.")
    count(n_steps, "n_steps", 3)
    count(lookback, "lookback", 1)
    parts = chronological_split(np.arange(n_steps), train=train, val=val)  # checks the fractions
    if min(len(part) for part in parts) < lookback + 1:
        raise ValueError(
            f"n_steps={n_steps} is too short: with train={train}, val={val} every part needs at "
            f"least lookback + 1 = {lookback + 1} rows. Use a longer probe series."
        )


def run_pipeline(pipeline: Callable[..., Any], series: Any, lookback: int, train: float = 0.7,
                 val: float = 0.15) -> dict[str, Any]:
    """Call a pipeline and check the form of what it returns.

    Returns
    -------
    dict
        ``{"train": (X, y), "val": (X, y), "test": (X, y), "low": float, "high": float}``
        with ``X`` as float arrays ``(n, lookback)`` (the single feature) and ``y`` ``(n,)``.

    Raises
    ------
    AssertionError
        If the result is not a dict with the expected keys, shapes and a valid range.
    """
    result = pipeline(series, lookback, train=train, val=val)
    assert isinstance(result, dict), f"the pipeline should return a dict; it returned {type(result).__name__}"
    keys = {f"{a}_{p}" for a in ("X", "y") for p in PART_NAMES} | {"scaler_low", "scaler_high"}
    missing = sorted(keys - set(result))
    assert not missing, f"the pipeline's dict lacks the keys {missing}"
    found: dict[str, Any] = {}
    for part in PART_NAMES:
        X = np.asarray(result[f"X_{part}"], dtype=np.float64)
        y = np.asarray(result[f"y_{part}"], dtype=np.float64)
        assert X.ndim == 3 and X.shape[1:] == (lookback, 1), (
            f"X_{part} should have shape (n, lookback, 1) = (n, {lookback}, 1); got {X.shape}")
        assert y.shape == (len(X), 1), f"y_{part} should have shape (n, 1) = ({len(X)}, 1); got {y.shape}"
        assert len(X) > 0, f"X_{part} holds no windows"
        found[part] = (X[:, :, 0], y[:, 0])
    low, high = float(result["scaler_low"]), float(result["scaler_high"])
    assert np.isfinite(low) and np.isfinite(high) and high > low, (
        f"scaler_low and scaler_high should be finite with low < high; got {low}, {high}")
    found["low"], found["high"] = low, high
    return found


def _positions(pipeline: Callable[..., Any], n_steps: int, lookback: int, train: float,
               val: float) -> dict[str, Any]:
    """Check the arguments, run the pipeline on 1000 + position and read the positions back."""
    _check_arguments(pipeline, n_steps, lookback, train, val)
    probe = _OFFSET + np.arange(n_steps, dtype=np.float64)
    parts = run_pipeline(pipeline, probe, lookback, train, val)
    low, high = parts["low"], parts["high"]
    positions = {}
    for part in PART_NAMES:
        X, y = parts[part]
        positions[part] = tuple(np.rint(v * (high - low) + low - _OFFSET).astype(np.int64) for v in (X, y))
    positions["rows"] = dict(zip(PART_NAMES, chronological_split(np.arange(n_steps), train, val)))
    return positions


def check_scaler_fitted_on_training(pipeline: Callable[..., Any], n_steps: int = 300, lookback: int = 5,
                                    train: float = 0.7, val: float = 0.15, seed: int = 0) -> None:
    """The scaler's range is the training part's minimum and maximum, and it is the one applied.

    The probe is a random walk whose extremes fall outside the training part, so a scaler
    fitted on the whole series has a different range.

    Raises
    ------
    ValueError
        If an argument is invalid (not a callable, sizes, fractions).
    AssertionError
        If the pipeline's scaler is not fitted on the training rows only.
    """
    _check_arguments(pipeline, n_steps, lookback, train, val)
    walk = np.cumsum(np.random.default_rng(seed).normal(size=n_steps))
    rows = chronological_split(np.arange(n_steps), train, val)
    walk[rows[1][len(rows[1]) // 2]] = walk.max() + 5.0  # the series' extremes lie outside training
    walk[rows[2][len(rows[2]) // 2]] = walk.min() - 5.0
    parts = run_pipeline(pipeline, walk, lookback, train, val)
    training = walk[rows[0]]
    expected = (training.min(), training.max())
    got = (parts["low"], parts["high"])
    assert np.allclose(got, expected, rtol=0, atol=1e-6 * (expected[1] - expected[0])), (
        f"the scaler's range is {got}, but the training part's range is {expected}: fit the scaler "
        "on the training part only, then apply it to every part")
    tolerance = 1e-4 * (expected[1] - expected[0])
    ordered = np.sort(walk)
    for part in PART_NAMES:
        values = np.concatenate([v.ravel() for v in parts[part]]) * (got[1] - got[0]) + got[0]
        nearest = np.clip(np.searchsorted(ordered, values), 1, len(ordered) - 1)
        distance = np.minimum(np.abs(values - ordered[nearest - 1]), np.abs(values - ordered[nearest]))
        assert distance.max() <= tolerance, (
            f"the {part} values are not the series scaled with (value - scaler_low) / "
            "(scaler_high - scaler_low): scale every part with the training range")


def check_chronological_split(pipeline: Callable[..., Any], n_steps: int = 300, lookback: int = 5,
                              train: float = 0.7, val: float = 0.15) -> None:
    """The parts follow each other in time and keep their windows in time order (no shuffling).

    Raises
    ------
    ValueError
        If an argument is invalid.
    AssertionError
        If windows are shuffled or a later part holds windows older than an earlier one.
    """
    positions = _positions(pipeline, n_steps, lookback, train, val)
    starts = {part: positions[part][0][:, 0] for part in PART_NAMES}
    for part in PART_NAMES:
        assert np.all(np.diff(starts[part]) > 0), (
            f"the {part} windows are not in time order: split in time and do not shuffle")
    assert starts["train"].max() < starts["val"].min() and starts["val"].max() < starts["test"].min(), (
        "the parts overlap in time: the training part must be the oldest and the test part the newest")


def check_windows_inside_parts(pipeline: Callable[..., Any], n_steps: int = 300, lookback: int = 5,
                               train: float = 0.7, val: float = 0.15) -> None:
    """Every window and its target lie inside one part of the chronologically split series.

    Raises
    ------
    ValueError
        If an argument is invalid.
    AssertionError
        If a window or target uses rows of another part (a window crosses a split boundary).
    """
    positions = _positions(pipeline, n_steps, lookback, train, val)
    for part in PART_NAMES:
        rows = positions["rows"][part]
        X, y = positions[part]
        used = np.concatenate([X.ravel(), y.ravel()])
        outside = used[(used < rows[0]) | (used > rows[-1])]
        assert outside.size == 0, (
            f"{part} windows use rows {sorted(set(outside.tolist()))[:5]}..., outside the {part} "
            f"part (rows {rows[0]} to {rows[-1]}): split the series first, then cut windows inside each part")


def check_targets_follow_windows(pipeline: Callable[..., Any], n_steps: int = 300, lookback: int = 5,
                                 train: float = 0.7, val: float = 0.15) -> None:
    """Each window holds ``lookback`` consecutive steps and its target is the step right after.

    Raises
    ------
    ValueError
        If an argument is invalid.
    AssertionError
        If a window is not consecutive or its target is not the next value.
    """
    positions = _positions(pipeline, n_steps, lookback, train, val)
    for part in PART_NAMES:
        X, y = positions[part]
        assert np.all(X == X[:, :1] + np.arange(lookback)), f"the {part} windows are not consecutive steps"
        offset = np.unique(y - X[:, -1])
        assert offset.tolist() == [1], (
            f"in the {part} part the target is {offset.tolist()} step(s) after the window's last value; "
            "it should be the next value (1 step after)")
