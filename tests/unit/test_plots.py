"""Unit tests of course_utils.plots: every figure titled, labelled and checked for shapes."""
import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from course_utils.plots import plot_curves, plot_forecasts, plot_heatmap, plot_history
from errors import clear_error

ACTUAL = [1.0, 2.0, 3.0, 4.0]
FORECASTS = {"persistence": [0.0, 1.0, 2.0, 3.0], "LSTM": np.array([[1.1], [2.1], [2.9], [4.2]])}


def _titles(figure):
    return (figure.layout.title.text, figure.layout.xaxis.title.text,
            figure.layout.yaxis.title.text)


# --- plot_forecasts ------------------------------------------------------------------------


def test_plot_forecasts_titles_and_traces():
    figure = plot_forecasts(ACTUAL, FORECASTS, title="Test period", y_label="Close (US$)")
    assert isinstance(figure, go.Figure)
    assert _titles(figure) == ("Test period", "Time step", "Close (US$)")
    assert [trace.name for trace in figure.data] == ["actual", "persistence", "LSTM"]
    assert list(figure.data[0].y) == ACTUAL
    assert list(figure.data[0].x) == [0, 1, 2, 3]
    np.testing.assert_allclose(figure.data[2].y, [1.1, 2.1, 2.9, 4.2])


def test_plot_forecasts_without_forecasts_shows_actual_only():
    figure = plot_forecasts(ACTUAL, {}, title="t", y_label="y (units)")
    assert len(figure.data) == 1


def test_plot_forecasts_dates_on_x_axis():
    dates = pd.date_range("2022-01-03", periods=4, freq="D", name="Date")
    figure = plot_forecasts(ACTUAL, FORECASTS, title="t", y_label="y", x=dates)
    assert figure.layout.xaxis.title.text == "Date"
    for trace in figure.data:
        assert pd.DatetimeIndex(trace.x).equals(pd.DatetimeIndex(dates, name=None))


@pytest.mark.parametrize("dates", [
    pd.Series(pd.date_range("2022-01-03", periods=4)),
    pd.date_range("2022-01-03", periods=4, tz="UTC"),
    [datetime.date(2022, 1, d) for d in (3, 4, 5, 6)],
], ids=["series", "tz-aware", "date-objects"])
def test_plot_forecasts_recognises_other_kinds_of_dates(dates):
    figure = plot_forecasts(ACTUAL, FORECASTS, title="t", y_label="y", x=dates)
    assert figure.layout.xaxis.title.text == "Date"


def test_plot_forecasts_numeric_x_and_custom_label():
    figure = plot_forecasts(ACTUAL, FORECASTS, title="t", y_label="y", x=[10, 20, 30, 40])
    assert figure.layout.xaxis.title.text == "Time step"
    assert list(figure.data[1].x) == [10, 20, 30, 40]
    figure = plot_forecasts(ACTUAL, FORECASTS, title="t", y_label="y", x_label="Hour (h)")
    assert figure.layout.xaxis.title.text == "Hour (h)"


@pytest.mark.parametrize("kwargs, name", [
    ({"title": "", "y_label": "y"}, "title"),
    ({"title": "   ", "y_label": "y"}, "title"),
    ({"title": None, "y_label": "y"}, "title"),
    ({"title": "t", "y_label": ""}, "y_label"),
    ({"title": "t", "y_label": 3}, "y_label"),
    ({"title": "t", "y_label": "y", "x_label": ""}, "x_label"),
])
def test_plot_forecasts_requires_labels(kwargs, name):
    with clear_error(name, "non-empty string"):
        plot_forecasts(ACTUAL, FORECASTS, **kwargs)


def test_plot_forecasts_requires_keyword_labels():
    with clear_error("'title'", "'y_label'", exception=TypeError):
        plot_forecasts(ACTUAL, FORECASTS)  # title and y_label are required


def test_plot_forecasts_rejects_length_mismatch():
    with clear_error("Forecast 'short' has 3 values", "align them"):
        plot_forecasts(ACTUAL, {"short": [1.0, 2.0, 3.0]}, title="t", y_label="y")


def test_plot_forecasts_rejects_x_length_mismatch():
    with clear_error("x has 3 positions", "actual has 4 values", "one x position per value"):
        plot_forecasts(ACTUAL, FORECASTS, title="t", y_label="y", x=[0, 1, 2])


def test_plot_forecasts_rejects_multi_step_arrays():
    with clear_error("forecast 'multi'", "y[:, 0]"):
        plot_forecasts(ACTUAL, {"multi": np.zeros((4, 2))}, title="t", y_label="y")
    with clear_error("actual", "one value per time step"):
        plot_forecasts(np.zeros((4, 3)), {}, title="t", y_label="y")


# --- plot_curves ---------------------------------------------------------------------------


