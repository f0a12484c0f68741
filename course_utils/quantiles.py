"""Forecasts with uncertainty: quantiles, the pinball loss, and how to score an interval.

A quantile forecast gives, instead of one value, the values below which the truth should fall
with given probabilities, e.g. the 10th, 50th and 90th percentiles of tomorrow's temperature.
A network learns them with the **pinball loss** (:func:`pinball_loss`), whose minimiser is the
quantile; the band between the 10th and 90th percentiles should then contain the truth 80 % of
the time. An interval is scored by its **coverage** (:func:`interval_coverage`, how often it
contains the truth: near the nominal level is calibrated) and its **width**
(:func:`interval_width`, narrower is sharper, but only at equal coverage). A naive forecast gets
a band from the empirical quantiles of its errors on the training period
(:func:`empirical_quantile_band`), the baseline a learned band must beat. Predicted quantiles of
a network may come out of order (:func:`quantile_crossing_rate`).

Arrays of quantile forecasts have the quantiles on their last axis: ``(n, n_quantiles)`` for
one step ahead, ``(n, horizon, n_quantiles)`` for several. Keras is imported inside
:func:`pinball_loss` only, so importing this module stays light.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from ._validate import finite, numbers

__all__ = ["pinball_loss", "mean_pinball_loss", "interval_coverage", "interval_width",
           "empirical_quantile_band", "quantile_crossing_rate"]

_EXAMPLE = "e.g. (0.1, 0.5, 0.9)"


def _levels(quantiles: Any) -> np.ndarray:
    """Check quantile levels: a non-empty, increasing sequence of numbers strictly between 0 and 1.

    Parameters
    ----------
    quantiles
        The levels, e.g. ``(0.1, 0.5, 0.9)``.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(n_quantiles,)``.

    Raises
    ------
    ValueError
        If the levels are not a flat, non-empty, increasing sequence of numbers in (0, 1).
    """
    if isinstance(quantiles, (str, bytes)):
        raise ValueError(f"quantiles must be a sequence of numbers, {_EXAMPLE}; got the text {quantiles!r}.")
    levels = numbers(quantiles, "quantiles", f"give the levels as numbers, {_EXAMPLE}")
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(f"quantiles must be a non-empty flat sequence of levels, {_EXAMPLE} (for one "
                         f"quantile, (0.5,)); got shape {levels.shape}.")
    if not np.all((levels > 0) & (levels < 1)):
        raise ValueError(f"quantiles must lie strictly between 0 and 1 (0.9 is the 90th percentile), "
                         f"{_EXAMPLE}; got {levels.tolist()}.")
    if np.any(np.diff(levels) <= 0):
        raise ValueError(f"quantiles must be in increasing order without repeats, {_EXAMPLE}; got "
                         f"{levels.tolist()}: sort them and drop the duplicates.")
    return levels


def _finite_array(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty ``float64`` array without NaN or infinite values."""
    array = finite(numbers(values, name), name, "drop or fill them before scoring")
    if array.size == 0:
        raise ValueError(f"{name} is empty: there is nothing to score. Give at least one value "
                         "(an empty test part usually means the series was too short for the split).")
    return array


