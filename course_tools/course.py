"""The nbgrader course folder: where it is, its id, and running nbgrader in it.

One place for what every instructor command needs: the default course (``assignments/``
of the checkout), the path of a notebook at each step (``source``, ``release``,
``submitted``, ``autograded``), the environment of the nbgrader processes, and how they
are run (the output goes to ``<course>/logs/``, the exit status is not trusted).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .settings import ASSIGNMENTS_DIR

__all__ = ["COURSE_DIR", "course_root", "course_id", "notebook_path", "nbgrader_environment", "run_nbgrader",
           "course_assignments", "pick", "say", "command_parser", "run_command", "submitted_students",
           "warn_unsandboxed"]

#: The nbgrader course of the repository.
COURSE_DIR: Path = ASSIGNMENTS_DIR


def course_root(course: Path | str | None) -> Path:
    """The course folder, checked (default :data:`COURSE_DIR`).

    Raises
    ------
    ValueError
        If the folder has no ``nbgrader_config.py``.
    """
    root = Path(course) if course is not None else COURSE_DIR
    if not (root / "nbgrader_config.py").is_file():
        raise ValueError(f"{root} is not an nbgrader course: it has no nbgrader_config.py. "
                         "Pass --course with the folder that holds nbgrader_config.py and source/.")
    return root.resolve()


def course_id(root: Path) -> str:
    """The ``c.CourseDirectory.course_id`` of a course's configuration (nbgrader's default if unset)."""
    match = re.search(r"course_id\s*=\s*['\"]([^'\"]+)['\"]", (Path(root) / "nbgrader_config.py").read_text())
    return match.group(1) if match else "default_course"


def notebook_path(root: Path, where: str, assignment: str, student: str | None = None) -> Path:
    """``<root>/<where>/[<student>/]<assignment>/<assignment>.ipynb``."""
    base = root / where / student / assignment if student else root / where / assignment
    return base / f"{assignment}.ipynb"


def nbgrader_environment(fast: bool = True) -> dict[str, str]:
    """The environment of an nbgrader process started by the course's commands."""
    env = dict(os.environ)
    # nbgrader runs the `alembic` program of this environment when it creates a gradebook
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["COURSE_FAST"] = "1" if fast else "0"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # ipykernel stops capturing what the process writes to stderr when it sees this variable;
    # the tests must grade with kernels that behave as in an instructor's shell.
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def run_nbgrader(course: Path | str | None, *args: str, fast: bool = True,
                 log_name: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader ARGS`` in the course folder and return the finished process.

    The exit status is not interpreted here: callers read results from the gradebook and
    the files nbgrader writes. The output goes to ``<course>/logs/<log_name or
    nbgrader-<command>>.log``.

    Raises
    ------
    ValueError
        If ``course`` is not an nbgrader course or no arguments are given.
    """
    root = course_root(course) if cwd is None else Path(course or cwd)
    if not args:
        raise ValueError("Give the nbgrader command to run, e.g. run_nbgrader(course, 'autograde', 'ps01').")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd or root,
                            env=nbgrader_environment(fast), capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    (logs / f"{log_name or 'nbgrader-' + args[0]}.log").write_text(
        f"$ nbgrader {' '.join(args)}\n(exit status {result.returncode})\n{result.stdout}{result.stderr}")
    return result


def say(message: str) -> None:
    print(message, flush=True)


def course_assignments(course: Path | str | None = None, where: str = "source") -> list[str]:
    """Names of the assignments in ``source/`` (or ``release/``): folders holding a notebook.

    Raises
    ------
    ValueError
        If ``course`` is not an nbgrader course or ``where`` is not source/release.
    """
    if where not in ("source", "release"):
        raise ValueError(f"where must be 'source' or 'release'; got {where!r}.")
    folder = course_root(course) / where
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def pick(available: list[str], wanted: list[str] | None, where: str) -> list[str]:
    if not wanted:
        return available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise ValueError(f"Unknown assignment(s) {unknown}; {where} holds: {', '.join(available) or 'none'}.")
    return [a for a in available if a in wanted]



def command_parser(command: str, description: str) -> argparse.ArgumentParser:
    """The parser of ``course COMMAND``, with the ``--course`` option every instructor command takes."""
    parser = argparse.ArgumentParser(prog=f"course {command}", description=description)
    parser.add_argument("--course", type=Path, default=None,
                        help="the nbgrader course folder (default: assignments/ of the checkout)")
    return parser


def submitted_students(root: Path, assignment: str) -> list[str]:
    """The students with a submission of ``assignment`` in ``submitted/`` (sorted)."""
    folder = root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


def warn_unsandboxed(root: Path) -> None:
    """Say loudly when grades in the course were produced without a sandbox."""
    from course_tools.autograde import unsandboxed_submissions

    unsafe = unsandboxed_submissions(root)
    if unsafe:
        say(f"WARNING: {len(unsafe)} grade(s) were produced WITHOUT a sandbox (--no-sandbox); a hostile "
             "submission could have read the solutions or changed other files: " + ", ".join(unsafe[:10]))


def run_command(action: Callable[[], object]) -> int:
    """Run an instructor command's action and return its exit status.

    The status is what ``action`` returns when that is an int, else 0 (the commands' functions
    return their reports). A refusal becomes ``error: ...`` on stderr and status 2.

    ``ValueError`` is a wrong argument or a course in the wrong state; ``RuntimeError`` is no
    sandbox, or a gradebook that was damaged (and restored). Either way the message says what to do.
    """
    try:
        result = action()
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) and not isinstance(result, bool) else 0
