"""Every number in a lesson's prose comes from an executed cell: find the ones that do not.

A result-like number is a number followed by a unit (``s``, ``min``, ``%``, ``deg C``,
``bits``, ``x`` as in "16 x faster", ``US$``...) in a markdown cell, outside code and
mathematics. Such a number is either printed by a cell (and the prose refers to the output)
or a constant of the lesson (a split of 70 / 15 / 15 %, a 97.5 % quantile), declared in the
cell's metadata::

    {"course": {"constants": ["70 %", "97.5 %"]}}

``python -m course_tools.prose_numbers`` lists every unmarked one; the tests run the same
check on every notebook (``tests/content/test_prose_numbers.py``).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

__all__ = ["UNITS", "result_numbers", "unmarked_numbers", "check_notebook", "main"]

#: Units after which a number reads as a measured result.
UNITS = (r"ms|s|sec|seconds?|min|minutes?|h|hours?|%|percent|deg\s?C|bits?|bpc|US\$|dollars?|times|x|GB|MB|GiB|MiB|"
         r"epochs? per second")
_NUMBER = r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s?(?:to|-)\s?\d+(?:\.\d+)?)?"
_RESULT = re.compile(rf"{_NUMBER}\s?(?:{UNITS})(?![\w])|(?:US\$|\$)\s?\d+(?:\.\d+)?")
_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _prose(markdown: str) -> str:
    """The markdown without code blocks, code spans and mathematics."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    return re.sub(r"(?<!\\)\$[^$]+(?<!\\)\$", " ", text)


def result_numbers(markdown: str) -> list[str]:
    """The result-like numbers of a markdown text, in order (see the module docstring)."""
    return [m.group(0) for m in _RESULT.finditer(_prose(markdown))]


def unmarked_numbers(cell: dict) -> list[str]:
    """Result-like numbers of a markdown cell that its metadata does not declare as constants."""
    if cell.get("cell_type") != "markdown":
        return []
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    constants = set(cell.get("metadata", {}).get("course", {}).get("constants", []))
    return [number for number in result_numbers(text) if number not in constants]


def check_notebook(path: Path | str) -> list[str]:
    """One line per unmarked result-like number of a notebook: ``"<file> cell <i>: '<number>'"``.

    Raises
    ------
    ValueError
        If the file is not a notebook.
    """
    path = Path(path)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a readable notebook: {exc}") from None
    return [f"{path.name} cell {i}: {number!r}" for i, cell in enumerate(cells) for number in unmarked_numbers(cell)]


def main(argv: list[str] | None = None) -> int:
    """List the unmarked numbers of the given notebooks (default: all); exit 1 if there are any."""
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or sorted(_NOTEBOOKS.glob("*.ipynb"))
    problems = [line for path in paths for line in check_notebook(path)]
    for line in problems:
        print(line)
    print(f"{len(problems)} number(s) in prose that no cell produces and no metadata declares a constant")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
