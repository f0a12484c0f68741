"""Shared fixtures and the test tiers.

Each folder under ``tests/`` is a tier and carries the marker of its name, so one tier runs with
``pytest -m browser`` (or ``make test-browser``) and ``make test`` runs them all:

- ``unit``: one module's behaviour, seconds each;
- ``content``: the lessons, quizzes and navigation as shipped, and every notebook executed once
  in FAST mode (the site and browser tests reuse those executions);
- ``assignments``: nbgrader and the grading sandbox, end to end;
- ``browser``: the static site and JupyterLab in Chromium;
- ``hub``: a class on a real JupyterHub (Unix accounts, nbgrader's exchange, Chromium).

Helpers shared by several tests live in ``tests/support`` (on ``sys.path`` through
``pythonpath`` in ``pyproject.toml``).
"""
from __future__ import annotations

import fcntl
import functools
import json
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from course_tools.execute import NotebookExecutionError, execute_notebook
from course_tools.settings import FAST_NOTEBOOK_LIMIT, LESSON_CELL_TIMEOUT

ExecutedNotebook = Callable[[Path], "tuple[nbformat.NotebookNode, float]"]

TIERS = ("unit", "content", "assignments", "browser", "hub")
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            tier = Path(item.path).resolve().relative_to(_HERE).parts[0]
        except ValueError:
            continue
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


# ------------------------------------------------------------------ lessons executed once

def _shared_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this run sees (the controller's base temp folder)."""
    base = factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    folder = shared / "executed-lessons"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def executed_lesson(tmp_path_factory: pytest.TempPathFactory) -> ExecutedNotebook:
    """``executed_lesson(path) -> (notebook, seconds)``: a lesson executed in FAST mode, once per test run.

    The first test that asks for a lesson executes it (with :func:`course_tools.execute.execute_notebook`);
    every other test, in any worker, gets a copy of that execution: the notebook tests and the site
    share them, so ``make test`` runs each lesson once. A lesson that failed raises the same
    :class:`~course_tools.execute.NotebookExecutionError` for every test that asks for it.
    """
    folder = _shared_folder(tmp_path_factory)
    return functools.partial(_executed, folder)


def _executed(folder: Path, path: Path) -> tuple[nbformat.NotebookNode, float]:
    path = Path(path).resolve()
    stored, record = folder / path.name, folder / f"{path.stem}.json"
    with open(folder / f"{path.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker executes; the others wait for its result
        if not record.is_file():
            try:
                notebook, seconds = execute_notebook(path, fast=True, timeout=LESSON_CELL_TIMEOUT["fast"])
                nbformat.write(notebook, str(stored))
                outcome = {"seconds": seconds, "error": None}
            except NotebookExecutionError as exc:
                outcome = {"seconds": None, "error": str(exc)}
            record.write_text(json.dumps(outcome))
    outcome = json.loads(record.read_text())
    if outcome["error"]:
        raise NotebookExecutionError(outcome["error"])
    return nbformat.read(str(stored), as_version=4), outcome["seconds"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """How long each lesson took to execute in FAST mode (the limit is FAST_NOTEBOOK_LIMIT)."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    folder = factory.getbasetemp() / "executed-lessons"
    records = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not records:
        return
    terminalreporter.section("lessons executed (FAST mode, once each)")
    total = 0.0
    for record in records:
        seconds = json.loads(record.read_text())["seconds"]
        total += seconds or 0.0
        text = "failed" if seconds is None else f"{seconds:6.1f} s"
        flag = "  <-- over the FAST limit" if seconds and seconds > FAST_NOTEBOOK_LIMIT else ""
        terminalreporter.write_line(f"{text}  {record.stem}{flag}")
    terminalreporter.write_line(f"{total:6.1f} s  total")
