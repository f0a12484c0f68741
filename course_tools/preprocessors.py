"""The notebook transforms of sandboxed, parallel autograding (nbgrader preprocessors).

Grading a submission happens in two steps (see :mod:`course_tools.autograde`):

1. In a scratch copy of the course, ``nbgrader autograde`` runs the notebook with
   :class:`SandboxedExecute`: the kernel lives in a sandbox, each cell's output is capped,
   and processes a cell leaves behind are stopped before the next cell.
2. In the real course, ``nbgrader autograde`` runs once more with :class:`ReplayExecution`
   in place of execution: it copies the outputs of step 1 into the notebook, so the scores
   are written to the gradebook by this one process, in the instructor's hands.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Int, Unicode

from course_tools.resilient_execute import ResilientExecute, StderrIsNotFailure

from .sandbox import SandboxedKernelManager

__all__ = ["SandboxedExecute", "ReplayExecution", "TRUNCATED_NOTE", "STRAYS_NOTE",
           "sandboxed_preprocessors", "replay_preprocessors"]

#: Added (once) to a cell whose output went past the cap.
TRUNCATED_NOTE = "[grader: output beyond {limit} bytes was dropped]\n"
#: Added to a cell that left processes running.
STRAYS_NOTE = "[grader: {count} process(es) left running by this cell were stopped]\n"

#: Run in the kernel after stray processes were killed: collect their exit status.
REAP_CHILDREN = """import os as _grader_os
while True:
    try:
        if _grader_os.waitpid(-1, _grader_os.WNOHANG)[0] == 0:
            break
    except ChildProcessError:
        break
del _grader_os
"""

#: Run in the kernel after a MemoryError: free the locals of the frames the error's traceback keeps.
FORGET_LAST_ERROR = """import sys as _grader_sys, traceback as _grader_tb
_grader_ip = get_ipython()
for _grader_t in (getattr(_grader_ip.InteractiveTB, "tb", None), getattr(_grader_sys, "last_traceback", None),
                  getattr(getattr(_grader_ip.last_execution_result, "error_in_exec", None), "__traceback__", None)):
    if _grader_t is not None:
        _grader_tb.clear_frames(_grader_t)
_grader_ip.InteractiveTB.tb = None
_grader_sys.last_type = _grader_sys.last_value = _grader_sys.last_traceback = None
del _grader_sys, _grader_tb, _grader_ip, _grader_t
"""


def _size(msg: dict[str, Any]) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(str(content["text"]))
    data = content.get("data", {})
    if isinstance(data, dict):
        return sum(len(str(value)) for value in data.values())
    return len(str(content))


class SandboxedExecute(ResilientExecute):
    """:class:`~course_tools.resilient_execute.ResilientExecute` with the kernel in a sandbox.

    * The kernel is started by :class:`course_tools.sandbox.SandboxedKernelManager`
      (``sandbox = False``: an ordinary kernel, for ``--no-sandbox``).
    * At most ``max_output_bytes`` of output per cell reach the grader's memory; the rest is
      dropped and the cell says so (errors are always kept).
    * Processes a cell leaves running are stopped before the next cell starts (when the
      sandbox has a user id of its own), and the cell says how many.
    """

    sandbox = Bool(True, help="Run the kernel in the sandbox.").tag(config=True)
    max_output_bytes = Int(2_000_000, help="Output kept per cell, in characters.").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_manager_class = SandboxedKernelManager if self.sandbox else AsyncKernelManager
        self._output_sizes: dict[int, int] = {}

    def _kernel_ready(self) -> None:
        lock = getattr(self.km, "lock_private", None)
        if lock is not None:
            lock()

    async def async_start_new_kernel_client(self) -> Any:
        """Start the kernel's client; once the kernel is ready, close its shared folder to it."""
        client = await super().async_start_new_kernel_client()
        self._kernel_ready()
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # the public name is bound to the parent's

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """Keep an output unless the cell already sent ``max_output_bytes`` (errors are always kept)."""
        used = self._output_sizes.get(cell_index, 0)
        size = _size(msg)
        self._output_sizes[cell_index] = used + size
        if msg.get("msg_type") != "error" and used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(nbformat.v4.new_output("stream", name="stdout",
                                                   text=TRUNCATED_NOTE.format(limit=self.max_output_bytes)))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _run_silently(self, code: str) -> None:
        """Run the grader's own housekeeping code in the kernel, without output or history."""
        if self.kc is None:
            return
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        run_sync(self.async_wait_for_reply)(msg_id)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        """Run one cell (see the parent class), then undo what it did to the machine.

        Processes it left running are stopped (and reaped, so that they do not count against
        the process limit of later cells); after a ``MemoryError`` the kernel drops the last
        traceback, which would otherwise keep the memory of the failed cell.
        """
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type != "code":
            return cell, resources
        kill = getattr(self.km, "kill_strays", None)
        count = kill() if kill is not None else 0
        if count:
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output("stream", name="stdout", text=STRAYS_NOTE.format(count=count)))
            self._run_silently(REAP_CHILDREN)
        if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", [])):
            self._run_silently(FORGET_LAST_ERROR)
        return cell, resources


class ReplayExecution(NbGraderPreprocessor):
    """Give each cell the outputs it got when the notebook ran in its sandbox (step 2 above).

    The executed notebook is ``<executed_dir>/<student>/<assignment>/<notebook>.ipynb``; its
    cells must have the same sources, in the same order, as the notebook being graded (both
    come from the same submission and gradebook), or grading stops for this submission.
    """

    executed_dir = Unicode("", help="Folder of the executed notebooks.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources["nbgrader"]
        path = Path(self.executed_dir) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        if not path.is_file():
            raise ValueError(f"No executed notebook for {info['student']}/{info['assignment']}: {path} is missing.")
        executed = nbformat.read(str(path), as_version=4)
        if [c.source for c in executed.cells] != [c.source for c in nb.cells]:
            raise ValueError(f"The executed notebook {path} does not match the submission being graded "
                             "(different cells); grade it again with --force.")
        for cell, done in zip(nb.cells, executed.cells):
            if cell.cell_type == "code":
                cell.outputs = done.get("outputs", [])
                cell.execution_count = done.get("execution_count")
        return nb, resources


def _tail() -> list[type]:
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)

    return [StderrIsNotFailure, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            AssignLatePenalties, CheckCellMetadata]


def sandboxed_preprocessors() -> list[type]:
    """``Autograde.autograde_preprocessors`` of step 1: nbgrader's, executed in the sandbox."""
    return [SandboxedExecute, *_tail()]


def replay_preprocessors() -> list[type]:
    """``Autograde.autograde_preprocessors`` of step 2: nbgrader's, with the outputs of step 1."""
    return [ReplayExecution, *_tail()]
