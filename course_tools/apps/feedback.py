"""``course feedback``: one HTML feedback file per student and assignment, in ``feedback/``."""
from __future__ import annotations

import sys
from pathlib import Path

from course_tools.course import (command_parser, course_assignments, course_root, notebook_path, pick, run_command,
                                 run_nbgrader, say, submitted_students, warn_unsandboxed)
from course_tools.exchange import release_feedback_to_exchange


def feedback(course: Path | str | None = None, assignments: list[str] | None = None,
             exchange: bool = False) -> dict[str, list[str]]:
    """Write one HTML feedback file per graded submission: ``feedback/<student>/<assignment>/``.

    With ``exchange``, the feedback is then put in nbgrader's exchange, where each student of a
    class hub can fetch their own (:func:`course_tools.exchange.release_feedback_to_exchange`).

    Runs ``nbgrader generate_feedback --force`` so that the files always show the current
    grades (manual grades included).

    Returns
    -------
    dict
        ``{assignment: [paths of the HTML files]}``.

    Raises
    ------
    ValueError
        If an assignment is unknown.
    """
    root = course_root(course)
    chosen = pick(course_assignments(root, "release"), assignments, "release/")
    graded = [a for a in chosen if any(notebook_path(root, "autograded", a, s).is_file()
                                       for s in submitted_students(root, a))]
    for pattern in (["*"] if not assignments and graded else graded):
        run_nbgrader(root, "generate_feedback", pattern, "--force")
    written = {a: sorted(str(p) for p in (root / "feedback").glob(f"*/{a}/*.html")) for a in graded}
    total = sum(len(v) for v in written.values())
    say(f"wrote {total} HTML feedback file(s) to {root / 'feedback'}/<student>/<assignment>/")
    warn_unsandboxed(root)
    for assignment, paths in written.items():
        say(f"  {assignment}: {len(paths)}")
    if exchange:
        release_feedback_to_exchange(root, [a for a, paths in written.items() if paths])
    return written


def main(argv: list[str] | None = None) -> int:
    """``course feedback [--assignment NAME ...] [--exchange]``."""
    parser = command_parser("feedback", "Write HTML feedback per student.")
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    parser.add_argument("--exchange", action="store_true",
                        help="then put it in nbgrader's exchange, where each student of a class hub fetches their own")
    args = parser.parse_args(argv)
    return run_command(lambda: feedback(args.course, args.assignment, args.exchange))


if __name__ == "__main__":
    sys.exit(main())
