"""``course validate``: every source passes its tests, every release fails them; or one learner's file.

A source must run without error and pass every test cell; a release must fail every test
cell without an error in its setup cells. ``--notebook FILE`` instead runs a learner's
notebook in the grading sandbox and shows its visible tests (the hidden ones decide a grade).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.apps.release import _write_quizzes
from course_tools.course import command_parser, course_assignments, course_root, notebook_path, pick, run_command, say
from course_tools.execute import execute_notebook
from course_tools.resilient_execute import stderr_as_output
from course_tools.settings import GRADING_CELL_TIMEOUT


def check_learner_notebook(path: Path | str, timeout: int = GRADING_CELL_TIMEOUT, fast: bool = True) -> list[str]:
    """Run a learner's notebook in the sandbox and say, per test cell, whether its visible tests pass.

    Returns
    -------
    list of str
        One line per test cell (``"ok   test_double (2 points)"`` or ``"FAIL ..."``); the
        hidden tests are not in a learner's file, so passing here is not a grade.

    Raises
    ------
    ValueError
        If the file is not a readable notebook or no sandbox can run here.
    """
    lines = []
    for r in cell_results(execute_notebook(path, timeout=timeout, fast=fast, sandbox=True)[0]):
        if r.kind == "tests":
            verdict = "ok  " if r.score == r.points else "FAIL"
            lines.append(f"{verdict} {r.grade_id or f'cell {r.index}'} ({r.points:g} points)"
                         + (f": {r.error}" if r.error else ""))
    return lines


@dataclass(frozen=True)
class CellResult:
    """Outcome of one cell after :func:`execute_notebook`."""

    index: int
    grade_id: str | None
    kind: str  # "tests", "manual", "solution", "setup", "readonly" or "code"
    points: float
    score: float | None  # for "tests": points earned; None otherwise
    error: str | None  # ename of the first error output, if any


def cell_results(nb: nbformat.NotebookNode) -> list[CellResult]:
    """Classify every code cell of an executed notebook and score its tests as autograding does.

    That is nbgrader's score, after :func:`course_tools.resilient_execute.stderr_as_output`
    (text on stderr does not fail a test), as in the course's autograde pipeline.
    """
    from nbgrader.utils import determine_grade

    results = []
    seen_solution = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        error = next((o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if meta.get("grade") and meta.get("solution"):
            kind = "manual"
        elif meta.get("grade"):
            kind = "tests"
        elif meta.get("solution"):
            kind = "solution"
        elif meta.get("locked"):
            kind = "readonly" if seen_solution else "setup"
        else:
            kind = "code"
        seen_solution |= bool(meta.get("solution"))
        if kind == "tests":
            stderr_as_output(cell)
        score = determine_grade(cell)[0] if kind == "tests" else None
        results.append(CellResult(index, meta.get("grade_id"), kind, float(meta.get("points", 0) or 0), score, error))
    return results


def validate_notebook(path: Path | str, expect: str, timeout: int = GRADING_CELL_TIMEOUT, fast: bool = True) -> list[str]:
    """Problems of a source notebook (``expect="pass"``) or a release (``expect="fail"``).

    A source must run without any error and pass every test cell. A release must fail every
    test cell (``nbgrader validate --invert``) without an error in its setup cells (the
    read-only code cells before the first answer).

    Returns
    -------
    list of str
        One line per problem (empty: as expected).

    Raises
    ------
    ValueError
        If ``expect`` is not "pass" or "fail", or the notebook cannot be read.
    """
    if expect not in ("pass", "fail"):
        raise ValueError(f"expect must be 'pass' (a source) or 'fail' (a release); got {expect!r}.")
    problems = []
    results = cell_results(execute_notebook(path, timeout=timeout, fast=fast, allow_errors=True)[0])
    if not any(r.kind == "tests" for r in results):
        problems.append("no autograded test cell")
    for r in results:
        name = r.grade_id or f"cell {r.index}"
        if expect == "pass":
            if r.error:
                problems.append(f"{name} ({r.kind}) raised {r.error}")
            if r.kind == "tests" and r.score != r.points:
                problems.append(f"{name} scored {r.score} of {r.points}")
        else:
            if r.kind == "setup" and r.error:
                problems.append(f"setup cell {name} raised {r.error}")
            if r.kind == "tests" and r.score:
                problems.append(f"{name} passes on the blank release ({r.score} points)")
    return problems


def validate(course: Path | str | None = None, assignments: list[str] | None = None,
             timeout: int = GRADING_CELL_TIMEOUT) -> dict[str, list[str]]:
    """Check every source (all tests pass) and every release (all tests fail, setup runs).

    Generates the graded quizzes first. Releases are checked when ``release/`` has them.

    Returns
    -------
    dict
        ``{"<assignment> source" | "<assignment> release": [problems]}``.

    Raises
    ------
    ValueError
        If an assignment is unknown.
    """
    root = course_root(course)
    _write_quizzes(root, assignments)
    chosen = pick(course_assignments(root), assignments, "source/")
    outcome: dict[str, list[str]] = {}
    for assignment in chosen:
        outcome[f"{assignment} source"] = validate_notebook(notebook_path(root, "source", assignment), "pass", timeout)
        released = notebook_path(root, "release", assignment)
        if released.is_file():
            outcome[f"{assignment} release"] = validate_notebook(released, "fail", timeout)
    bad = {k: v for k, v in outcome.items() if v}
    say(f"validated {len(outcome)} notebook(s) in FAST mode: {len(outcome) - len(bad)} as expected, {len(bad)} not")
    for key, problems in outcome.items():
        say(f"  {'ok  ' if not problems else 'FAIL'} {key}" + ("" if not problems else ": " + "; ".join(problems)))
    return outcome


def main(argv: list[str] | None = None) -> int:
    """``course validate [--assignment NAME ...] [--notebook FILE]``."""
    parser = command_parser("validate", "Sources pass their tests, releases fail them.")
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    parser.add_argument("--notebook", type=Path, default=None,
                        help="instead, run this learner's notebook in the sandbox and show its visible tests")
    args = parser.parse_args(argv)

    def action() -> int | None:
        if args.notebook is not None:
            lines = check_learner_notebook(args.notebook)
            say(f"{args.notebook} (run in the sandbox; visible tests only, hidden ones decide the grade):")
            for line in lines:
                say(f"  {line}")
            return 0 if lines and all(line.startswith("ok") for line in lines) else 1
        return 1 if any(validate(args.course, args.assignment).values()) else 0

    return run_command(action)


if __name__ == "__main__":
    sys.exit(main())