def test_plot_curves_titles_traces_and_default_x():
    figure = plot_curves({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, title="Curves",
                         x_label="Steps back", y_label="Gradient norm")
    assert _titles(figure) == ("Curves", "Steps back", "Gradient norm")
    assert [trace.name for trace in figure.data] == ["a", "b"]
    assert list(figure.data[0].x) == [0, 1, 2]
    assert list(figure.data[1].y) == [3.0, 2.0, 1.0]
    assert figure.layout.yaxis.type != "log"


def test_plot_curves_shared_x_and_log_axis():
    figure = plot_curves({"norm": [1e-1, 1e-3, 1e-6]}, title="t", x_label="x", y_label="y",
                         x=[5, 10, 15], log_y=True)
    assert list(figure.data[0].x) == [5, 10, 15]
    assert figure.layout.yaxis.type == "log"


def test_plot_curves_rejects_empty():
    with clear_error("curves is empty", "at least one name"):
        plot_curves({}, title="t", x_label="x", y_label="y")


def test_plot_curves_rejects_x_length_mismatch():
    with clear_error("Curve 'a' has 3 values", "x has 2", "one value per x position"):
        plot_curves({"a": [1.0, 2.0, 3.0]}, title="t", x_label="x", y_label="y", x=[0, 1])


@pytest.mark.parametrize("kwargs, name", [
    ({"title": "", "x_label": "x", "y_label": "y"}, "title"),
    ({"title": "t", "x_label": " ", "y_label": "y"}, "x_label"),
    ({"title": "t", "x_label": "x", "y_label": None}, "y_label"),
])
def test_plot_curves_requires_labels(kwargs, name):
    with clear_error(name, "non-empty string"):
        plot_curves({"a": [1.0, 2.0]}, **kwargs)


def test_plot_curves_rejects_two_d_curve():
    with clear_error("curve 'a'", "one value per time step"):
        plot_curves({"a": np.zeros((3, 2))}, title="t", x_label="x", y_label="y")


# --- plot_history --------------------------------------------------------------------------

LOGS = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.6]}


def test_plot_history_from_dict():
    figure = plot_history(LOGS)
    assert _titles(figure) == ("Training history", "Epoch", "Loss (MSE, scaled units)")
    assert [trace.name for trace in figure.data] == ["loss", "val_loss"]
    assert list(figure.data[0].x) == [1, 2, 3]
    assert list(figure.data[1].y) == [1.2, 0.7, 0.6]


def test_plot_history_from_object_with_history_attribute():
    class FakeHistory:
        history = LOGS

    figure = plot_history(FakeHistory(), title="LSTM training", y_label="MSE (scaled)")
    assert _titles(figure) == ("LSTM training", "Epoch", "MSE (scaled)")
    assert len(figure.data) == 2
    assert list(figure.data[0].y) == LOGS["loss"]


@pytest.mark.parametrize("history", [{}, None, [1.0, 2.0], "loss"])
def test_plot_history_rejects_empty_or_unknown(history):
    with clear_error("history", "what model.fit returns"):
        plot_history(history)


def test_plot_history_rejects_empty_title():
    with clear_error("title", "non-empty string"):
        plot_history(LOGS, title="")


def test_plot_history_rejects_metrics_of_different_lengths():
    with clear_error("Curve 'val_loss' has 2 values", "x has 3", "one value per x position"):
        plot_history({"loss": [1.0, 0.5, 0.2], "val_loss": [1.0, 0.5]})


# --- plot_heatmap --------------------------------------------------------------------------

LABELS = {"title": "Gate activations", "x_label": "Time step", "y_label": "Unit",
          "colorbar_label": "Activation (0-1)"}


def test_plot_heatmap_titles_and_data():
    matrix = np.arange(6.0).reshape(2, 3)
    figure = plot_heatmap(matrix, **LABELS)
    assert _titles(figure) == ("Gate activations", "Time step", "Unit")
    assert len(figure.data) == 1
    heatmap = figure.data[0]
    assert isinstance(heatmap, go.Heatmap)
    np.testing.assert_array_equal(np.asarray(heatmap.z), matrix)
    assert heatmap.colorbar.title.text == "Activation (0-1)"


def test_plot_heatmap_ticks():
    figure = plot_heatmap(np.zeros((2, 3)), **LABELS, x_ticks=["t1", "t2", "t3"],
                          y_ticks=["u1", "u2"])
    assert list(figure.data[0].x) == ["t1", "t2", "t3"]
    assert list(figure.data[0].y) == ["u1", "u2"]


@pytest.mark.parametrize("shape", [(3,), (2, 3, 1), (0, 3), (2, 0)])
def test_plot_heatmap_rejects_bad_shape(shape):
    with clear_error("matrix must be 2-D", f"got {shape}"):
        plot_heatmap(np.zeros(shape), **LABELS)


@pytest.mark.parametrize("ticks, phrases", [
    ({"x_ticks": ["a", "b"]}, ("x_ticks has 2 labels", "3 positions", "one label per column")),
    ({"y_ticks": ["a", "b", "c"]}, ("y_ticks has 3 labels", "2 positions", "one label per row")),
])
def test_plot_heatmap_rejects_tick_count_mismatch(ticks, phrases):
    with clear_error(*phrases):
        plot_heatmap(np.zeros((2, 3)), **LABELS, **ticks)


@pytest.mark.parametrize("name", list(LABELS))
def test_plot_heatmap_requires_every_label(name):
    with clear_error(name, "non-empty string"):
        plot_heatmap(np.zeros((2, 2)), **{**LABELS, name: ""})
