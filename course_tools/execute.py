"""The one notebook executor of the tooling: the site, the benchmark, ``course validate`` and the tests.

A notebook runs top to bottom in its own folder, as a learner's would, in a kernel whose
environment is set here and nowhere else: ``COURSE_FAST`` from the mode, TensorFlow's C++
log lines off unless asked for, and ``PYTEST_CURRENT_TEST`` removed (ipykernel stops capturing
the process's stderr when it sees it, so a kernel started from a test would behave unlike one
started from an instructor's shell).
"""
from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import nbformat
from nbformat import NotebookNode

__all__ = ["NotebookExecutionError", "kernel_environment", "execute_notebook"]


class NotebookExecutionError(RuntimeError):
    """A cell raised an error or ran past the time limit (with ``allow_errors=False``)."""


def kernel_environment(fast: bool, extra: Mapping[str, str] | None = None,
                       base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a kernel that runs a course notebook.

    Parameters
    ----------
    fast
        Sets ``COURSE_FAST`` to ``"1"`` (FAST mode) or ``"0"`` (the full run), whatever
        ``extra`` or the environment say.
    extra
        Variables to add.
    base
        The environment to start from (default ``os.environ``).
    """
    env = {key: value for key, value in (os.environ if base is None else base).items()
           if key != "PYTEST_CURRENT_TEST"}
    env.update(extra or {})
    env["COURSE_FAST"] = "1" if fast else "0"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


@contextlib.contextmanager
def _environ(env: Mapping[str, str]) -> Iterator[None]:
    """Make ``os.environ`` equal to ``env`` for the duration of a block (for kernels started by nbgrader)."""
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(old)


def _check_timeout(timeout: float) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout is the seconds one cell may run, a positive number; got {timeout!r}.")


def execute_notebook(path: Path | str, *, fast: bool, timeout: float, notebook: NotebookNode | None = None,
                     env: Mapping[str, str] | None = None, kernel_log: Path | None = None,
                     allow_errors: bool = False, sandbox: bool = False,
                     kernel_name: str = "python3") -> tuple[NotebookNode, float]:
    """Execute a notebook top to bottom in its own folder.

    Parameters
    ----------
    path
        The ``.ipynb`` file; it is not modified.
    fast
        Run with ``COURSE_FAST=1`` (else ``COURSE_FAST=0``, the full run).
    timeout
        Seconds one cell may run.
    notebook
        A notebook to run instead of the file's contents (``path`` still names it and sets the
        folder it runs in); it is executed in place.
    env
        Extra environment variables for the kernel (see :func:`kernel_environment`).
    kernel_log
        A file to append what the kernel process itself writes to stderr (TensorFlow's start-up
        lines); by default it goes to this process's stderr.
    allow_errors
        Record a failing cell's error in its output and go on, as nbgrader does (a cell past the
        time limit is interrupted); by default the first error stops the run.
    sandbox
        Run the kernel in the grading sandbox (:mod:`course_tools.sandbox`), with the output of
        each cell capped: for a learner's file. Implies ``allow_errors``.
    kernel_name
        Jupyter kernel to use.

    Returns
    -------
    (nbformat.NotebookNode, float)
        The executed notebook (outputs of the file replaced) and the seconds it took.

    Raises
    ------
    NotebookExecutionError
        If a cell raises or runs longer than ``timeout`` (only with ``allow_errors=False``).
    ValueError
        If ``timeout`` is not a positive number, the file is not a notebook, or ``sandbox`` is
        asked for where none can run (the message says how to get one).
    """
    _check_timeout(timeout)
    path = Path(path)
    if notebook is None:
        try:
            notebook = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path} is not a readable notebook ({exc}); give the path of an .ipynb file.") from None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    environment = kernel_environment(fast, env)
    resources = {"metadata": {"path": str(path.parent)}}
    start = time.perf_counter()
    if sandbox:
        _execute_sandboxed(notebook, resources, environment, timeout, fast)
        return notebook, time.perf_counter() - start
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=allow_errors,
                            interrupt_on_timeout=allow_errors, resources=resources)
    try:
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(open(kernel_log, "a")) if kernel_log else None
            client.execute(env=environment, **({"stderr": log} if log else {}))
    except CellTimeoutError as exc:
        raise NotebookExecutionError(f"{path.name}: a cell ran longer than {timeout} s "
                                     f"(raise it with --timeout).\n{exc}") from None
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # no terminal colour codes in the message
        raise NotebookExecutionError(f"{path.name}: a cell raised an error; run the notebook "
                                     f"to see it in context.\n{plain}") from None
    return notebook, time.perf_counter() - start


def _execute_sandboxed(notebook: NotebookNode, resources: dict, environment: dict[str, str], timeout: float,
                       fast: bool) -> None:
    """Run ``notebook`` in place with :class:`course_tools.preprocessors.SandboxedExecute`."""
    from traitlets.config import Config

    from course_tools.preprocessors import SandboxedExecute
    from course_tools.sandbox import sandbox_problem

    problem = sandbox_problem()
    if problem:
        raise ValueError(f"Will not run a learner's notebook without a sandbox: {problem}")
    config = Config()
    config.SandboxedKernelManager.fast = int(fast)
    executor = SandboxedExecute(timeout=int(timeout), config=config)
    with _environ(environment):
        executor.preprocess(notebook, resources)
