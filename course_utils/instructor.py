"""The instructor's workflow on the nbgrader course in ``assignments/``, one command per step.

::

    python -m course_utils.instructor release                 # graded quizzes + every assignment -> release/
    python -m course_utils.instructor collect SUBMISSIONS     # folder <student>/<assignment>.ipynb -> submitted/
    python -m course_utils.instructor collect LMS.zip --assignment ps01_lstm_cell   # an LMS download, via zip_collect
    python -m course_utils.instructor autograde               # run the tests of every new submission (FAST mode)
    python -m course_utils.instructor feedback                # one HTML report per student -> feedback/
    python -m course_utils.instructor grades                  # CSV export -> assignments/grades.csv
    python -m course_utils.instructor validate                # sources pass their tests, releases fail them

Each command can be run again safely: it redoes nothing that is up to date and says what it
did. nbgrader's own ``validate`` and ``autograde`` exit with status 0 even when tests fail,
so these commands read the outcome from the gradebook and the notebooks, never from
nbgrader's exit status. ``autograde`` exits with status 1 when a submission could not be
graded, and lists submissions whose code a human should read (see
:func:`course_utils.submissions.review_findings`).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from course_tools.course import COURSE_DIR, course_id, course_root, nbgrader_environment, notebook_path, run_nbgrader

from . import graded_quiz
from .submissions import find_submissions, read_notebook, repair_notebook

__all__ = ["COURSE_DIR", "REGEXPS", "course_assignments", "run_nbgrader", "release", "collect",
           "autograde", "feedback", "grades", "scores", "execute_notebook", "check_learner_notebook", "cell_results",
           "validate_notebook", "validate", "release_leaks", "main"]

#: Named patterns for ``collect --regexp``: where the student id and notebook name sit in
#: the paths of an LMS download (matched against the full path of each extracted file).
REGEXPS = {
    # <student>/<notebook> anywhere inside the archive (zip_collect extracts it to extracted/<zip name>/)
    "folders": r".*/extracted/[^/]+/(?:.*/)?(?P<student_id>[A-Za-z0-9][A-Za-z0-9_.@+-]*)/(?P<file_id>[^/]+\.ipynb)$",
    # Canvas: <student>_[late_]<id>_<id>_<notebook>
    "canvas": r".*/(?P<student_id>[^/_]+)_(?:late_)?\d+_\d+_(?P<file_id>[^/]+\.ipynb)$",
}

_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _say(message: str) -> None:
    print(message, flush=True)


_course = course_root
_course_id = course_id
_notebook_path = notebook_path
_environment = nbgrader_environment


def course_assignments(course: Path | str | None = None, where: str = "source") -> list[str]:
    """Names of the assignments in ``source/`` (or ``release/``): folders holding a notebook.

    Raises
    ------
    ValueError
        If ``course`` is not an nbgrader course or ``where`` is not source/release.
    """
    if where not in ("source", "release"):
        raise ValueError(f"where must be 'source' or 'release'; got {where!r}.")
    folder = _course(course) / where
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def _pick(available: list[str], wanted: list[str] | None, where: str) -> list[str]:
    if not wanted:
        return available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise ValueError(f"Unknown assignment(s) {unknown}; {where} holds: {', '.join(available) or 'none'}.")
    return [a for a in available if a in wanted]


# ---------------------------------------------------------------------------------- release

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


def release(course: Path | str | None = None, assignments: list[str] | None = None) -> dict[str, Any]:
    """Generate the graded quizzes, then the student version of every assignment.

    Runs :func:`course_utils.graded_quiz.write_graded_quizzes` into ``source/`` and
    ``nbgrader generate_assignment --force`` for each assignment (which also records it in
    the gradebook), then checks each release for leaks (:func:`release_leaks`).

    Returns
    -------
    dict
        ``{"quizzes": report of write_graded_quizzes, "released": {assignment: points}}``.

    Raises
    ------
    ValueError
        If an assignment is unknown, nbgrader did not write a release, or a release leaks.
    """
    root = _course(course)
    quiz_report = _write_quizzes(root, assignments)
    _say(f"graded quizzes: {len(quiz_report['written'])} written, {len(quiz_report['unchanged'])} unchanged, "
         f"{len(quiz_report['removed'])} removed, in {root / 'source'}")
    chosen = _pick(course_assignments(root), assignments, "source/")
    started = time.time()
    # one nbgrader process for all (its assignment id is a glob) is much faster than one each
    for pattern in (["*"] if not assignments else chosen):
        result = run_nbgrader(root, "generate_assignment", pattern, "--force")
    released: dict[str, dict[str, float]] = {}
    for assignment in chosen:
        path = _notebook_path(root, "release", assignment)
        if not path.is_file() or path.stat().st_mtime < started - 2:
            raise ValueError(f"nbgrader did not release {assignment} (exit status {result.returncode}); "
                             f"see {root / 'logs'}:\n{(result.stdout + result.stderr)[-3000:]}")
        leaks = release_leaks(nbformat.read(str(_notebook_path(root, "source", assignment)), 4),
                              nbformat.read(str(path), 4))
        if leaks:
            raise ValueError(f"The release of {assignment} gives away its solutions: " + "; ".join(leaks[:5]))
        released[assignment] = _points(nbformat.read(str(path), 4))
    width = max((len(a) for a in released), default=10)
    _say(f"released {len(released)} assignment(s) to {root / 'release'} (regenerated; nothing leaks):")
    for assignment, points in released.items():
        _say(f"  {assignment:{width}}  {points['auto']:4g} autograded + {points['manual']:g} by hand")
    return {"quizzes": quiz_report, "released": released}


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


# ---------------------------------------------------------------------------------- collect

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
        release_nb = nbformat.read(str(_notebook_path(root, "release", sub.assignment)), 4)
        nb, changes = repair_notebook(nb, release_nb)
        stamp = dt.datetime.fromtimestamp(sub.path.stat().st_mtime, tz=dt.timezone.utc).replace(tzinfo=None)
        status = _write_if_changed(_notebook_path(root, "submitted", sub.assignment, sub.student), nb, stamp)
        report[status].append(f"{sub.student}/{sub.assignment}")
        if sub.renamed_from:
            report["renamed"].append(f"{sub.student}/{sub.renamed_from} -> {sub.assignment}.ipynb")
        if changes:
            report["repaired"].append(f"{sub.student}/{sub.assignment}: {'; '.join(changes)}")
    return report


def collect(source: Path | str, course: Path | str | None = None, assignment: str | None = None,
            regexp: str = "folders") -> dict[str, Any]:
    """Copy submissions into ``submitted/<student>/<assignment>/<assignment>.ipynb``.

    Parameters
    ----------
    source
        A folder with one sub-folder per student (``<student>/<assignment>.ipynb``), or a
        zip archive downloaded from an LMS (needs ``assignment``), which nbgrader's
        ``zip_collect`` extracts and sorts by ``regexp``.
    course
        The nbgrader course (default ``assignments/``).
    assignment
        Collect this assignment only (required for a zip archive).
    regexp
        For a zip: a name of :data:`REGEXPS` or a regular expression with the groups
        ``student_id`` and ``file_id``.

    Notes
    -----
    Renamed notebooks are matched to their assignment, damaged or missing nbgrader cells
    are given back (:func:`course_utils.submissions.repair_notebook`), and a submission is
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
    root = _course(course)
    released = course_assignments(root, "release")
    if not released:
        raise ValueError(f"Nothing is released in {root / 'release'}: run the release command first.")
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        if assignment is None:
            raise ValueError("An LMS zip holds one assignment: give it with --assignment NAME.")
        _pick(released, [assignment], "release/")
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
            _pick(released, [assignment], "release/")
        report = _collect_folder(root, source, assignment, released)
    else:
        raise ValueError(f"{source} is neither a folder of submissions nor a .zip file.")
    _say(f"collected from {source} into {root / 'submitted'}: {len(report['new'])} new, "
         f"{len(report['updated'])} updated, {len(report['unchanged'])} unchanged")
    for key, title in (("renamed", "renamed notebooks matched to their assignment"),
                       ("repaired", "submissions given back deleted or damaged nbgrader cells"),
                       ("skipped", "left out")):
        if report[key]:
            _say(f"  {len(report[key])} {title}:")
            for line in report[key]:
                _say(f"    {line}")
    return report


