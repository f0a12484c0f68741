"""Sandboxed, parallel autograding with one writer of the gradebook.

For every submission to grade:

1. **Run, isolated** (several at once, ``jobs``): a scratch course is made for it in a
   temporary folder (the course's configuration, a *copy* of the gradebook, the assignment's
   data files, that one submission) and ``nbgrader autograde`` runs there, with the kernel
   in a sandbox (:class:`course_tools.preprocessors.SandboxedExecute`). The kernel sees
   neither the course nor the scratch course, only a scratch home with the data files.
2. **Merge, one writer**: one ``nbgrader autograde`` process in the real course replays the
   executed notebooks (:class:`course_tools.preprocessors.ReplayExecution`) and writes
   every score to ``gradebook.db``.
3. **Guard**: the gradebook is backed up before step 1 and checked after step 2
   (:mod:`course_tools.gradebook_guard`); if it is damaged or a score changed that was not
   graded, the backup is put back and the command fails, saying so.

Without a sandbox (no bubblewrap, or not Linux) grading refuses to start unless
``sandbox=False`` is passed explicitly; every report then says the grades were produced
unsandboxed, and so do ``grades`` and ``feedback`` (``<course>/grading-log.json``).
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_tools.submissions import Finding, read_notebook, review_findings

from .course import course_id, course_root, nbgrader_environment, notebook_path, run_nbgrader
from .gradebook_guard import GradebookDamaged, GradebookGuard
from .preprocessors import STRAYS_NOTE, TRUNCATED_NOTE
from .sandbox import HOW_TO_INSTALL, Limits, sandbox_problem

__all__ = ["NoSandbox", "JobResult", "default_jobs", "to_grade", "runtime_findings", "constant_answer_findings",
           "grade_batch", "grade_submission", "batches",
           "autograde", "GRADING_LOG", "unsandboxed_submissions"]

#: Per submission: when it was graded, whether in a sandbox, and what was flagged.
GRADING_LOG = "grading-log.json"

#: Errors in an executed notebook that say the code went for the machinery, with why.
_RUNTIME_FLAGS = {
    "MemoryError": "ran out of its memory limit",
    "BlockingIOError": "hit the process limit (a fork bomb?)",
    "PermissionError": "was refused access to a file or resource",
    "ConnectionRefusedError": "tried to open a network connection",
    "ConnectionError": "tried to open a network connection",
    "gaierror": "tried to reach the network",
    "DeadKernelError": "killed its kernel",
    "CellTimeoutError": "ran past the time limit",
}
_FILE_ERRNOS = ("[Errno 30]", "[Errno 28]", "[Errno 27]", "[Errno 101]", "[Errno 13]")


class NoSandbox(RuntimeError):
    """Grading was refused: no sandbox is available and ``sandbox=False`` was not given."""


@dataclass
class JobResult:
    """How step 1 went for one submission."""

    assignment: str
    student: str
    ok: bool = False
    seconds: float = 0.0
    problem: str = ""
    notebooks: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.student}/{self.assignment}"


def default_jobs(limits: Limits = Limits()) -> int:
    """Submissions graded at once by default: the cores, but no more than the memory allows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return max(1, cores)
    return max(1, min(cores, memory // limits.memory_bytes))


def _timestamp(folder: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    try:
        return parse_utc(path.read_text().strip())
    except (ValueError, TypeError):
        return None


def _release_notebooks(root: Path, assignment: str) -> list[str]:
    return sorted(p.stem for p in (root / "release" / assignment).glob("*.ipynb"))


def to_grade(root: Path, assignments: list[str], force: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Which submissions need grading, as nbgrader decides it: ``(to grade, already graded)``.

    A submission is graded when it has no autograded notebook yet, when ``force`` is set,
    or when it was submitted after it was last graded (``timestamp.txt``).
    """
    grade, skip = [], []
    for assignment in assignments:
        folder = root / "submitted"
        students = sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()) if folder.is_dir() else []
        for student in students:
            done = root / "autograded" / student / assignment
            notebooks = _release_notebooks(root, assignment)
            missing = not all((done / f"{n}.ipynb").is_file() for n in notebooks)
            new, old = _timestamp(root / "submitted" / student / assignment), _timestamp(done)
            newer = new is not None and old is not None and new > old
            (grade if force or missing or newer else skip).append((assignment, student))
    return grade, skip


def _config(root: Path, lines: list[str]) -> str:
    return (root / "nbgrader_config.py").read_text() + "\n# --- added by course_tools.autograde ---\n" + "\n".join(lines) + "\n"


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.wait()


def grade_batch(root: Path, work: Path, items: list[tuple[str, str]], name: str, fast: bool = True,
                sandbox: bool = True, limits: Limits = Limits(), timeout: float = 1800) -> list[JobResult]:
    """Step 1 for some submissions: run them in one scratch course; executed notebooks go to ``work/executed``.

    One ``nbgrader autograde`` process grades them one after the other, each in a sandbox
    of its own (a fresh kernel with a user id of its own); a submission that cannot be
    graded does not stop the others.

    Parameters
    ----------
    root
        The course.
    work
        The grading run's temporary folder.
    items
        ``(assignment, student)`` pairs.
    name
        The scratch course's folder name (``work/jobs/<name>``) and log name.
    timeout
        Seconds each submission may take; past ``timeout * len(items)`` the whole batch is
        stopped and what it had not finished is reported failed.

    Returns
    -------
    list of JobResult
        One per item, in order: ``ok`` with the executed notebooks' names, or the problem.
    """
    results = [JobResult(assignment, student) for assignment, student in items]
    started = time.monotonic()
    job = work / "jobs" / name
    shutil.rmtree(job, ignore_errors=True)
    (job / "kernels").mkdir(parents=True)
    shutil.copy2(root / "gradebook.db", job / "gradebook.db")
    for assignment in sorted({a for a, _ in items}):
        (job / "source" / assignment).mkdir(parents=True)
        for path in (root / "source" / assignment).iterdir():  # data files only: never the solutions
            if path.is_file() and path.suffix != ".ipynb":
                shutil.copy2(path, job / "source" / assignment / path.name)
    for assignment, student in items:
        shutil.copytree(root / "submitted" / student / assignment, job / "submitted" / student / assignment)
    (job / "nbgrader_config.py").write_text(_config(root, [
        "from course_tools.preprocessors import sandboxed_preprocessors",
        "c.Autograde.autograde_preprocessors = sandboxed_preprocessors()",
        f"c.SandboxedExecute.sandbox = {sandbox!r}",
        "c.SandboxedKernelManager.uid = -1",  # each kernel leases a user id of its own (sandbox.lease_uid)
        f"c.SandboxedKernelManager.memory_bytes = {limits.memory_bytes}",
        f"c.SandboxedKernelManager.processes = {limits.processes}",
        f"c.SandboxedKernelManager.scratch_bytes = {limits.scratch_bytes}",
        f"c.SandboxedKernelManager.fast = {int(fast)}",
        f"c.SandboxedKernelManager.private_root = {str(job / 'kernels')!r}",
        f"c.SandboxedKernelManager.pristine_file = {str(work / 'pristine.json') if (work / 'pristine.json').is_file() else ''!r}",
    ]))
    os.chmod(job / "kernels", 0o755)
    log_path = work / "logs" / f"{name}.log"
    budget = timeout * len(items)
    stopped = ""
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", "*", "--force"], cwd=job,
                                   env=nbgrader_environment(fast), stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            stopped = f"stopped after {budget:g} s (the time limit of its batch)"
    seconds = (time.monotonic() - started) / len(items)
    for result in results:
        notebooks = _release_notebooks(root, result.assignment)
        executed = [job / "autograded" / result.student / result.assignment / f"{n}.ipynb" for n in notebooks]
        result.seconds = seconds
        if notebooks and all(p.is_file() for p in executed):
            target = work / "executed" / result.student / result.assignment
            target.mkdir(parents=True, exist_ok=True)
            for path in executed:
                shutil.copy2(path, target / path.name)
            result.ok, result.notebooks = True, notebooks
        else:
            tail = log_path.read_text(errors="replace")[-1500:]
            result.problem = stopped or f"nbgrader could not grade it (exit status {process.returncode}); log tail:\n{tail}"
    shutil.rmtree(job, ignore_errors=True)
    return results


def grade_submission(root: Path, work: Path, assignment: str, student: str, fast: bool = True,
                     sandbox: bool = True, limits: Limits = Limits(), timeout: float = 1800) -> JobResult:
    """Step 1 for one submission (see :func:`grade_batch`)."""
    return grade_batch(root, work, [(assignment, student)], f"{student}--{assignment}", fast, sandbox, limits,
                       timeout)[0]


def batches(items: list[tuple[str, str]], jobs: int) -> list[list[tuple[str, str]]]:
    """Split the submissions into about ``2 * jobs`` batches of similar work, for ``jobs`` workers.

    Round robin over the submissions sorted by assignment, so that every batch gets its
    share of each assignment; more batches than workers lets a quick worker take another.
    """
    count = max(1, min(len(items), 2 * jobs))
    return [chunk for chunk in (sorted(items)[i::count] for i in range(count)) if chunk]


def _merge(root: Path, work: Path, results: list[JobResult], fast: bool) -> None:
    """Step 2: replay the executed notebooks through nbgrader in the real course (one process)."""
    merge = work / "merge"
    staged = work / "merge-submitted"
    merge.mkdir()
    for r in results:
        shutil.copytree(root / "submitted" / r.student / r.assignment, staged / r.student / r.assignment)
    # The merge course is a folder of its own whose folders point into the real course: nbgrader
    # also loads the configuration of its course root, and the real course's would run kernels.
    (merge / "nbgrader_config.py").write_text(_config(root, [
        "from course_tools.preprocessors import replay_preprocessors",
        f"c.CourseDirectory.root = {str(merge)!r}",
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(root / 'gradebook.db')!r}",
        f"c.CourseDirectory.source_directory = {str(root / 'source')!r}",
        f"c.CourseDirectory.autograded_directory = {str(root / 'autograded')!r}",
        f"c.CourseDirectory.submitted_directory = {str(staged)!r}",
        "c.Autograde.autograde_preprocessors = replay_preprocessors()",
        f"c.ReplayExecution.executed_dir = {str(work / 'executed')!r}",
    ]))
    run_nbgrader(root, "autograde", "*", "--force", fast=fast, log_name="nbgrader-autograde", cwd=merge)


def runtime_findings(nb: nbformat.NotebookNode) -> list[Finding]:
    """What an executed notebook says about code that went for the machinery.

    Errors such as ``MemoryError``, a process limit, a read-only or full file system, a
    refused network connection, a killed kernel or a timeout, and the grader's notes on
    dropped output or stopped processes. One :class:`~course_tools.submissions.Finding`
    per cell and reason (line 0: the cell as a whole).
    """
    found: list[Finding] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        reasons: dict[str, str] = {}
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                name, value = str(output.get("ename", "")), str(output.get("evalue", ""))
                if name in _RUNTIME_FLAGS:
                    reasons.setdefault(_RUNTIME_FLAGS[name], f"{name}: {value}"[:120])
                elif name in ("OSError", "FileNotFoundError") and value.startswith(_FILE_ERRNOS):
                    reasons.setdefault("was refused by the sandbox", f"{name}: {value}"[:120])
            text = str(output.get("text", ""))
            if TRUNCATED_NOTE.split("{")[0] in text:
                reasons.setdefault("printed more than the output limit", text.strip()[:120])
            if STRAYS_NOTE.split("}")[1].split("]")[0] in text:
                reasons.setdefault("left processes running after the cell", text.strip()[:120])
        found += [Finding(index, 0, reason, evidence) for reason, evidence in reasons.items()]
    return found


def constant_answer_findings(nb: nbformat.NotebookNode) -> list[Finding]:
    """A graded quiz whose choice questions all got the same answer (three or more of them).

    The quizzes shuffle their options, so a constant letter earns about chance; the
    submission is still worth a human's look.
    """
    answers: list[tuple[int, str]] = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = str(cell.get("source", "")).strip()
        if cell.get("cell_type") == "code" and meta.get("solution") and str(meta.get("grade_id", "")).startswith("answer_"):
            value = text.splitlines()[-1].split("=", 1)[-1].strip() if "=" in text else ""
            if value.startswith(("'", '"', "{", "[", "(")):
                answers.append((index, value.replace("'", '"').replace(" ", "")))
    values = {value for _, value in answers}
    if len(answers) >= 3 and len(values) <= 2 and len(values) < len(answers) / 2:
        return [Finding(answers[0][0], 0, "gave the same answer to every choice question",
                        ", ".join(sorted(values)))]
    return []


def _grading_log(root: Path) -> dict[str, dict]:
    path = root / GRADING_LOG
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def unsandboxed_submissions(root: Path) -> list[str]:
    """``student/assignment`` of the submissions whose current grade was produced without a sandbox."""
    return sorted(name for name, entry in _grading_log(root).items() if not entry.get("sandboxed", True))


def _say(message: str) -> None:
    print(message, flush=True)


def autograde(course: Path | str | None = None, assignments: list[str] | None = None, force: bool = False,
              fast: bool = True, jobs: int | None = None, sandbox: bool = True, limits: Limits = Limits(),
              timeout: float = 1800) -> dict:
    """Grade every new or changed submission (steps 1-3 of the module docstring).

    Parameters
    ----------
    course
        The nbgrader course (default ``assignments/``).
    assignments
        Released assignments to grade (default: all).
    force
        Grade every submission again.
    fast
        Run the notebooks in FAST mode.
    jobs
        Submissions graded at once (default :func:`default_jobs`).
    sandbox
        False only on a machine without a sandbox, knowingly: the learners' code then runs
        with the grader's rights, and every report says so.
    limits
        The sandbox's resource limits.
    timeout
        Seconds one submission may take in all.

    Returns
    -------
    dict
        ``graded``, ``skipped``, ``failed`` (lists of ``student/assignment``), ``review``
        (``{name: [Finding]}``), ``sandboxed`` (bool), ``seconds`` (wall time of the run),
        ``backup`` (path of the gradebook backup) and ``gradebook`` ("checked").

    Raises
    ------
    NoSandbox
        If ``sandbox`` is True and no sandbox can run here (the message says how to get one).
    GradebookDamaged
        If the gradebook was damaged during grading; it has been restored from the backup.
    ValueError
        If an assignment is unknown or not released, or ``jobs`` is not a positive integer.
    """
    root = course_root(course)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs is how many submissions to grade at once, an integer >= 1; got {jobs!r}.")
    released = sorted(p.name for p in (root / "release").iterdir() if p.is_dir()) if (root / "release").is_dir() else []
    chosen = released if not assignments else assignments
    unknown = sorted(set(chosen) - set(released))
    if unknown:
        raise ValueError(f"Unknown assignment(s) {unknown}; release/ holds: {', '.join(released) or 'none'}.")
    pending, skipped = to_grade(root, chosen, force)
    report: dict = {"graded": [], "skipped": [f"{s}/{a}" for a, s in skipped], "failed": [], "review": {},
                    "sandboxed": sandbox, "seconds": 0.0, "backup": None, "gradebook": "untouched"}
    if not pending:
        return report
    if sandbox:
        problem = sandbox_problem()
        if problem:
            raise NoSandbox(f"Not grading: the learners' code would run with your rights, because {problem} "
                            "To grade anyway, on a machine you are ready to lose to a hostile submission, pass "
                            "--no-sandbox; every report will then say the grades were produced unsandboxed.")
    else:
        _say("WARNING: grading WITHOUT a sandbox (--no-sandbox): the learners' code runs with your rights "
             f"and can read the solutions and change any file you can. To get a sandbox: {HOW_TO_INSTALL}.")
    jobs = jobs or default_jobs(limits)
    guard = GradebookGuard(root, course_id(root))
    before = guard.snapshot()
    backup = guard.backup()
    report["backup"] = str(backup) if backup else None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="autograde-") as tmp:
        work = Path(tmp)
        (work / "logs").mkdir()
        checked = any("assert_untampered" in path.read_text(errors="replace")
                      for a in chosen for path in (root / "source" / a).glob("*.ipynb"))
        if sandbox and checked:  # once here instead of once per kernel (course_utils.grading.PRISTINE_FILE)
            from course_utils.grading import pristine_fingerprint

            (work / "pristine.json").write_text(json.dumps(pristine_fingerprint()))
            os.chmod(work, 0o755)

        def run(numbered: tuple[int, list[tuple[str, str]]]) -> list[JobResult]:
            index, batch = numbered
            done = grade_batch(root, work, batch, f"batch-{index}", fast, sandbox, limits, timeout)
            # a batch stopped by its time limit: grade what it had not finished one by one
            return [grade_submission(root, work, r.assignment, r.student, fast, sandbox, limits, timeout)
                    if r.problem.startswith("stopped") else r for r in done]

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = [r for done in pool.map(run, enumerate(batches(pending, jobs))) for r in done]
        done = [r for r in results if r.ok]
        if done:
            _merge(root, work, done, fast)
        logs = root / "logs"
        logs.mkdir(exist_ok=True)
        for log in (work / "logs").glob("*.log"):
            if any(not r.ok for r in results):
                shutil.copy2(log, logs / f"autograde-{log.name}")
    graded = set()
    for r in results:
        autograded = [notebook_path(root, "autograded", r.assignment, r.student).with_name(f"{n}.ipynb")
                      for n in r.notebooks]
        if r.ok and autograded and all(p.is_file() for p in autograded):
            graded.add((r.assignment, r.student))
            report["graded"].append(r.name)
        else:
            report["failed"].append(r.name)
            r.problem = r.problem or "the gradebook could not take its scores (see logs/nbgrader-autograde.log)"
    report["problems"] = {r.name: r.problem for r in results if r.problem}
    problems = guard.check(before, regraded={(r.assignment, r.student) for r in results})
    if problems:
        if backup is not None:
            guard.restore(backup)
        raise GradebookDamaged("The gradebook was damaged during grading (" + "; ".join(problems[:5]) + "). "
                               f"It has been restored from {report['backup']}: every grade is as it was before "
                               "this run. Read logs/ and grade again.")
    report["gradebook"] = "checked"
    log = _grading_log(root)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for r in results:
        name = r.name
        findings: list[Finding] = []
        try:
            submitted = read_notebook(notebook_path(root, "submitted", r.assignment, r.student))
            findings += review_findings(submitted) + constant_answer_findings(submitted)
        except ValueError:
            pass
        if (r.assignment, r.student) in graded:
            for n in r.notebooks:
                path = notebook_path(root, "autograded", r.assignment, r.student).with_name(f"{n}.ipynb")
                findings += runtime_findings(read_notebook(path))
        if findings:
            report["review"][name] = findings
        if (r.assignment, r.student) in graded:
            log[name] = {"graded": now, "sandboxed": sandbox, "seconds": round(r.seconds, 1),
                         "review": [f"cell {f.cell}: {f.reason}: {f.code}" for f in findings]}
    (root / GRADING_LOG).write_text(json.dumps(log, indent=1, sort_keys=True) + "\n")
    report["seconds"] = time.monotonic() - started
    return report
