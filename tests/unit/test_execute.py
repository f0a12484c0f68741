"""course_tools.execute: the one notebook executor (site, benchmark, validate, the notebook tests)."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.execute import NotebookExecutionError, execute_notebook, kernel_environment
from errors import clear_error


def write_notebook(path, cells):
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_execute_runs_in_the_notebook_folder_with_the_mode_set(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = write_notebook(folder / "00_first.ipynb", [
        new_code_cell("import os\nprint('fast =', os.environ['COURSE_FAST'], '| cwd =', os.path.basename(os.getcwd()))")])
    notebook, seconds = execute_notebook(path, fast=True, timeout=120)
    assert notebook.cells[0].outputs[0]["text"].strip() == "fast = 1 | cwd = notebooks"
    assert seconds > 0
    assert not nbformat.read(path, as_version=4).cells[0].outputs


def test_execute_runs_a_given_notebook_with_extra_variables(tmp_path):
    path = tmp_path / "07_given.ipynb"  # need not exist: the notebook is given
    given = nbformat.v4.new_notebook(cells=[new_code_cell("import os\nprint(os.environ['COURSE_X'], os.environ['COURSE_FAST'])")])
    executed, _ = execute_notebook(path, fast=False, timeout=60, notebook=given, env={"COURSE_X": "seen", "COURSE_FAST": "1"})
    assert executed.cells[0].outputs[0]["text"].strip() == "seen 0"  # fast decides COURSE_FAST


def test_execute_can_send_the_kernel_process_stderr_to_a_file(tmp_path):
    given = nbformat.v4.new_notebook(cells=[new_code_cell("import os\nos.write(2, b'from the process\\n')")])
    execute_notebook(tmp_path / "08_log.ipynb", fast=True, timeout=60, notebook=given, kernel_log=tmp_path / "k.log")
    assert "from the process" in (tmp_path / "k.log").read_text()


def test_execute_reports_the_failing_notebook(tmp_path):
    path = write_notebook(tmp_path / "05_broken.ipynb", [new_code_cell("1 / 0")])
    with clear_error("05_broken.ipynb: a cell raised", "ZeroDivisionError: division by zero",
                     exception=NotebookExecutionError):
        execute_notebook(path, fast=True, timeout=60)


def test_execute_reports_a_cell_past_the_time_limit(tmp_path):
    path = write_notebook(tmp_path / "06_slow.ipynb", [new_code_cell("import time\ntime.sleep(30)")])
    with clear_error("ran longer than 2 s", "--timeout", exception=NotebookExecutionError):
        execute_notebook(path, fast=True, timeout=2)


@pytest.mark.parametrize("timeout", [0, -5, True, "60"])
def test_execute_rejects_a_bad_timeout(tmp_path, timeout):
    with clear_error("timeout", "positive number"):
        execute_notebook(tmp_path / "x.ipynb", fast=True, timeout=timeout)


def test_errors_can_be_recorded_and_the_run_goes_on(tmp_path):
    path = write_notebook(tmp_path / "09_errors.ipynb", [new_code_cell("1 / 0"), new_code_cell("print('after')")])
    notebook, _ = execute_notebook(path, fast=True, timeout=60, allow_errors=True)
    assert notebook.cells[0].outputs[0]["ename"] == "ZeroDivisionError"
    assert notebook.cells[1].outputs[0]["text"] == "after\n"


def test_stored_outputs_are_replaced(tmp_path):
    cell = new_code_cell("print('fresh')", outputs=[nbformat.v4.new_output("stream", text="stale\n")])
    path = write_notebook(tmp_path / "10_outputs.ipynb", [cell])
    notebook, _ = execute_notebook(path, fast=True, timeout=60)
    assert [o["text"] for o in notebook.cells[0].outputs] == ["fresh\n"]


def test_the_kernel_environment_is_set_in_one_place():
    env = kernel_environment(False, {"COURSE_FAST": "1", "EXTRA": "x"},
                             base={"PYTEST_CURRENT_TEST": "t", "PATH": "/bin"})
    assert env == {"PATH": "/bin", "EXTRA": "x", "COURSE_FAST": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_a_file_that_is_not_a_notebook_is_refused(tmp_path):
    (tmp_path / "x.ipynb").write_text("not json")
    with clear_error("not a readable notebook", "path of an .ipynb file"):
        execute_notebook(tmp_path / "x.ipynb", fast=True, timeout=60)
