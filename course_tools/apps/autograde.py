"""``course autograde``: grade every new or changed submission, each in a sandbox.

The work is done by :func:`course_tools.autograde.autograde` (scratch courses, sandboxed
kernels, a replay into the real gradebook); this command chooses the submissions, prints the
scores and what a human should read, and exits with status 1 when a submission could not be
graded.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from course_tools.apps.grades import scores
from course_tools.course import (command_parser, course_assignments, course_root, pick, run_command, say,
                                 submitted_students, warn_unsandboxed)
from course_tools.settings import SUBMISSION_TIMEOUT


def autograde(course: Path | str | None = None, assignments: list[str] | None = None,
              force: bool = False, fast: bool = True, jobs: int | None = None, sandbox: bool = True,
              timeout: float = 1800) -> dict[str, Any]:
    """Grade every new or changed submission, each in a sandbox, and report the scores.

    See :func:`course_tools.autograde.autograde` for how: each submission runs in its own
    sandbox and scratch course (several at once), one process writes the gradebook, which
    is backed up before and checked after.

    Parameters
    ----------
    course
        The nbgrader course (default ``assignments/``).
    assignments
        Assignments to grade (default: all with submissions).
    force
        Grade every submission again, even unchanged ones.
    fast
        Run the notebooks in FAST mode (``COURSE_FAST=1``, the default): the tests check
        behaviour, and training runs in seconds. ``fast=False`` runs the full sizes.
    jobs
        Submissions graded at once (default: the cores, as far as memory allows).
    sandbox
        False (``--no-sandbox``) only where no sandbox exists and you accept the risk.
    timeout
        Seconds one submission may take in all.

    Returns
    -------
    dict
        ``graded``, ``skipped`` (already graded and unchanged), ``failed`` (could not be
        graded) lists of ``student/assignment``, ``review`` (findings per submission),
        ``scores`` (see :func:`scores`), ``sandboxed``, ``seconds`` and ``backup``.

    Raises
    ------
    ValueError
        If an assignment is unknown or has not been released.
    course_tools.autograde.NoSandbox
        If no sandbox is available and ``sandbox`` is True.
    course_tools.gradebook_guard.GradebookDamaged
        If grading damaged the gradebook (it has been restored).
    """
    from course_tools.autograde import autograde as sandboxed_autograde

    root = course_root(course)
    chosen = pick(course_assignments(root, "release"), assignments, "release/")
    chosen = [a for a in chosen if submitted_students(root, a)]
    report = sandboxed_autograde(root, chosen, force=force, fast=fast, jobs=jobs, sandbox=sandbox,
                                 timeout=timeout) if chosen else {
        "graded": [], "skipped": [], "failed": [], "review": {}, "sandboxed": sandbox, "seconds": 0.0,
        "backup": None, "gradebook": "untouched", "problems": {}}
    report["scores"] = scores(root, chosen)
    mode = "sandboxed" if report["sandboxed"] else "UNSANDBOXED (--no-sandbox)"
    rate = f", {len(report['graded']) / report['seconds'] * 60:.1f} per minute" if report["graded"] else ""
    say(f"autograded {len(report['graded'])} submission(s) in {'FAST' if fast else 'full'} mode, {mode}"
         f"{rate}; skipped {len(report['skipped'])} already graded and unchanged; results in "
         f"{root / 'gradebook.db'} and {root / 'autograded'}")
    if report["backup"]:
        say(f"  gradebook backed up to {report['backup']} and {report['gradebook']} after grading")
    _print_scores(report["scores"])
    if report["failed"]:
        say(f"{len(report['failed'])} submission(s) could NOT be graded (see {root / 'logs'}); "
             "their scores above are stale or 0: " + ", ".join(report["failed"]))
        for name in report["failed"]:
            say(f"  {name}: {report['problems'].get(name, '')[:300]}")
    if report["review"]:
        say(f"{len(report['review'])} submission(s) contain code a human should read before trusting the grade:")
        for name, findings in report["review"].items():
            for finding in findings[:5]:
                where = f"cell {finding.cell}" + (f" line {finding.line}" if finding.line else "")
                say(f"  {name}, {where}: {finding.reason}: {finding.code}")
    warn_unsandboxed(root)
    return report


def _print_scores(rows: list[dict[str, Any]]) -> None:
    if not rows:
        say("  no scores in the gradebook yet")
        return
    width = max(len(r["student"]) for r in rows)
    for row in rows:
        note = " (+ manual grading pending)" if row["needs_manual_grade"] else ""
        say(f"  {row['assignment']:28} {row['student']:{width}}  {row['score']:5g} / {row['max_score']:g}{note}")


def main(argv: list[str] | None = None) -> int:
    """``course autograde [--assignment NAME ...] [--force] [--full] [--jobs N] [--timeout S] [--no-sandbox]``."""
    parser = command_parser("autograde", "Grade new or changed submissions (FAST mode), each in a sandbox.")
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    parser.add_argument("--force", action="store_true", help="grade every submission again")
    parser.add_argument("--full", action="store_true", help="run the notebooks at full size, not in FAST mode")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (default: the cores, as far as memory allows)")
    parser.add_argument("--timeout", type=float, default=SUBMISSION_TIMEOUT,
                        help="seconds one submission may take in all")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the learners' code WITHOUT a sandbox (only where none exists; every report says so)")
    args = parser.parse_args(argv)

    def action() -> int | None:
        report = autograde(args.course, args.assignment, force=args.force, fast=not args.full, jobs=args.jobs,
                           sandbox=not args.no_sandbox, timeout=args.timeout)
        return 1 if report["failed"] else 0

    return run_command(action)


if __name__ == "__main__":
    sys.exit(main())
