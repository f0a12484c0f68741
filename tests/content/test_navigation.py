"""Navigation between notebooks and the course map are generated, and up to date."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from course_tools.navigation import navigation_markdown, stale_files, write_navigation
from course_utils.navigation import ROOT, course_map, lessons


def make_notebook(path, title_cell, extra_cells=()):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": title_cell}]
    cells += [{"cell_type": "markdown", "metadata": {}, "source": text} for text in extra_cells]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


@pytest.fixture
def course(tmp_path):
    (tmp_path / "notebooks").mkdir()
    make_notebook(tmp_path / "notebooks" / "00_intro.ipynb", "# Intro\n\nWhere to start.")
    make_notebook(tmp_path / "notebooks" / "01_more.ipynb", "# More\n\nThe next step.\n\nDetails.")
    (tmp_path / "README.md").write_text("# Course\n\n<!-- course-map:start -->\nold\n<!-- course-map:end -->\n\nEnd.\n")
    return tmp_path


def test_the_committed_course_is_up_to_date():
    assert stale_files() == [], "run `make navigation` and commit the result"


def test_lessons_reads_titles_and_summaries(course):
    found = lessons(course / "notebooks")
    assert [(l.number, l.title, l.summary) for l in found] == [(0, "Intro", "Where to start."),
                                                                (1, "More", "The next step.")]


def test_navigation_links_next_and_previous(course):
    found = lessons(course / "notebooks")
    assert navigation_markdown(0, found) == "---\n**Next:** [More](01_more.ipynb)"
    last = navigation_markdown(1, found)
    assert "last notebook" in last and "[Intro](00_intro.ipynb)" in last and "Previous: [Intro]" in last


def test_write_fixes_stale_files_then_nothing_is_stale(course):
    assert stale_files(course) == ["notebooks/00_intro.ipynb", "notebooks/01_more.ipynb", "README.md"]
    write_navigation(course)
    assert stale_files(course) == []
    readme = (course / "README.md").read_text()
    assert "[Intro](notebooks/00_intro.ipynb)" in readme and "old" not in readme and readme.endswith("End.\n")
    cells = json.loads((course / "notebooks" / "00_intro.ipynb").read_text())["cells"]
    assert cells[-1]["metadata"]["tags"] == ["navigation"] and len(cells) == 2
    write_navigation(course)  # idempotent: no second navigation cell
    assert len(json.loads((course / "notebooks" / "00_intro.ipynb").read_text())["cells"]) == 2


def test_map_is_a_table_row_per_notebook(course):
    table = course_map(course / "notebooks").splitlines()
    assert table[0].startswith("| # |") and len(table) == 4
    assert table[2] == "| 00 | [Intro](00_intro.ipynb) | Where to start. |"


@pytest.mark.parametrize("name, cell, message", [
    ("0_bad.ipynb", "# T\n\nS.", "NN_slug"),
    ("00_ok.ipynb", "No title\n\nS.", "first cell"),
    ("00_ok.ipynb", "# Title only", "summary"),
])
def test_bad_notebooks_are_reported(tmp_path, name, cell, message):
    make_notebook(tmp_path / name, cell)
    with pytest.raises(ValueError, match=message):
        lessons(tmp_path)


def test_duplicate_numbers_are_reported(tmp_path):
    make_notebook(tmp_path / "01_a.ipynb", "# A\n\nS.")
    make_notebook(tmp_path / "01_b.ipynb", "# B\n\nS.")
    with pytest.raises(ValueError, match="share a number"):
        lessons(tmp_path)


def test_readme_without_markers_is_reported(course):
    (course / "README.md").write_text("# Course\n")
    with pytest.raises(ValueError, match="markers"):
        stale_files(course)


def test_command_line_check_passes_on_the_course():
    result = subprocess.run([sys.executable, "-m", "course_utils.navigation"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