# ---------------------------------------------------------------------------------- scores

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

    root = _course(course)
    rows: list[dict[str, Any]] = []
    if not (root / "gradebook.db").is_file():
        return rows
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", _course_id(root)) as gb:
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
                    "autograded": all(_notebook_path(root, "autograded", assignment.name, student.id)
                                      .with_name(f"{nb.name}.ipynb").is_file() for nb in assignment.notebooks),
                })
    return rows


# ---------------------------------------------------------------------------------- autograde

def _submitted(root: Path, assignment: str) -> list[str]:
    folder = root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


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

    root = _course(course)
    chosen = _pick(course_assignments(root, "release"), assignments, "release/")
    chosen = [a for a in chosen if _submitted(root, a)]
    report = sandboxed_autograde(root, chosen, force=force, fast=fast, jobs=jobs, sandbox=sandbox,
                                 timeout=timeout) if chosen else {
        "graded": [], "skipped": [], "failed": [], "review": {}, "sandboxed": sandbox, "seconds": 0.0,
        "backup": None, "gradebook": "untouched", "problems": {}}
    report["scores"] = scores(root, chosen)
    mode = "sandboxed" if report["sandboxed"] else "UNSANDBOXED (--no-sandbox)"
    rate = f", {len(report['graded']) / report['seconds'] * 60:.1f} per minute" if report["graded"] else ""
    _say(f"autograded {len(report['graded'])} submission(s) in {'FAST' if fast else 'full'} mode, {mode}"
         f"{rate}; skipped {len(report['skipped'])} already graded and unchanged; results in "
         f"{root / 'gradebook.db'} and {root / 'autograded'}")
    if report["backup"]:
        _say(f"  gradebook backed up to {report['backup']} and {report['gradebook']} after grading")
    _print_scores(report["scores"])
    if report["failed"]:
        _say(f"{len(report['failed'])} submission(s) could NOT be graded (see {root / 'logs'}); "
             "their scores above are stale or 0: " + ", ".join(report["failed"]))
        for name in report["failed"]:
            _say(f"  {name}: {report['problems'].get(name, '')[:300]}")
    if report["review"]:
        _say(f"{len(report['review'])} submission(s) contain code a human should read before trusting the grade:")
        for name, findings in report["review"].items():
            for finding in findings[:5]:
                where = f"cell {finding.cell}" + (f" line {finding.line}" if finding.line else "")
                _say(f"  {name}, {where}: {finding.reason}: {finding.code}")
    _warn_unsandboxed(root)
    return report


