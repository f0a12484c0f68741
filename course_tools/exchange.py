"""nbgrader's exchange on JupyterHub: the ``--exchange`` step of ``course release|collect|feedback``.

On a class hub (deploy/README.md) assignments, submissions and feedback pass through nbgrader's
exchange folder (``c.Exchange.root``, set for every user of the hub in
deploy/jupyter/nbgrader_config.py). These functions run nbgrader's exchange commands in the
course folder and check what they did by the files they wrote (nbgrader exits 0 even when it
fails), then say what happened.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from course_tools.course import course_id, run_nbgrader, say

__all__ = ["exchange_root", "release_to_exchange", "collect_from_exchange", "release_feedback_to_exchange"]


def exchange_root(root: Path) -> Path:
    """The exchange folder nbgrader uses for the course in ``root`` (from its configuration).

    Raises
    ------
    ValueError
        If nbgrader's configuration names no exchange folder that exists.
    """
    code = ("from nbgrader.apps import NbGraderApp\n"
            "app = NbGraderApp(); app.load_config_file()\n"
            "print(app.config.Exchange.get('root', '/srv/nbgrader/exchange'))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    folder = Path(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else None
    if folder is None or not folder.is_dir():
        raise ValueError(f"No nbgrader exchange folder here ({folder or done.stderr.strip()[-300:]}): on a class "
                         "hub, create it as deploy/README.md says (c.Exchange.root in deploy/jupyter/"
                         "nbgrader_config.py); without a hub, leave out --exchange and collect a folder or zip.")
    return folder


def _course_exchange(root: Path) -> Path:
    """``<exchange>/<course id>`` (deploy/jupyter/nbgrader_config.py sets path_includes_course)."""
    return exchange_root(root) / course_id(root)


def release_to_exchange(root: Path, assignments: list[str]) -> list[str]:
    """Copy released assignments to the exchange's ``outbound/`` (``nbgrader release_assignment``).

    Returns
    -------
    list of str
        The assignments now in the exchange.

    Raises
    ------
    ValueError
        If an assignment did not reach the exchange (nbgrader's output is in the message).
    """
    done = []
    for assignment in assignments:
        result = run_nbgrader(root, "release_assignment", assignment, "--force",
                              log_name=f"nbgrader-release_assignment-{assignment}")
        released = _course_exchange(root) / "outbound" / assignment / f"{assignment}.ipynb"
        if not released.is_file():
            raise ValueError(f"nbgrader did not put {assignment} in the exchange ({released} is missing):\n"
                             f"{(result.stdout + result.stderr)[-2000:]}")
        done.append(assignment)
    say(f"in the exchange for students to fetch: {', '.join(done)} ({_course_exchange(root) / 'outbound'})")
    return done


def collect_from_exchange(root: Path, assignment: str, staging: Path) -> list[str]:
    """Copy every student's latest submission of ``assignment`` from the exchange into ``staging``.

    ``staging`` then holds nbgrader's ``<student>/<assignment>/<assignment>.ipynb`` folders for
    :func:`course_tools.apps.collect.collect` to check, repair and copy into ``submitted/``.

    Returns
    -------
    list of str
        The students whose submission was copied.

    Raises
    ------
    ValueError
        If nbgrader failed (its output is in the message).
    """
    inbound = _course_exchange(root) / "inbound"
    result = run_nbgrader(root, "collect", assignment, "--update",
                          f"--CourseDirectory.submitted_directory={staging}",
                          log_name=f"nbgrader-collect-{assignment}")
    if result.returncode != 0 or not inbound.is_dir():
        raise ValueError(f"nbgrader could not collect {assignment} from {inbound}:\n"
                         f"{(result.stdout + result.stderr)[-2000:]}")
    return sorted(p.name for p in Path(staging).iterdir() if (p / assignment).is_dir())


def release_feedback_to_exchange(root: Path, assignments: list[str]) -> dict[str, int]:
    """Put each student's feedback in the exchange (``nbgrader release_feedback``).

    nbgrader files each feedback under a hash of the student's own submission, so a student can
    fetch only their own.

    Returns
    -------
    dict
        ``{assignment: number of feedback files now in the exchange}``.

    Raises
    ------
    ValueError
        If feedback exists for an assignment but none reached the exchange.
    """
    counts = {}
    feedback_dir = _course_exchange(root) / "feedback"
    for assignment in assignments:
        written = sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
        before = set(feedback_dir.glob("*.html")) if feedback_dir.is_dir() else set()
        result = run_nbgrader(root, "release_feedback", assignment,
                              log_name=f"nbgrader-release_feedback-{assignment}")
        after = set(feedback_dir.glob("*.html")) if feedback_dir.is_dir() else set()
        if written and not after:
            raise ValueError(f"nbgrader did not put the feedback of {assignment} in the exchange:\n"
                             f"{(result.stdout + result.stderr)[-2000:]}")
        counts[assignment] = len(after - before) if before else len(after)
    say("feedback in the exchange for students to fetch: " + ", ".join(f"{a} ({n})" for a, n in counts.items()))
    return counts
