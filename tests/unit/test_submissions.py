"""course_tools.submissions: matching renamed notebooks, repairing damaged ones, flagging risky code."""
from __future__ import annotations

import os
import time

import nbformat
import pytest

from course_tools.submissions import (Finding, find_submissions, match_assignment, read_notebook, repair_notebook,
                                      review_findings)
from errors import clear_error

ASSIGNMENTS = ["ps01_lstm_cell", "ps02_find_the_leak", "quiz_01_sequences_and_rnns"]


def _cell(kind, source, grade_id=None, **flags):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    if grade_id:
        meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False,
                "task": False}
        meta.update(flags)
        cell.metadata["nbgrader"] = meta
    return cell


def _release():
    return nbformat.v4.new_notebook(cells=[
        _cell("markdown", "# Title"),
        _cell("code", "import numpy as np", "setup", locked=True),
        _cell("code", "def f(x):\n    raise NotImplementedError()", "answer_f", solution=True),
        _cell("code", "assert f(1) == 2", "test_f", grade=True, locked=True, points=2),
        _cell("code", "def g(x):\n    raise NotImplementedError()", "answer_g", solution=True),
        _cell("code", "assert g(1) == 2", "test_g", grade=True, locked=True, points=3),
    ])


def _ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


@pytest.mark.parametrize("filename, expected", [
    ("ps01_lstm_cell.ipynb", ("ps01_lstm_cell", True)),
    ("ps01_lstm_cell (1).ipynb", ("ps01_lstm_cell", False)),
    ("ps01_lstm_cell-Copy1.ipynb", ("ps01_lstm_cell", False)),
    ("Copy of ps01_lstm_cell.ipynb", ("ps01_lstm_cell", False)),
    ("PS02_Find_The_Leak final.ipynb", ("ps02_find_the_leak", False)),
    ("homework.ipynb", (None, False)),
])
def test_match_assignment(filename, expected):
    assert match_assignment(filename, ASSIGNMENTS) == expected


def test_match_assignment_needs_assignments():
    with clear_error("no assignments", "run the release step"):
        match_assignment("a.ipynb", [])


def _write(path, nb=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb or _release(), str(path))
    return path


def test_find_submissions_matches_rescues_and_reports(tmp_path):
    _write(tmp_path / "alice" / "ps01_lstm_cell.ipynb")
    _write(tmp_path / "bob" / "ps01_lstm_cell (1).ipynb")
    _write(tmp_path / "carol" / "ps01_lstm_cell" / "ps01_lstm_cell.ipynb")  # nbgrader's own layout
    _write(tmp_path / "dave" / "homework.ipynb")
    _write(tmp_path / "erin" / ".ipynb_checkpoints" / "ps01_lstm_cell-checkpoint.ipynb")
    _write(tmp_path / "__MACOSX" / "ps01_lstm_cell.ipynb")
    _write(tmp_path / "bad id!" / "ps01_lstm_cell.ipynb")
    old = _write(tmp_path / "frank" / "ps01_lstm_cell (2).ipynb")
    os.utime(old, (time.time() - 100, time.time() - 100))
    _write(tmp_path / "frank" / "ps01_lstm_cell.ipynb")
    _write(tmp_path / "frank" / "ps01_lstm_cell (3).ipynb")
    found, skipped = find_submissions(tmp_path, ASSIGNMENTS)
    by_student = {s.student: s for s in found}
    assert sorted(by_student) == ["alice", "bob", "carol", "frank"]
    assert by_student["bob"].renamed_from == "ps01_lstm_cell (1).ipynb"
    assert by_student["frank"].path.name == "ps01_lstm_cell.ipynb" and by_student["frank"].renamed_from is None
    text = "\n".join(skipped)
    assert "dave/homework.ipynb: matches no assignment" in text
    assert "bad id!/" in text and text.count("frank/") == 2
    only, _ = find_submissions(tmp_path, ASSIGNMENTS, only="ps01_lstm_cell")
    assert {s.student for s in only} == {"alice", "bob", "carol", "dave", "frank"}, \
        "a single unmatched notebook is taken as the assignment collected"


def test_find_submissions_errors(tmp_path):
    with clear_error("not a folder of submissions", "<student>/<assignment>.ipynb"):
        find_submissions(tmp_path / "missing", ASSIGNMENTS)
    with clear_error("no assignments", "run the release step"):
        find_submissions(tmp_path, [])
    with clear_error("unknown assignment 'ps09'", "ps01_lstm_cell"):
        find_submissions(tmp_path, ASSIGNMENTS, only="ps09")


