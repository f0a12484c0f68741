"""course_tools.corpus: expected scores follow the names cells define and use; the corpus is complete."""
from __future__ import annotations

import json

import nbformat
import pytest

from course_tools.corpus import (CASES, build_corpus, expected_score, failing_tests, main, solution_ids,
                                  solution_notebook)
from errors import clear_error


from toy_course import _cell, corpus_release as _release, corpus_source as _source


def test_solution_ids_are_the_autograded_answers():
    assert solution_ids(_source()) == ["a1", "a2", "a3"]


@pytest.mark.parametrize("broken, failing, score", [
    (set(), [], 6.0),
    ({"a1"}, ["t1", "t2"], 1.0),  # g uses f inside its body
    ({"a2"}, ["t2"], 3.0),
    ({"a3"}, ["t3"], 5.0),
    ({"a1", "a2", "a3"}, ["t1", "t2", "t3"], 0.0),
])
def test_broken_answers_fail_the_tests_that_use_them(broken, failing, score):
    assert failing_tests(_source(), broken) == failing
    assert expected_score(_source(), broken) == score


def test_a_restart_loses_the_learners_names_but_not_the_setup():
    assert failing_tests(_source(), restart_before="a2") == ["t2"], "g needs f, lost in the restart"
    assert failing_tests(_source(), restart_before="a3") == [], "h needs only the setup's math"


def test_tampering_fails_every_test_with_a_hidden_check():
    assert expected_score(_source(), tampered=True) == 0


def test_unknown_grade_ids_are_refused():
    with clear_error("unknown grade ids", "['nope']"):
        failing_tests(_source(), {"nope"})
    with clear_error("unknown grade ids", "['nope']"):
        expected_score(_source(), restart_before="nope")


def test_solution_notebook_fills_the_release():
    nb = solution_notebook(_source(), _release())
    assert "return SCALE * x" in nb.cells[2].source and "BEGIN SOLUTION" not in nb.cells[2].source
    assert "BEGIN HIDDEN" not in nb.cells[3].source, "tests stay as released"


def test_solution_notebook_needs_a_matching_release():
    other = nbformat.v4.new_notebook(cells=[_cell("code", "x = 1", "something_else")])
    with clear_error("no cell with grade id 'a1'", "['something_else']", "check the grade id in the source notebook"):
        solution_notebook(_source(), other)


def _write(tmp_path):
    nbformat.write(_source(), str(tmp_path / "toy_source.ipynb"))
    nbformat.write(_release(), str(tmp_path / "toy.ipynb"))
    return tmp_path / "toy_source.ipynb", tmp_path / "toy.ipynb"


def test_build_corpus_writes_every_case_with_its_expected_score(tmp_path):
    source, release = _write(tmp_path)
    cases = build_corpus(source, release, tmp_path / "corpus", huge_lines=10,
                         tamper_answers={"a1": "def f(x):\n    return 2"})
    assert list(cases) == list(CASES)
    expected = {name: case.expected for name, case in cases.items()}
    assert expected == {"full": 6, "blank": 0, "partial": 2, "syntax_error": 1, "import_error": 3,
                        "infinite_loop": 5, "deleted_test": 6, "edited_test": 5, "huge_output": 6, "renamed": 6,
                        "global_state": 0, "kernel_exit": 6}
    for case in cases.values():
        nb = nbformat.read(str(tmp_path / "corpus" / case.student / case.filename), 4)
        nbformat.validate(nb)
    assert cases["renamed"].filename == "toy (1).ipynb"
    deleted = nbformat.read(str(tmp_path / "corpus" / "deleted_test" / "toy.ipynb"), 4)
    assert "t1" not in [c.metadata.get("nbgrader", {}).get("grade_id") for c in deleted.cells]
    tampered = nbformat.read(str(tmp_path / "corpus" / "global_state" / "toy.ipynb"), 4)
    assert "np.allclose = lambda" in tampered.cells[2].source and tampered.cells[3].source == "def f(x):\n    return 2"


def test_build_corpus_accepts_a_hand_made_partial_answer(tmp_path):
    source, release = _write(tmp_path)
    cases = build_corpus(source, release, tmp_path / "corpus", partial=({"a2": "def g(x):\n    return 0"}, 5.0))
    assert cases["partial"].expected == 5.0
    nb = nbformat.read(str(tmp_path / "corpus" / "partial" / "toy.ipynb"), 4)
    assert "return 0" in nb.cells[4].source and "SCALE * x" in nb.cells[2].source


def test_build_corpus_errors(tmp_path):
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(empty, str(tmp_path / "empty.ipynb"))
    with clear_error("needs autograded answer cells and test cells"):
        build_corpus(tmp_path / "empty.ipynb", tmp_path / "empty.ipynb", tmp_path / "out")
    source, release = _write(tmp_path)
    with clear_error("huge_lines", ">= 1"):
        build_corpus(source, release, tmp_path / "out", huge_lines=0)


def test_command_line_build(tmp_path, capsys):
    source, release = _write(tmp_path)
    assert main(["build", str(source), str(release), str(tmp_path / "corpus"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["partial"] == 2
    assert main(["build", str(source), str(release), str(tmp_path / "corpus")]) == 0
    assert "wrote 12 hostile submissions" in capsys.readouterr().out
    assert main(["build", str(tmp_path / "missing.ipynb"), str(release), str(tmp_path / "c")]) == 2
    assert main(["prove", "no_such_assignment", "--workdir", str(tmp_path / "w")]) == 2
