"""``course release``: generate the graded quizzes, then every student version, and check for leaks.

Runs ``nbgrader generate_assignment`` for each assignment of ``source/`` and refuses a
release that still holds a solution or a hidden test.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import nbformat

from course_tools import quizzes as graded_quiz
from course_tools.course import (command_parser, course_assignments, course_root, notebook_path, pick, run_command,
                                 run_nbgrader, say)
from course_tools.exchange import release_to_exchange

_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

def _write_quizzes(root: Path, assignments: list[str] | None) -> dict[str, list[str]]:
    """Generate the graded quizzes: all of the bank, or only those among ``assignments``."""
    if not assignments:
        return graded_quiz.write_graded_quizzes(root / "source")
    names = [a[len(graded_quiz.PREFIX):] for a in assignments if a.startswith(graded_quiz.PREFIX)]
    if not names:
        return {"written": [], "unchanged": [], "removed": []}
    return graded_quiz.write_graded_quizzes(root / "source", names=names)


def release_leaks(source: nbformat.NotebookNode, released: nbformat.NotebookNode) -> list[str]:
    """What a released notebook gives away: nbgrader markers, and lines of solutions or hidden tests.

    A line counts when it is at least 12 characters long, appears inside a solution or
    hidden-test region of the source and nowhere outside such regions, and appears in the
    release.

    Returns
    -------
    list of str
        One description per leak (empty when the release is clean).
    """
    secret: set[str] = set()
    public: set[str] = set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if any(marker in line for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS")):
                inside = True
                continue
            if any(marker in line for marker in ("END SOLUTION", "END HIDDEN TESTS")):
                inside = False
                continue
            (secret if inside else public).add(line.strip())
    secret = {line for line in secret - public if len(line) >= 12}
    leaks = []
    for index, cell in enumerate(released.cells):
        for line in cell.source.splitlines():
            if any(marker in line for marker in _MARKERS):
                leaks.append(f"cell {index}: nbgrader marker left in: {line.strip()}")
            elif line.strip() in secret:
                leaks.append(f"cell {index}: solution or hidden test line: {line.strip()}")
        for output in cell.get("outputs", []):
            leaks.append(f"cell {index}: stored output ({output.get('output_type')})")
    return leaks


def release(course: Path | str | None = None, assignments: list[str] | None = None,
            exchange: bool = False) -> dict[str, Any]:
    """Generate the graded quizzes, then the student version of every assignment.

    With ``exchange``, the released assignments are then put in nbgrader's exchange for the
    students of a class hub to fetch (:func:`course_tools.exchange.release_to_exchange`).

    Runs :func:`course_tools.quizzes.write_graded_quizzes` into ``source/`` and
    ``nbgrader generate_assignment --force`` for each assignment (which also records it in
    the gradebook), then checks each release for leaks (:func:`release_leaks`).

    Returns
    -------
    dict
        ``{"quizzes": report of write_graded_quizzes, "released": {assignment: points},
        "exchange": [assignments put in the exchange]}``.

    Raises
    ------
    ValueError
        If an assignment is unknown, nbgrader did not write a release, or a release leaks.
    """
    root = course_root(course)
    quiz_report = _write_quizzes(root, assignments)
    say(f"graded quizzes: {len(quiz_report['written'])} written, {len(quiz_report['unchanged'])} unchanged, "
         f"{len(quiz_report['removed'])} removed, in {root / 'source'}")
    chosen = pick(course_assignments(root), assignments, "source/")
    started = time.time()
    # one nbgrader process for all (its assignment id is a glob) is much faster than one each
    for pattern in (["*"] if not assignments else chosen):
        result = run_nbgrader(root, "generate_assignment", pattern, "--force")
    released: dict[str, dict[str, float]] = {}
    for assignment in chosen:
        path = notebook_path(root, "release", assignment)
        if not path.is_file() or path.stat().st_mtime < started - 2:
            raise ValueError(f"nbgrader did not release {assignment} (exit status {result.returncode}); "
                             f"see {root / 'logs'}:\n{(result.stdout + result.stderr)[-3000:]}")
        leaks = release_leaks(nbformat.read(str(notebook_path(root, "source", assignment)), 4),
                              nbformat.read(str(path), 4))
        if leaks:
            raise ValueError(f"The release of {assignment} gives away its solutions: " + "; ".join(leaks[:5]))
        released[assignment] = _points(nbformat.read(str(path), 4))
    width = max((len(a) for a in released), default=10)
    say(f"released {len(released)} assignment(s) to {root / 'release'} (regenerated; nothing leaks):")
    for assignment, points in released.items():
        say(f"  {assignment:{width}}  {points['auto']:4g} autograded + {points['manual']:g} by hand")
    shared = release_to_exchange(root, list(released)) if exchange else []
    return {"quizzes": quiz_report, "released": released, "exchange": shared}


def _points(nb: nbformat.NotebookNode) -> dict[str, float]:
    auto = manual = 0.0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            if meta.get("solution"):
                manual += float(meta.get("points", 0))
            else:
                auto += float(meta.get("points", 0))
    return {"auto": auto, "manual": manual}


def main(argv: list[str] | None = None) -> int:
    """``course release [--assignment NAME ...] [--exchange]``."""
    parser = command_parser("release", "Generate the graded quizzes and every student version.")
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    parser.add_argument("--exchange", action="store_true",
                        help="then put them in nbgrader's exchange for a class hub's students to fetch")
    args = parser.parse_args(argv)
    return run_command(lambda: release(args.course, args.assignment, args.exchange))


if __name__ == "__main__":
    sys.exit(main())
