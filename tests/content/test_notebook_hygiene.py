"""Every lesson notebook is committed clean and follows the course's notebook rules."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_utils.navigation import NOTEBOOK_DIR, ROOT, lessons

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [path.name for path in NOTEBOOKS]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def test_the_series_starts_with_welcome_and_rnns():
    names = [path.name for path in NOTEBOOKS]
    assert names[:2] == ["00_welcome.ipynb", "01_sequences_and_rnns.ipynb"]
    numbers = [lesson.number for lesson in lessons()]
    assert numbers == list(range(len(numbers))), "notebooks are numbered 00, 01, 02 ... without gaps"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} cell {index} has stored outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_python3_kernelspec(path):
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_title_cell_first_and_prose_before_code(path):
    all_cells = cells(path)
    assert all_cells[0]["cell_type"] == "markdown"
    assert source(all_cells[0]).startswith("# ")
    assert all_cells[1]["cell_type"] == "markdown", "explain before the first code cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_summary_quiz_and_link_to_next(path):
    all_cells = cells(path)
    text = [source(cell) for cell in all_cells]
    assert any(t.startswith("## Summary") for t in text), f"{path.name} has no '## Summary' section"
    assert any(f'show_quiz("{path.stem}")' in t for t in text), f"{path.name} does not show its quiz"
    last = all_cells[-1]
    assert "navigation" in last.get("metadata", {}).get("tags", []), "last cell is the navigation cell"
    series = [p.name for p in NOTEBOOKS]
    position = series.index(path.name)
    if position + 1 < len(series):
        assert f"]({series[position + 1]})" in source(last), f"{path.name} does not link to the next notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_cells_are_short(path):
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] == "code":
            lines = source(cell).count("\n") + 1
            assert lines <= 40, f"{path.name} cell {index} has {lines} lines; split it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_star_imports_or_downloads(path):
    for index, cell in enumerate(cells(path)):
        text = source(cell)
        if cell["cell_type"] != "code":
            continue
        assert not re.search(r"^\s*from\s+\S+\s+import\s+\*", text, re.M), f"{path.name} cell {index}: star import"
        assert not re.search(r"urlopen|requests\.get|get_file\(|https?://", text), (
            f"{path.name} cell {index} looks like a download; the course runs offline")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figures_have_titles_and_axis_labels(path):
    """A plotly figure built in a notebook sets a title and both axis titles."""
    for index, cell in enumerate(cells(path)):
        text = source(cell)
        if cell["cell_type"] == "code" and "go.Figure(" in text:
            for key in ("title=", "xaxis_title=", "yaxis_title="):
                assert key in text, f"{path.name} cell {index} builds a figure without {key}"


def test_checkpoints_and_outputs_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".ipynb_checkpoints/", ".venv/", "/site/"):
        assert entry in ignored
    # the built site at the top only: the site builder's package (course_tools/site/) is tracked
    assert "site/" not in ignored