def test_read_notebook_refuses_damaged_files(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    with clear_error("not a readable notebook", "broken.ipynb", "ask the student to send the .ipynb file again"):
        read_notebook(path)
    path.write_text('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    with clear_error("not a readable notebook", "broken.ipynb", "copy of the release"):
        read_notebook(path)
    assert read_notebook(_write(tmp_path / "ok.ipynb")).cells


def test_repair_leaves_an_intact_submission_alone():
    release = _release()
    repaired, changes = repair_notebook(release, release)
    assert changes == [] and nbformat.writes(repaired) == nbformat.writes(release)


def test_repair_puts_back_deleted_cells_in_place():
    release = _release()
    submitted = nbformat.reads(nbformat.writes(release), 4)
    submitted.cells = [c for c in submitted.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in ("answer_g", "test_g", "setup")]
    repaired, changes = repair_notebook(submitted, release)
    assert _ids(repaired) == _ids(release)
    assert sorted(changes) == sorted(f"put back the deleted cell {g}" for g in ("setup", "answer_g", "test_g"))


def test_repair_restores_metadata_and_drops_duplicates_and_unknown_ids():
    release = _release()
    submitted = nbformat.reads(nbformat.writes(release), 4)
    submitted.cells[3].metadata["nbgrader"]["points"] = 100  # the learner gives themselves points
    submitted.cells.append(nbformat.reads(nbformat.writes(release), 4).cells[3])  # a copied test cell
    submitted.cells.append(_cell("code", "x = 1", "my_own", grade=True, points=50))
    submitted.cells[4].cell_type = "markdown"  # a test turned into text
    del submitted.cells[4]["outputs"], submitted.cells[4]["execution_count"]
    submitted.cells[1]["id"] = submitted.cells[2]["id"]
    repaired, changes = repair_notebook(submitted, release)
    assert repaired.cells[3].metadata["nbgrader"]["points"] == 2
    assert _ids(repaired)[:6] == _ids(release) and _ids(repaired)[6:] == [None, None]
    assert repaired.cells[4].cell_type == "code"
    assert len({c["id"] for c in repaired.cells}) == len(repaired.cells)
    assert any("duplicate" in c for c in changes) and any("unknown grade id 'my_own'" in c for c in changes)
    nbformat.validate(repaired)


def test_repair_needs_a_release():
    with clear_error("no nbgrader cells", "released version"):
        repair_notebook(_release(), nbformat.v4.new_notebook())


def test_review_findings_flags_tampering_but_not_ordinary_code():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("code", "import numpy as np\nnp.allclose = lambda *a, **k: True", "setup", locked=True),  # locked: skipped
        _cell("code", "import numpy as np\nimport builtins\nnp.testing.assert_allclose = print\n"
                      "values = np.zeros(3)\nvalues[0] = 1\nsetattr(np, 'isclose', None)\n%timeit 1", "answer_f",
              solution=True),
        _cell("code", "import course_utils.grading as g\ng.assert_untampered = lambda: None\nimport os\nos._exit(0)"),
        _cell("code", "def f(:\n    pass"),
        _cell("markdown", "np.allclose = 1"),
    ])
    findings = review_findings(nb)
    assert all(isinstance(f, Finding) for f in findings)
    reasons = {(f.cell, f.line): f.reason for f in findings}
    assert reasons[(1, 2)] == "touches builtins"
    assert reasons[(1, 3)] == "reassigns an attribute of the module 'np'"
    assert reasons[(1, 6)] == "sets an attribute by name"
    assert (1, 4) not in reasons and (1, 5) not in reasons, "ordinary array code is not flagged"
    assert reasons[(2, 1)] == "touches the grader" and reasons[(2, 4)] == "ends the process"
    assert reasons[(2, 2)].startswith("reassigns an attribute of the module 'g'") or reasons[(2, 2)] == "touches the grader"
    assert not any(f.cell in (0, 3, 4) for f in findings)


def test_review_findings_flag_code_that_goes_for_the_machine():
    code = ("import shutil, socket, os\nopen('../../../gradebook.db', 'wb')\nos.fork()\nfor r, d, f in os.walk('/'):\n"
            "    pass\nvalues = [1, 2]\n")
    nb = nbformat.v4.new_notebook(cells=[_cell("code", code, "answer_f", solution=True)])
    reasons = {f.line: f.reason for f in review_findings(nb)}
    assert reasons[1] in ("copies or deletes files", "opens network connections")
    assert reasons[2] == "names a folder above its own" and reasons[3] == "starts processes"
    assert reasons[4] == "searches the file system" and 6 not in reasons
