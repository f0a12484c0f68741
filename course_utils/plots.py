"""Interactive plotly figures used across the course.

Every figure has a title and axis labels with units: the functions require them, so a
figure can never go out unlabelled.
"""
from __future__ import annotations

import datetime
from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ._validate import one_series

__all__ = ["plot_forecasts", "plot_history", "plot_heatmap", "plot_curves"]


def _label(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string (every figure is titled and its "
                         "axes labelled with units).")
    return value


def _holds_dates(positions: np.ndarray) -> bool:
    """True for datetime64 arrays and for object arrays of dates/timestamps (tz-aware too)."""
    if np.issubdtype(positions.dtype, np.datetime64):
        return True
    return positions.dtype == object and len(positions) > 0 and all(
        isinstance(value, (datetime.date, np.datetime64)) for value in positions
    )


def _series(values: Any, name: str) -> np.ndarray:
    return one_series(values, name, "one value per time step, shape",
                      "For multi-step forecasts, plot one horizon step, e.g. y[:, 0].")


def plot_forecasts(
    actual: Any,
    forecasts: Mapping[str, Any],
    *,
    title: str,
    y_label: str,
    x: Any = None,
    x_label: str | None = None,
) -> go.Figure:
    """Actual values and several forecasts of them on one interactive chart.

    Parameters
    ----------
    actual
        True values, shape ``(n,)`` or ``(n, 1)``.
    forecasts
        Name -> forecasts of the same length (models and baselines alike).
    title
        Figure title.
    y_label
        Y-axis label with units, e.g. ``"Close (US$)"``.
    x
        Positions on the x axis: dates (e.g. the test part's ``DatetimeIndex``) or step
        numbers; default ``0 .. n - 1``.
    x_label
        X-axis label; default ``"Date"`` when ``x`` holds dates, else ``"Time step"``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    _label(title, "title")
    _label(y_label, "y_label")
    truth = _series(actual, "actual")
    positions = np.arange(len(truth)) if x is None else np.asarray(x)
    if len(positions) != len(truth):
        raise ValueError(
            f"x has {len(positions)} positions but actual has {len(truth)} values: give one x "
            "position per value of actual (e.g. the dates of the same target rows), or leave x out."
        )
    if x_label is None:
        x_label = "Date" if _holds_dates(positions) else "Time step"
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=positions, y=truth, name="actual", mode="lines",
                                line={"color": "black", "width": 2}))
    for name, values in forecasts.items():
        predicted = _series(values, f"forecast {name!r}")
        if len(predicted) != len(truth):
            raise ValueError(
                f"Forecast {name!r} has {len(predicted)} values but actual has {len(truth)}: "
                "align them on the same targets (same windows) before plotting."
            )
        figure.add_trace(go.Scatter(x=positions, y=predicted, name=str(name), mode="lines"))
    figure.update_layout(title=title, xaxis_title=_label(x_label, "x_label"),
                         yaxis_title=y_label, hovermode="x unified", template="plotly_white")
    return figure


def plot_curves(
    curves: Mapping[str, Any],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x: Any = None,
    log_y: bool = False,
) -> go.Figure:
    """Several named curves against a shared x axis (e.g. gradient norm against steps back).

    Parameters
    ----------
    curves
        Name -> values, each of shape ``(n,)``.
    x
        Shared x positions, default ``0 .. n - 1``.
    log_y
        Use a logarithmic y axis (for quantities that vanish or explode).
    """
    _label(title, "title")
    if not curves:
        raise ValueError("curves is empty: give at least one name -> values.")
    figure = go.Figure()
    for name, values in curves.items():
        ys = _series(values, f"curve {name!r}")
        xs = np.arange(len(ys)) if x is None else np.asarray(x)
        if len(xs) != len(ys):
            raise ValueError(
                f"Curve {name!r} has {len(ys)} values but x has {len(xs)}: give every curve one "
                "value per x position (plot curves of different lengths, such as the logs of "
                "two training runs, in separate figures)."
            )
        figure.add_trace(go.Scatter(x=xs, y=ys, name=str(name), mode="lines+markers"))
    figure.update_layout(title=title, xaxis_title=_label(x_label, "x_label"),
                         yaxis_title=_label(y_label, "y_label"), template="plotly_white")
    if log_y:
        figure.update_yaxes(type="log")
    return figure


def plot_history(
    history: Any, *, title: str = "Training history", y_label: str = "Loss (MSE, scaled units)"
) -> go.Figure:
    """Training and validation loss per epoch.

    Parameters
    ----------
    history
        A ``keras.callbacks.History`` (what ``model.fit`` returns) or its ``.history`` dict
        of metric name -> list of per-epoch values.
    title, y_label
        Figure title and y-axis label with units.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError(
            "history must be what model.fit returns (or its .history dict) with at least one "
            "metric; got an empty or unknown object."
        )
    epochs = np.arange(1, len(next(iter(logs.values()))) + 1)
    return plot_curves({name: values for name, values in logs.items()}, title=title,
                       x_label="Epoch", y_label=y_label, x=epochs)


def plot_heatmap(
    matrix: Any,
    *,
    title: str,
    x_label: str,
    y_label: str,
    colorbar_label: str,
    x_ticks: Sequence[Any] | None = None,
    y_ticks: Sequence[Any] | None = None,
) -> go.Figure:
    """A 2-D array as a heatmap, e.g. gate activations ``(units, timesteps)``.

    Parameters
    ----------
    matrix
        Array of shape ``(rows, columns)``: rows on the y axis, columns on the x axis.
    title, x_label, y_label
        Figure title and axis labels with units.
    colorbar_label
        What the colours measure, with units.
    x_ticks, y_ticks
        Optional labels of the columns and rows.
    """
    for name, value in [("title", title), ("x_label", x_label), ("y_label", y_label),
                        ("colorbar_label", colorbar_label)]:
        _label(value, name)
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"matrix must be 2-D and non-empty, (rows, columns); got {values.shape}.")
    for ticks, size, name, part in [(x_ticks, values.shape[1], "x_ticks", "column"),
                                    (y_ticks, values.shape[0], "y_ticks", "row")]:
        if ticks is not None and len(ticks) != size:
            raise ValueError(f"{name} has {len(ticks)} labels for {size} positions: give one label "
                             f"per {part} of matrix ({size}), or leave {name} out.")
    figure = go.Figure(go.Heatmap(z=values, x=x_ticks, y=y_ticks,
                                  colorbar={"title": {"text": colorbar_label}}))
    figure.update_layout(title=title, xaxis_title=x_label, yaxis_title=y_label,
                         template="plotly_white")
    return figure
