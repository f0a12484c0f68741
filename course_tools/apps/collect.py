"""``course collect``: copy submissions (a folder or an LMS .zip) into ``submitted/``.

Renamed notebooks are matched to their assignment, damaged ones repaired from the release
(:func:`course_tools.submissions.repair_notebook`), and a submission is copied only when it
is new or changed, so the command can run again safely.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from course_tools.course import (command_parser, course_assignments, course_root, notebook_path, pick, run_command,
                                 run_nbgrader, say)
from course_tools.exchange import collect_from_exchange
from course_tools.submissions import find_submissions, read_notebook, repair_notebook

#: Named patterns for ``collect --regexp``: where the student id and notebook name sit in
#: the paths of an LMS download (matched against the full path of each extracted file).
REGEXPS = {
    # <student>/<notebook> anywhere inside the archive (zip_collect extracts it to extracted/<zip name>/)
    "folders": r".*/extracted/[^/]+/(?:.*/)?(?P<student_id>[A-Za-z0-9][A-Za-z0-9_.@+-]*)/(?P<file_id>[^/]+\.ipynb)$",
    # Canvas: <student>_[late_]<id>_<id>_<notebook>
    "canvas": r".*/(?P<student_id>[^/_]+)_(?:late_)?\d+_\d+_(?P<file_id>[^/]+\.ipynb)$",
}
#: The file ``nbgrader submit`` writes beside a submission; ``release_feedback`` needs it.
SUBMISSION_SECRET = "submission_secret.txt"


def _write_if_changed(path: Path, nb: nbformat.NotebookNode, stamp: dt.datetime) -> str:
    text = nbformat.writes(nb)
    if path.is_file():
        try:
            same = json.loads(path.read_text(encoding="utf-8")) == json.loads(text)
        except ValueError:
            same = False
        if same:
            return "unchanged"
        status = "updated"
        path.chmod(0o644)
    else:
        status = "new"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    previous = path.parent / "timestamp.txt"
    if previous.is_file():  # a newer timestamp makes nbgrader grade the submission again
        try:
            old = dt.datetime.fromisoformat(previous.read_text().strip())
            stamp = max(stamp, old + dt.timedelta(seconds=1))
        except ValueError:
            pass
    previous.write_text(stamp.isoformat())
    return status


def _collect_folder(root: Path, folder: Path, only: str | None, released: list[str]) -> dict[str, Any]:
    submissions, skipped = find_submissions(folder, released, only=only)
    report: dict[str, Any] = {"new": [], "updated": [], "unchanged": [], "renamed": [], "repaired": [],
                              "skipped": list(skipped)}
    for sub in submissions:
        try:
            nb = read_notebook(sub.path)
        except ValueError as exc:
            report["skipped"].append(f"{sub.student}/{sub.path.name}: {exc}")
            continue
        release_nb = nbformat.read(str(notebook_path(root, "release", sub.assignment)), 4)
        nb, changes = repair_notebook(nb, release_nb)
        stamp = dt.datetime.fromtimestamp(sub.path.stat().st_mtime, tz=dt.timezone.utc).replace(tzinfo=None)
        status = _write_if_changed(notebook_path(root, "submitted", sub.assignment, sub.student), nb, stamp)
        report[status].append(f"{sub.student}/{sub.assignment}")
        if sub.renamed_from:
            report["renamed"].append(f"{sub.student}/{sub.renamed_from} -> {sub.assignment}.ipynb")
        if changes:
            report["repaired"].append(f"{sub.student}/{sub.assignment}: {'; '.join(changes)}")
    return report


def collect(source: Path | str | None, course: Path | str | None = None, assignment: str | None = None,
            regexp: str = "folders", exchange: bool = False) -> dict[str, Any]:
    """Copy submissions into ``submitted/<student>/<assignment>/<assignment>.ipynb``.

    Parameters
    ----------
    source
        A folder with one sub-folder per student (``<student>/<assignment>.ipynb``), or a
        zip archive downloaded from an LMS (needs ``assignment``), which nbgrader's
        ``zip_collect`` extracts and sorts by ``regexp``. ``None`` with ``exchange``.
    course
        The nbgrader course (default ``assignments/``).
    assignment
        Collect this assignment only (required for a zip archive).
    regexp
        For a zip: a name of :data:`REGEXPS` or a regular expression with the groups
        ``student_id`` and ``file_id``.
    exchange
        Collect what the students of a class hub submitted to nbgrader's exchange (needs
        ``assignment``, no ``source``): each student's latest submission, through the same
        checks and repairs as a folder.

    Notes
    -----
    Renamed notebooks are matched to their assignment, damaged or missing nbgrader cells
    are given back (:func:`course_tools.submissions.repair_notebook`), and a submission is
    written only when it differs from the one already collected, with a newer
    ``timestamp.txt`` so that ``autograde`` grades it again.

    Returns
    -------
    dict
        Lists of ``new``, ``updated``, ``unchanged``, ``renamed``, ``repaired`` and
        ``skipped`` submissions.

    Raises
    ------
    ValueError
        If nothing is released yet, the source is missing, or a zip comes without an
        assignment.
    """
    root = course_root(course)
    released = course_assignments(root, "release")
    if not released:
        raise ValueError(f"Nothing is released in {root / 'release'}: run the release command first.")
    if exchange:
        if source is not None or assignment is None:
            raise ValueError("--exchange collects one assignment from nbgrader's exchange: give --assignment NAME "
                             "and no folder or zip.")
        pick(released, [assignment], "release/")
        with tempfile.TemporaryDirectory(prefix="collect-", dir=root) as staging:
            students = collect_from_exchange(root, assignment, Path(staging))
            report = _collect_folder(root, Path(staging), assignment, released)
            for student in students:
                # nbgrader files each student's feedback under a hash keyed by this secret
                secret = Path(staging) / student / assignment / SUBMISSION_SECRET
                target = notebook_path(root, "submitted", assignment, student).parent
                if secret.is_file() and target.is_dir():
                    shutil.copy2(secret, target / SUBMISSION_SECRET)
        source = f"the exchange ({len(students)} student(s) submitted)"
        return _report(root, source, report)
    if source is None:
        raise ValueError("Give the folder or LMS .zip of submissions to collect (or --exchange on a class hub).")
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        if assignment is None:
            raise ValueError("An LMS zip holds one assignment: give it with --assignment NAME.")
        pick(released, [assignment], "release/")
        pattern = REGEXPS.get(regexp, regexp)
        if "(?P<student_id>" not in pattern or "(?P<file_id>" not in pattern:
            raise ValueError(f"The regexp needs the groups (?P<student_id>...) and (?P<file_id>...); got {pattern!r}.")
        with tempfile.TemporaryDirectory(prefix="collect-", dir=root) as staging:
            archive = root / "downloaded" / assignment / "archive"
            if archive.exists():
                shutil.rmtree(archive)
            archive.mkdir(parents=True)
            shutil.copy(source, archive / source.name)
            result = run_nbgrader(root, "zip_collect", assignment, "--force",
                                  f"--CourseDirectory.submitted_directory={staging}",
                                  f"--FileNameCollectorPlugin.named_regexp={pattern}")
            staged = Path(staging)
            found = [p for p in staged.iterdir() if p.is_dir()]
            if not found:
                raise ValueError(f"zip_collect found no notebooks in {source} with the regexp {pattern!r}:\n"
                                 f"{(result.stdout + result.stderr)[-2000:]}")
            report = _collect_folder(root, staged, assignment, released)
    elif source.is_dir():
        if assignment is not None:
            pick(released, [assignment], "release/")
        report = _collect_folder(root, source, assignment, released)
    else:
        raise ValueError(f"{source} is neither a folder of submissions nor a .zip file.")
    return _report(root, source, report)


def _report(root: Path, source: Path | str, report: dict[str, Any]) -> dict[str, Any]:
    say(f"collected from {source} into {root / 'submitted'}: {len(report['new'])} new, "
         f"{len(report['updated'])} updated, {len(report['unchanged'])} unchanged")
    for key, title in (("renamed", "renamed notebooks matched to their assignment"),
                       ("repaired", "submissions given back deleted or damaged nbgrader cells"),
                       ("skipped", "left out")):
        if report[key]:
            say(f"  {len(report[key])} {title}:")
            for line in report[key]:
                say(f"    {line}")
    return report


def main(argv: list[str] | None = None) -> int:
    """``course collect SOURCE [--assignment NAME] [--regexp NAME|REGEXP]``, or ``--exchange --assignment NAME``."""
    parser = command_parser("collect", "Copy submissions into submitted/.")
    parser.add_argument("source", type=Path, nargs="?", default=None,
                        help="folder <student>/<assignment>.ipynb, or an LMS .zip (none with --exchange)")
    parser.add_argument("--assignment", help="only this assignment (required for a .zip)")
    parser.add_argument("--regexp", default="folders",
                        help=f"for a .zip: one of {sorted(REGEXPS)} or a regexp with (?P<student_id>) and (?P<file_id>)")
    parser.add_argument("--exchange", action="store_true",
                        help="collect the assignment from nbgrader's exchange (students' submissions on a class hub)")
    args = parser.parse_args(argv)
    return run_command(lambda: collect(args.source, args.course, args.assignment, args.regexp, args.exchange))


if __name__ == "__main__":
    sys.exit(main())
