"""course_tools.resilient_execute: a submission that kills or hangs its kernel is still graded."""
from __future__ import annotations

import nbformat

from course_tools.resilient_execute import AUTOGRADE_PREPROCESSORS, ResilientExecute, stderr_as_output


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
    expected = [("ResilientExecute" if n == "Execute" else n) for n in defaults]
    expected.insert(1, "StderrIsNotFailure")  # right after the execution, before grades are saved
    assert names == expected
    assert issubclass(ResilientExecute, Execute)


def test_text_on_stderr_does_not_fail_a_test_cell_but_an_error_still_does(tmp_path, monkeypatch):
    from nbgrader.utils import determine_grade

    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # or ipykernel does not capture the process's stderr

    nb = nbformat.v4.new_notebook(cells=[
        # what TensorFlow does when a test cell imports it first, and a Python warning
        _code("import os, warnings\nos.write(2, b'I0000 port.cc:153] oneDNN custom operations are on.\\n')\n"
              "warnings.warn('a harmless warning')\nassert 1 + 1 == 2", grade=True, points=3, locked=True),
        _code("import sys\nprint('on stderr', file=sys.stderr)\nassert 1 + 1 == 3", grade=True, points=2, locked=True),
        _code("import sys\nprint('an answer', file=sys.stderr)", solution=True),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = ResilientExecute(timeout=30, startup_timeout=120).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    streams = [o.get("name") for o in nb.cells[0].outputs if o.get("output_type") == "stream"]
    assert "stderr" in streams and determine_grade(nb.cells[0])[0] == 0, "nbgrader alone gives 0 for stderr"
    assert [stderr_as_output(cell) for cell in nb.cells] == [len([s for s in streams if s == "stderr"]), 1, 0]
    assert determine_grade(nb.cells[0])[0] == 3, "the passing test keeps its points"
    assert "oneDNN" in "".join(o.get("text", "") for o in nb.cells[0].outputs), "the text is kept"
    assert determine_grade(nb.cells[1])[0] == 0, "the failing test still scores 0"
    assert nb.cells[2].outputs[0]["name"] == "stderr", "answer cells are left alone"