def _interval(lower: Any, upper: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check the bounds of intervals: same shape, finite, ``lower <= upper`` everywhere."""
    low, high = _finite_array(lower, "lower"), _finite_array(upper, "upper")
    if low.shape != high.shape:
        raise ValueError(f"lower has shape {low.shape} but upper has shape {high.shape}: give one lower "
                         "and one upper bound per forecast, e.g. pred[..., 0] and pred[..., -1].")
    crossed = int(np.sum(low > high))
    if crossed:
        raise ValueError(f"lower exceeds upper at {crossed} of {low.size} positions: the predicted "
                         "quantiles cross. Report quantile_crossing_rate(pred), then sort them along the "
                         "quantile axis (np.sort(pred, axis=-1)) before scoring the interval.")
    return low, high


def pinball_loss(quantiles: Sequence[float]) -> Callable[[Any, Any], Any]:
    """A Keras loss that trains one output per quantile level: the pinball (quantile) loss.

    For a level :math:`\\tau` and the error :math:`e = y - \\hat y_\\tau`, the loss is
    :math:`\\max(\\tau e, (\\tau - 1) e)`: under-forecasts cost :math:`\\tau` per unit and
    over-forecasts :math:`1 - \\tau`, so the constant that minimises its mean over a sample is
    the sample's :math:`\\tau`-quantile (the median for 0.5, where it is half the absolute error).

    Parameters
    ----------
    quantiles
        Increasing levels strictly between 0 and 1, e.g. ``(0.1, 0.5, 0.9)``.

    Returns
    -------
    callable
        ``loss(y_true, y_pred)`` built from ``keras.ops`` only, for ``model.compile(loss=...)``.
        ``y_pred`` has the quantiles on its last axis: ``(batch, n_quantiles)`` with
        ``y_true`` of shape ``(batch,)`` or ``(batch, 1)``, or ``(batch, horizon, n_quantiles)``
        with ``y_true`` of shape ``(batch, horizon)``. It returns the loss averaged over the
        quantiles, ``(batch,)`` or ``(batch, horizon)``; Keras averages the rest.

    Raises
    ------
    ValueError
        If the levels are not increasing numbers strictly between 0 and 1; when the loss is
        called, if ``y_pred``'s last axis does not hold one value per level or ``y_true`` does
        not match ``y_pred`` without its quantile axis.

    Examples
    --------
    >>> model.compile(loss=pinball_loss((0.1, 0.5, 0.9)), optimizer="adam")  # doctest: +SKIP
    """
    levels = tuple(float(level) for level in _levels(quantiles))

    def pinball(y_true: Any, y_pred: Any) -> Any:
        from keras import ops

        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
        pred_shape, true_shape = tuple(y_pred.shape), tuple(y_true.shape)
        if len(pred_shape) < 2 or pred_shape[-1] not in (None, len(levels)):
            raise ValueError(
                f"y_pred has shape {pred_shape} but the loss has {len(levels)} quantiles {list(levels)}: "
                f"the model must output (batch, {len(levels)}) or (batch, horizon, {len(levels)}), e.g. "
                f"Dense(horizon * {len(levels)}) followed by Reshape((horizon, {len(levels)}))."
            )
        if len(true_shape) == len(pred_shape) - 1:
            y_true = ops.expand_dims(y_true, -1)
        elif len(true_shape) != len(pred_shape) or true_shape[-1] != 1:
            raise ValueError(
                f"y_true has shape {true_shape} but y_pred has shape {pred_shape}: y_true must be y_pred "
                "without its last (quantile) axis, (batch, horizon) for (batch, horizon, n_quantiles); "
                "for several steps reshape the output to (batch, horizon, n_quantiles)."
            )
        tau = ops.convert_to_tensor(levels, dtype=y_pred.dtype)
        error = y_true - y_pred
        return ops.mean(ops.maximum(tau * error, (tau - 1.0) * error), axis=-1)

    pinball.__name__ = "pinball_loss"
    return pinball


def mean_pinball_loss(y: Any, predictions: Any, quantiles: Sequence[float]) -> float:
    """Mean pinball loss of quantile forecasts, in the units of ``y`` (numpy; to score a test set).

    The same quantity as :func:`pinball_loss`, averaged over every forecast and level. It is a
    proper score: it rewards a band that is both calibrated and narrow, so it can rank two sets
    of quantile forecasts of the same targets (lower is better).

    Parameters
    ----------
    y
        True values, shape ``(n,)`` or ``(n, horizon)``.
    predictions
        Quantile forecasts, shape ``y.shape + (n_quantiles,)``.
    quantiles
        The levels of the last axis of ``predictions``, increasing, strictly between 0 and 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the levels are invalid, an array is empty or holds NaN, or the shapes do not match.
    """
    levels = _levels(quantiles)
    truth, pred = _finite_array(y, "y"), _finite_array(predictions, "predictions")
    if pred.shape != truth.shape + (len(levels),):
        raise ValueError(f"predictions must have shape {truth.shape + (len(levels),)} (the shape of y and "
                         f"one value per quantile {levels.tolist()}); got {pred.shape}.")
    error = truth[..., np.newaxis] - pred
    return float(np.mean(np.maximum(levels * error, (levels - 1) * error)))


def interval_coverage(y: Any, lower: Any, upper: Any) -> float:
    """Fraction of true values inside their interval, bounds included.

    A 10th-to-90th-percentile band is calibrated when its coverage is near 0.8.

    Parameters
    ----------
    y, lower, upper
        True values and the bounds of their intervals, all of the same shape, e.g. ``(n,)``
        for one forecast step.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If the shapes differ, an array is empty or holds NaN, or a lower bound exceeds its
        upper bound (crossed quantiles: sort them first).
    """
    low, high = _interval(lower, upper)
    truth = _finite_array(y, "y")
    if truth.shape != low.shape:
        raise ValueError(f"y has shape {truth.shape} but the bounds have shape {low.shape}: give one "
                         "interval per true value (for one forecast day, y[:, day] and pred[:, day, 0]).")
    return float(np.mean((truth >= low) & (truth <= high)))


def interval_width(lower: Any, upper: Any) -> float:
    """Mean width ``upper - lower`` of intervals, in the units of the forecast.

    Narrower is better only at equal coverage: compare widths beside :func:`interval_coverage`.

    Parameters
    ----------
    lower, upper
        Bounds of the intervals, same shape, e.g. ``(n,)``.

    Returns
    -------
    float
        Non-negative.

    Raises
    ------
    ValueError
        If the shapes differ, an array is empty or holds NaN, or a lower bound exceeds its
        upper bound.
    """
    low, high = _interval(lower, upper)
    return float(np.mean(high - low))


def empirical_quantile_band(train_errors: Any, quantiles: Sequence[float]) -> np.ndarray:
    """Offsets that turn a point forecast into a quantile band: quantiles of its training errors.

    With errors ``y - forecast`` of a (naive) forecast on the training period, the
    ``tau``-quantile of tomorrow's value is estimated as ``forecast + quantile_tau(errors)``.
    The band has the same width whatever the day: it knows how wrong the forecast usually is,
    not when it is more or less sure.

    Parameters
    ----------
    train_errors
        Errors ``y_true - forecast`` on the **training** windows (never the test ones), shape
        ``(n,)`` for one step or ``(n, horizon)`` for several (quantiles per step).
    quantiles
        Increasing levels strictly between 0 and 1, e.g. ``(0.1, 0.5, 0.9)``.

    Returns
    -------
    numpy.ndarray
        Offsets of shape ``(n_quantiles,)`` for 1-D errors or ``(horizon, n_quantiles)`` for 2-D;
        the band of forecasts ``f`` of shape ``(m, horizon)`` is ``f[..., np.newaxis] + offsets``,
        shape ``(m, horizon, n_quantiles)``.

    Raises
    ------
    ValueError
        If the levels are invalid, the errors are not 1-D or 2-D, hold NaN, or are too few to
        estimate the most extreme level (``1 / min(tau, 1 - tau)`` errors are needed).
    """
    levels = _levels(quantiles)
    errors = _finite_array(train_errors, "train_errors")
    if errors.ndim not in (1, 2):
        raise ValueError(f"train_errors must have shape (n,) or (n, horizon), one row per training window; "
                         f"got {errors.shape}.")
    extreme = float(min(levels.min(), 1 - levels.max()))
    needed = math.ceil(1 / extreme - 1e-9)
    if len(errors) < needed:
        raise ValueError(f"train_errors has {len(errors)} rows, too few to estimate the {extreme:g} or "
                         f"{1 - extreme:g} quantile: at least {needed} are needed. Use the errors of every "
                         "training window.")
    return np.moveaxis(np.quantile(errors, levels, axis=0), 0, -1)


def quantile_crossing_rate(predictions: Any) -> float:
    """Fraction of forecasts whose predicted quantiles are out of order.

    A network's outputs for the 10th, 50th and 90th percentiles are separate numbers, so nothing
    forces them into order; a forecast counts as crossed when any quantile exceeds a higher
    level's (e.g. the 10th above the 90th, or above the 50th).

    Parameters
    ----------
    predictions
        Quantile forecasts with increasing levels on the last axis, shape ``(n, n_quantiles)``
        or ``(n, horizon, n_quantiles)``; every position but the last axis is one forecast.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If the array has fewer than 2 dimensions or 2 quantiles, is empty or holds NaN.
    """
    pred = _finite_array(predictions, "predictions")
    if pred.ndim < 2 or pred.shape[-1] < 2:
        raise ValueError(f"predictions must have shape (n, n_quantiles) or (n, horizon, n_quantiles) with "
                         f"at least 2 quantiles on the last axis; got {pred.shape}.")
    return float(np.mean(np.any(np.diff(pred, axis=-1) < 0, axis=-1)))