def _warn_unsandboxed(root: Path) -> None:
    from course_tools.autograde import unsandboxed_submissions

    unsafe = unsandboxed_submissions(root)
    if unsafe:
        _say(f"WARNING: {len(unsafe)} grade(s) were produced WITHOUT a sandbox (--no-sandbox); a hostile "
             "submission could have read the solutions or changed other files: " + ", ".join(unsafe[:10]))


def _print_scores(rows: list[dict[str, Any]]) -> None:
    if not rows:
        _say("  no scores in the gradebook yet")
        return
    width = max(len(r["student"]) for r in rows)
    for row in rows:
        note = " (+ manual grading pending)" if row["needs_manual_grade"] else ""
        _say(f"  {row['assignment']:28} {row['student']:{width}}  {row['score']:5g} / {row['max_score']:g}{note}")


# ---------------------------------------------------------------------------------- feedback

def feedback(course: Path | str | None = None, assignments: list[str] | None = None) -> dict[str, list[str]]:
    """Write one HTML feedback file per graded submission: ``feedback/<student>/<assignment>/``.

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
    root = _course(course)
    chosen = _pick(course_assignments(root, "release"), assignments, "release/")
    graded = [a for a in chosen if any(_notebook_path(root, "autograded", a, s).is_file()
                                       for s in _submitted(root, a))]
    for pattern in (["*"] if not assignments and graded else graded):
        run_nbgrader(root, "generate_feedback", pattern, "--force")
    written = {a: sorted(str(p) for p in (root / "feedback").glob(f"*/{a}/*.html")) for a in graded}
    total = sum(len(v) for v in written.values())
    _say(f"wrote {total} HTML feedback file(s) to {root / 'feedback'}/<student>/<assignment>/")
    _warn_unsandboxed(root)
    for assignment, paths in written.items():
        _say(f"  {assignment}: {len(paths)}")
    return written


# ---------------------------------------------------------------------------------- grades

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
    root = _course(course)
    path = Path(to).resolve() if to is not None else root / "grades.csv"
    if path.exists():
        path.unlink()
    result = run_nbgrader(root, "export", f"--to={path}")
    if not path.is_file():
        raise ValueError(f"nbgrader export wrote no CSV:\n{(result.stdout + result.stderr)[-2000:]}")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pending = sum(r["needs_manual_grade"] for r in scores(root))
    _say(f"exported {len(rows)} grade(s) ({len({r['student_id'] for r in rows})} students, "
         f"{len({r['assignment'] for r in rows})} assignments) to {path}")
    if pending:
        _say(f"  {pending} submission(s) still need manual grading (formgrader: "
             "`jupyter lab` in assignments/, then the Nbgrader > Formgrader menu); their scores count "
             "only the autograded points so far")
    _warn_unsandboxed(root)
    return path


# ---------------------------------------------------------------------------------- validate

@contextlib.contextmanager
def _env(**values: str | None) -> Iterator[None]:
    """Set (or, with ``None``, remove) environment variables for the duration of a block."""
    old = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(path: Path | str, timeout: int = 120, fast: bool = True,
                     sandbox: bool = False) -> nbformat.NotebookNode:
    """Run a notebook top to bottom as nbgrader does (errors recorded, execution goes on).

    Parameters
    ----------
    sandbox
        Run the kernel in the grading sandbox (:mod:`course_tools.sandbox`): for a learner's
        file. The instructor's own sources and releases run as they are.

    Raises
    ------
    ValueError
        If the file is not a readable notebook, ``timeout`` is not a positive integer, or
        ``sandbox`` is asked for where none can run (the message says how to get one).
    """
    from nbgrader.preprocessors import ClearOutput, Execute

    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout is in seconds, an integer >= 1; got {timeout!r}.")
    path = Path(path)
    nb = read_notebook(path)
    if sandbox:
        from traitlets.config import Config

        from course_tools.preprocessors import SandboxedExecute
        from course_tools.sandbox import sandbox_problem

        problem = sandbox_problem()
        if problem:
            raise ValueError(f"Will not run a learner's notebook without a sandbox: {problem}")
        config = Config()
        config.SandboxedKernelManager.fast = int(fast)
        executor: Execute = SandboxedExecute(timeout=timeout, config=config)
    else:
        executor = Execute(timeout=timeout)
    env = _environment(fast)
    with _env(COURSE_FAST=env["COURSE_FAST"], TF_CPP_MIN_LOG_LEVEL=env["TF_CPP_MIN_LOG_LEVEL"], PYTEST_CURRENT_TEST=None):
        nb, _ = ClearOutput().preprocess(nb, {})
        nb, _ = executor.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    return nb


def check_learner_notebook(path: Path | str, timeout: int = 120, fast: bool = True) -> list[str]:
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
    for r in cell_results(execute_notebook(path, timeout=timeout, fast=fast, sandbox=True)):
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

    That is nbgrader's score, after :func:`course_utils.resilient_execute.stderr_as_output`
    (text on stderr does not fail a test), as in the course's autograde pipeline.
    """
    from nbgrader.utils import determine_grade

    from .resilient_execute import stderr_as_output

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


