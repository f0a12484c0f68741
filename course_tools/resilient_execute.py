"""An nbgrader ``Execute`` step that survives submissions which kill or hang their kernel.

nbgrader interrupts a cell that runs past ``Execute.timeout`` and goes on with the next
one. Two kinds of submission still stop it, and with it the grading of that student: code
that ends the kernel (``os._exit(1)``, a crash in a C extension, running out of memory),
and an endless loop that ignores the interrupt (``signal.signal(signal.SIGINT,
signal.SIG_IGN)``). :class:`ResilientExecute` records such a cell as failed, starts a fresh
kernel, runs the read-only setup cells above it again and then the remaining cells, so the submission is graded like any other: cells that
needed the lost state fail, self-contained ones still earn their points.

``assignments/nbgrader_config.py`` puts it in place of nbgrader's ``Execute`` for
``nbgrader autograde``, followed by :class:`StderrIsNotFailure`: nbgrader 0.9 gives no points
to a test cell that wrote anything to stderr, and in this course a failed test raises, while
stderr only carries warnings and start-up lines of libraries (TensorFlow prints two when a test
cell is the first to import it). Such text is kept as ordinary output instead.
"""
from __future__ import annotations

from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

__all__ = ["ResilientExecute", "StderrIsNotFailure", "stderr_as_output", "AUTOGRADE_PREPROCESSORS"]


class ResilientExecute(Execute):
    """nbgrader's ``Execute``, restarting the kernel when a cell kills or hangs it."""

    def _record_failure(self, cell: NotebookNode, exc: BaseException) -> None:
        message = ("the kernel died while this cell ran" if isinstance(exc, DeadKernelError)
                   else "this cell did not stop when interrupted after the time limit")
        cell.setdefault("outputs", []).append(NotebookNode(
            output_type="error", ename=type(exc).__name__,
            evalue=f"{message}; a fresh kernel runs the remaining cells",
            traceback=[f"{type(exc).__name__}: {message}; a fresh kernel runs the remaining cells"]))

    def _restart(self, index: int) -> None:
        """A fresh kernel, in which the read-only setup cells above ``index`` run again (silently)."""
        assert self.km is not None and self.kc is not None
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        self._kernel_ready()
        for cell in self.nb.cells[:index]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
                msg_id = self.kc.execute(cell.source, silent=True, store_history=False)
                if run_sync(self.async_wait_for_reply)(msg_id) is None:  # the setup itself hangs
                    run_sync(self.km.restart_kernel)(now=True)
                    run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
                    self._kernel_ready()
                    return

    def _kernel_ready(self) -> None:
        """Called when a restarted kernel is ready, before any cell runs in it (a hook for subclasses)."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        """Run one cell; if it kills or hangs the kernel, mark it failed and restart the kernel."""
        try:
            return super().preprocess_cell(cell, resources, index)
        except (DeadKernelError, CellTimeoutError) as exc:
            self.log.warning("Cell %s: %s; restarting the kernel for the remaining cells", index, exc)
            self._record_failure(cell, exc)
            self._restart(index)
            return cell, self.resources


def stderr_as_output(cell: NotebookNode) -> int:
    """Turn the stderr text of an autograded test cell into stdout text, in place.

    Only the cells nbgrader grades from their outputs (``grade`` set, not a manually graded
    answer) are changed; errors (exceptions) are left alone, so a failing test still scores 0.

    Returns
    -------
    int
        How many outputs were changed.
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return 0
    changed = 0
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            output["name"] = "stdout"
            changed += 1
    return changed


class StderrIsNotFailure(NbGraderPreprocessor):
    """Grade test cells by their errors only: text on stderr does not cost the points."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        if stderr_as_output(cell):
            self.log.info("Cell %s: stderr text kept as output; it does not fail the test", index)
        return cell, resources


def _autograde_preprocessors() -> list[type]:
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)

    return [ResilientExecute, StderrIsNotFailure, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


#: nbgrader 0.9's ``Autograde.autograde_preprocessors`` with :class:`ResilientExecute`
#: in place of ``Execute`` and :class:`StderrIsNotFailure` right after it.
AUTOGRADE_PREPROCESSORS: list[type] = _autograde_preprocessors()
