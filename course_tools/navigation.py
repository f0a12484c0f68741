"""Write the links between notebooks and the README's course map (``course nav``).

Each notebook ends with a navigation cell, and the README holds the course map between two
markers; both are generated from the notebooks' title cells (:func:`course_utils.navigation.lessons`)::

    course nav          # check, exit 1 if anything is stale
    course nav --write  # rewrite the navigation cells and the README map
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from course_utils.navigation import ROOT, Lesson, _read, _source, course_map, lessons

__all__ = ["MAP_START", "MAP_END", "navigation_markdown", "stale_files", "write_navigation", "main"]

MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"


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
