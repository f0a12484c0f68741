"""A tiny nbgrader assignment (no TensorFlow) for the tests of the grading tools.

``_toy`` is a three-answer assignment (two autograded functions and a written answer);
``_student`` writes a student's copy of its release with some answers filled in; ``GOOD``
answers everything, ``HALF`` only ``double``. ``corpus_source``/``corpus_release`` are the toy
the grading-corpus tests use (answers that build on each other).
"""
from __future__ import annotations

from pathlib import Path

import nbformat

HIDDEN = ("### BEGIN HIDDEN TESTS\nfrom course_utils.grading import assert_untampered\nassert_untampered()\n"
          "assert {call} == {value}\n### END HIDDEN TESTS")


def _cell(kind, source, grade_id, **flags):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
                                 "solution": False, "task": False, **flags}
    cell.id = grade_id.replace("_", "-")
    return cell


def _toy(hidden: str = HIDDEN) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Toy assignment"),
        _cell("code", "import math", "setup", locked=True),
        _cell("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", "double",
              solution=True),
        _cell("code", "assert double(1) == 2\n" + hidden.format(call="double(21)", value=42), "test_double",
              grade=True, locked=True, points=2),
        _cell("code", "def root(x):\n    ### BEGIN SOLUTION\n    return math.sqrt(x)\n    ### END SOLUTION", "root",
              solution=True),
        _cell("code", "assert root(4) == 2\n" + hidden.format(call="root(9)", value=3), "test_root",
              grade=True, locked=True, points=3),
        _cell("markdown", "### BEGIN SOLUTION\nBecause doubling is linear.\n### END SOLUTION", "essay",
              solution=True, grade=True, points=1),
    ])
    nb.cells[0].id = "title"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _student(folder: Path, student: str, answers: dict[str, str] | None, name: str = "toy.ipynb",
             release: Path | None = None) -> Path:
    nb = nbformat.read(str(release), 4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and gid in answers:
            cell.source = answers[gid]
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


GOOD = {"double": "def double(x):\n    return 2 * x", "root": "def root(x):\n    return math.sqrt(x)",
        "essay": "It is linear."}
HALF = {"double": "def double(x):\n    return 2 * x"}


CORPUS_HIDDEN = "### BEGIN HIDDEN TESTS\nfrom course_utils.grading import assert_untampered\nassert_untampered()\n### END HIDDEN TESTS"


def corpus_source():
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Toy"),
        _cell("code", "import math\nSCALE = 2", "setup", locked=True),
        _cell("code", "def f(x):\n    ### BEGIN SOLUTION\n    return SCALE * x\n    ### END SOLUTION", "a1", solution=True),
        _cell("code", f"result = f(1)\nassert result == 2\n{CORPUS_HIDDEN}", "t1", grade=True, locked=True, points=2),
        _cell("code", "def g(x):\n    ### BEGIN SOLUTION\n    return f(x) + 1\n    ### END SOLUTION", "a2", solution=True),
        _cell("code", f"result = g(1)\nassert result == 3\n{CORPUS_HIDDEN}", "t2", grade=True, locked=True, points=3),
        _cell("code", "### BEGIN SOLUTION\nh = math.sqrt(4)\n### END SOLUTION", "a3", solution=True),
        _cell("code", f"assert h == 2\n{CORPUS_HIDDEN}", "t3", grade=True, locked=True, points=1),
        _cell("markdown", "### BEGIN SOLUTION\nBecause.\n### END SOLUTION", "essay", solution=True, grade=True,
              points=4),
    ])


def corpus_release():
    release = nbformat.reads(nbformat.writes(corpus_source()), 4)
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = cell.source.split("### BEGIN")[0] + (
                "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE")
        cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    return release
