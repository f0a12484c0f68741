"""``course grades``: export the gradebook to CSV; :func:`scores` reads it for the other commands.

A student who submitted nothing scores 0; the scores come from the gradebook, never from
nbgrader's exit status.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from course_tools.course import (command_parser, course_id, course_root, notebook_path, run_command, run_nbgrader,
                                 say, warn_unsandboxed)


def scores(course: Path | str | None = None, assignments: list[str] | None = None) -> list[dict[str, Any]]:
    """Every submission's score as the gradebook holds it, with what still needs a human.

    Returns
    -------
    list of dict
        Keys ``assignment``, ``student``, ``score``, ``max_score``, ``auto_max`` (points
        of the autograded tests), ``needs_manual_grade`` and ``autograded`` (whether an
        autograded notebook exists, i.e. the last autograde of it succeeded).
    """
    from nbgrader.api import Gradebook, MissingEntry

    root = course_root(course)
    rows: list[dict[str, Any]] = []
    if not (root / "gradebook.db").is_file():
        return rows
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id(root)) as gb:
        for assignment in gb.assignments:
            if assignments and assignment.name not in assignments:
                continue
            auto_max = sum(cell.max_score for nb in assignment.notebooks for cell in nb.grade_cells
                           if cell.cell_type == "code" and not any(
                               s.name == cell.name for s in nb.solution_cells))
            for student in gb.students:
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                rows.append({
                    "assignment": assignment.name, "student": student.id, "score": float(submission.score),
                    "max_score": float(submission.max_score), "auto_max": float(auto_max),
                    "needs_manual_grade": bool(submission.needs_manual_grade),
                    "autograded": all(notebook_path(root, "autograded", assignment.name, student.id)
                                      .with_name(f"{nb.name}.ipynb").is_file() for nb in assignment.notebooks),
                })
    return rows


def grades(course: Path | str | None = None, to: Path | str | None = None) -> Path:
    """Export every score to a CSV file (nbgrader's format) and print a summary.

    Returns
    -------
    pathlib.Path
        The CSV file (default ``assignments/grades.csv``): one row per student and
        assignment with ``score`` and ``max_score``; a student who submitted nothing scores 0.

    Raises
    ------
    ValueError
        If nbgrader wrote no CSV (for example, nothing was ever released).
    """
    root = course_root(course)
    path = Path(to).resolve() if to is not None else root / "grades.csv"
    if path.exists():
        path.unlink()
    result = run_nbgrader(root, "export", f"--to={path}")
    if not path.is_file():
        raise ValueError(f"nbgrader export wrote no CSV:\n{(result.stdout + result.stderr)[-2000:]}")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pending = sum(r["needs_manual_grade"] for r in scores(root))
    say(f"exported {len(rows)} grade(s) ({len({r['student_id'] for r in rows})} students, "
         f"{len({r['assignment'] for r in rows})} assignments) to {path}")
    if pending:
        say(f"  {pending} submission(s) still need manual grading (formgrader: "
             "`jupyter lab` in assignments/, then the Nbgrader > Formgrader menu); their scores count "
             "only the autograded points so far")
    warn_unsandboxed(root)
    return path


def main(argv: list[str] | None = None) -> int:
    """``course grades [--to FILE]``."""
    parser = command_parser("grades", "Export the grades to CSV.")
    parser.add_argument("--to", type=Path, default=None, help="CSV file (default: assignments/grades.csv)")
    args = parser.parse_args(argv)
    return run_command(lambda: grades(args.course, args.to))


if __name__ == "__main__":
    sys.exit(main())
