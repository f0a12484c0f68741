"""course_utils.resilient_execute: a submission that kills or hangs its kernel is still graded."""
from __future__ import annotations

import nbformat

from course_utils.resilient_execute import AUTOGRADE_PREPROCESSORS, ResilientExecute


def _code(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"grade_id": source[:8].strip() or "x", "schema_version": 3, "task": False,
                                     "grade": False, "solution": False, "locked": False, **nbgrader}
    return cell


def _errors(cell):
    return [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def test_the_kernel_is_restarted_with_its_setup_and_the_other_cells_still_run(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        _code("import math\nSETUP = 42", locked=True),
        _code("before = 1"),
        _code("import os\nos._exit(1)"),
        _code("print(SETUP, math.pi > 3)"),
        _code("print(before)"),
        _code("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)"),
        _code("print('after the hang', SETUP)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = ResilientExecute(timeout=5, iopub_timeout=2, startup_timeout=120)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert _errors(nb.cells[2]) == ["DeadKernelError"]
    assert nb.cells[3].outputs[0]["text"] == "42 True\n", "setup cells run again in the fresh kernel"
    assert _errors(nb.cells[4]) == ["NameError"], "the learner's earlier state is gone"
    assert "CellTimeoutError" in _errors(nb.cells[5])
    assert nb.cells[6].outputs[0]["text"] == "after the hang 42\n"


def test_it_replaces_execute_in_nbgraders_autograde_steps():
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    names = [p.__name__ for p in AUTOGRADE_PREPROCESSORS]
    defaults = [p.__name__ for p in Autograde.class_traits()["autograde_preprocessors"].default()]
    assert names == [("ResilientExecute" if n == "Execute" else n) for n in defaults]
    assert issubclass(ResilientExecute, Execute)