def validate_notebook(path: Path | str, expect: str, timeout: int = 120, fast: bool = True) -> list[str]:
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
    results = cell_results(execute_notebook(path, timeout=timeout, fast=fast))
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
             timeout: int = 120) -> dict[str, list[str]]:
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
    root = _course(course)
    _write_quizzes(root, assignments)
    chosen = _pick(course_assignments(root), assignments, "source/")
    outcome: dict[str, list[str]] = {}
    for assignment in chosen:
        outcome[f"{assignment} source"] = validate_notebook(_notebook_path(root, "source", assignment), "pass", timeout)
        released = _notebook_path(root, "release", assignment)
        if released.is_file():
            outcome[f"{assignment} release"] = validate_notebook(released, "fail", timeout)
    bad = {k: v for k, v in outcome.items() if v}
    _say(f"validated {len(outcome)} notebook(s) in FAST mode: {len(outcome) - len(bad)} as expected, {len(bad)} not")
    for key, problems in outcome.items():
        _say(f"  {'ok  ' if not problems else 'FAIL'} {key}" + ("" if not problems else ": " + "; ".join(problems)))
    return outcome


# ---------------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.instructor",
                                     description="The instructor's workflow on the nbgrader course.")
    parser.add_argument("--course", type=Path, default=None, help="the nbgrader course folder (default: assignments/)")
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="generate the graded quizzes and every student version")
    rel.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    col = commands.add_parser("collect", help="copy submissions into submitted/")
    col.add_argument("source", type=Path, help="folder <student>/<assignment>.ipynb, or an LMS .zip")
    col.add_argument("--assignment", help="only this assignment (required for a .zip)")
    col.add_argument("--regexp", default="folders",
                     help=f"for a .zip: one of {sorted(REGEXPS)} or a regexp with (?P<student_id>) and (?P<file_id>)")
    auto = commands.add_parser("autograde", help="grade new or changed submissions (FAST mode)")
    auto.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    auto.add_argument("--force", action="store_true", help="grade every submission again")
    auto.add_argument("--full", action="store_true", help="run the notebooks at full size, not in FAST mode")
    auto.add_argument("--jobs", type=int, default=None,
                      help="submissions graded at once (default: the cores, as far as memory allows)")
    auto.add_argument("--timeout", type=float, default=1800, help="seconds one submission may take in all")
    auto.add_argument("--no-sandbox", action="store_true",
                      help="run the learners' code WITHOUT a sandbox (only where none exists; every report says so)")
    fb = commands.add_parser("feedback", help="write HTML feedback per student")
    fb.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    gr = commands.add_parser("grades", help="export the grades to CSV")
    gr.add_argument("--to", type=Path, default=None, help="CSV file (default: assignments/grades.csv)")
    val = commands.add_parser("validate", help="sources pass their tests, releases fail them")
    val.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    val.add_argument("--notebook", type=Path, default=None,
                     help="instead, run this learner's notebook in the sandbox and show its visible tests")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            release(args.course, args.assignment)
        elif args.command == "collect":
            collect(args.source, args.course, args.assignment, args.regexp)
        elif args.command == "autograde":
            report = autograde(args.course, args.assignment, force=args.force, fast=not args.full, jobs=args.jobs,
                               sandbox=not args.no_sandbox, timeout=args.timeout)
            return 1 if report["failed"] else 0
        elif args.command == "feedback":
            feedback(args.course, args.assignment)
        elif args.command == "grades":
            grades(args.course, args.to)
        elif args.command == "validate" and args.notebook is not None:
            lines = check_learner_notebook(args.notebook)
            _say(f"{args.notebook} (run in the sandbox; visible tests only, hidden ones decide the grade):")
            for line in lines:
                _say(f"  {line}")
            return 0 if lines and all(line.startswith("ok") for line in lines) else 1
        elif args.command == "validate":
            return 1 if any(validate(args.course, args.assignment).values()) else 0
    except (ValueError, RuntimeError) as exc:  # RuntimeError: no sandbox, or a damaged gradebook (restored)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
