"""The course map and the links between notebooks, generated from the notebooks themselves.

Each notebook ``notebooks/NN_slug.ipynb`` starts with a title cell (``# Title`` and a
one-paragraph summary) and ends with a navigation cell that this module writes. The map in
notebook 00 and in the README is generated from the same titles, so nothing goes stale:

    python -m course_utils.navigation          # check, exit 1 if anything is stale
    python -m course_utils.navigation --write  # rewrite the navigation cells and README map
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROOT", "NOTEBOOK_DIR", "Lesson", "lessons", "course_map", "show_course_map",
           "navigation_markdown", "stale_files", "write_navigation"]

ROOT: Path = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR: Path = ROOT / "notebooks"
_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"


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


def navigation_markdown(index: int, series: list[Lesson]) -> str:
    """Markdown of the closing navigation cell of ``series[index]``."""
    parts = []
    if index + 1 < len(series):
        nxt = series[index + 1]
        parts.append(f"**Next:** [{nxt.title}]({nxt.path.name})")
    else:
        parts.append(f"**This is the last notebook.** Back to the start: "
                     f"[{series[0].title}]({series[0].path.name})")
    if index > 0:
        prev = series[index - 1]
        parts.append(f"Previous: [{prev.title}]({prev.path.name})")
    return "---\n" + " &middot; ".join(parts)


def _nav_cell(text: str) -> dict:
    return {"cell_type": "markdown", "id": "navigation", "metadata": {"tags": ["navigation"]},
            "source": text.splitlines(keepends=True)}


def _is_nav(cell: dict) -> bool:
    return "navigation" in cell.get("metadata", {}).get("tags", [])


def _readme_with_map(readme: str, table: str) -> str:
    if MAP_START not in readme or MAP_END not in readme:
        raise ValueError(f"README.md needs the markers {MAP_START} and {MAP_END} around the map.")
    head, rest = readme.split(MAP_START, 1)
    _, tail = rest.split(MAP_END, 1)
    return f"{head}{MAP_START}\n{table}\n{MAP_END}{tail}"


def stale_files(root: Path | None = None, write: bool = False) -> list[str]:
    """Files whose navigation cell or README map differ from what would be generated.

    With ``write=True`` the files are rewritten (notebooks keep everything else as it is).
    """
    root = ROOT if root is None else Path(root)
    series = lessons(root / "notebooks")
    stale = []
    for index, lesson in enumerate(series):
        notebook = _read(lesson.path)
        cells = notebook["cells"]
        wanted = navigation_markdown(index, series)
        if cells and _is_nav(cells[-1]) and _source(cells[-1]) == wanted:
            continue
        stale.append(str(lesson.path.relative_to(root)))
        if write:
            if cells and _is_nav(cells[-1]):
                cells[-1] = _nav_cell(wanted)
            else:
                cells.append(_nav_cell(wanted))
            lesson.path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    readme = root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        updated = _readme_with_map(text, course_map(root / "notebooks", link_prefix="notebooks/"))
        if updated != text:
            stale.append("README.md")
            if write:
                readme.write_text(updated, encoding="utf-8")
    return stale


def write_navigation(root: Path | None = None) -> list[str]:
    """Rewrite every stale navigation cell and the README map; return the files changed."""
    return stale_files(root, write=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite stale files")
    args = parser.parse_args(argv)
    changed = stale_files(write=args.write)
    verb = "rewrote" if args.write else "stale"
    for name in changed:
        print(f"{verb}: {name}")
    if not changed:
        print("navigation and course map are up to date")
    return 1 if changed and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
