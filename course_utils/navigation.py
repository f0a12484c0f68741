"""The course map and the links between notebooks, generated from the notebooks themselves.

Each notebook ``notebooks/NN_slug.ipynb`` starts with a title cell (``# Title`` and a
one-paragraph summary) and ends with a navigation cell that this module writes. The map in
notebook 00 and in the README is generated from the same titles, so nothing goes stale
(``course nav`` checks them, ``course nav --write`` rewrites them: :mod:`course_tools.navigation`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ._paths import NOTEBOOK_DIR, REPO_ROOT

__all__ = ["ROOT", "NOTEBOOK_DIR", "Lesson", "lessons", "course_map", "show_course_map"]

ROOT: Path = REPO_ROOT
_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class Lesson:
    """One notebook of the series: ``number``, ``path``, ``title`` and ``summary``."""

    number: int
    path: Path
    title: str
    summary: str


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def lessons(notebook_dir: Path | None = None) -> list[Lesson]:
    """Every ``NN_slug.ipynb`` notebook in order, with the title and summary of its first cell.

    Raises
    ------
    ValueError
        If a notebook's name is not ``NN_slug.ipynb``, two share a number, or a first cell is
        not a markdown title (``# Title`` followed by a summary paragraph).
    """
    folder = NOTEBOOK_DIR if notebook_dir is None else Path(notebook_dir)
    found: list[Lesson] = []
    for path in sorted(folder.glob("*.ipynb")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: notebooks are named NN_slug.ipynb (e.g. 01_sequences.ipynb).")
        cells = _read(path).get("cells", [])
        first = cells[0] if cells else {}
        text = _source(first).strip()
        lines = text.splitlines()
        if first.get("cell_type") != "markdown" or not lines or not lines[0].startswith("# "):
            raise ValueError(f"{path.name}: the first cell must be markdown starting with '# Title'.")
        paragraphs = [p.strip() for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
        if not paragraphs:
            raise ValueError(f"{path.name}: the title cell needs a one-paragraph summary after the title.")
        summary = " ".join(paragraphs[0].split())
        found.append(Lesson(int(match.group(1)), path, lines[0][2:].strip(), summary))
    numbers = [lesson.number for lesson in found]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"Two notebooks share a number: {[l.path.name for l in found]}.")
    return found


def course_map(notebook_dir: Path | None = None, link_prefix: str = "") -> str:
    """A markdown table of the series: number, linked title and summary."""
    rows = ["| # | Notebook | What you will learn |", "|---|---|---|"]
    for lesson in lessons(notebook_dir):
        link = f"{link_prefix}{lesson.path.name}"
        rows.append(f"| {lesson.number:02d} | [{lesson.title}]({link}) | {lesson.summary} |")
    return "\n".join(rows)


def show_course_map(notebook_dir: Path | None = None) -> None:
    """Display the course map in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(course_map(notebook_dir)))
