"""course_tools.redteam: the attacks are built as described, and the integrity check sees a change.

The attacks themselves run through the real autograde in tests/assignments/test_assignment_quiz.py.
"""
from __future__ import annotations

import socket
import sqlite3
import time

import nbformat
import pytest

from course_tools.redteam import (REDTEAM_CASES, Listener, Targets, attack_code, build_redteam, course_fingerprint,
                                  integrity_problems)
from course_tools.quizzes import build_notebook
from toy_course import corpus_release as _release, corpus_source as _source


def _targets(tmp_path, port=9):
    return Targets(tmp_path / "course", tmp_path / "canary.txt", port)


def test_every_attack_has_a_cell_that_compiles(tmp_path):
    for case in REDTEAM_CASES:
        if case != "constant_guess":
            compile(attack_code(case, _targets(tmp_path), "toy"), case, "exec")
    with pytest.raises(ValueError, match="No attack cell"):
        attack_code("constant_guess", _targets(tmp_path), "toy")


def test_attacks_aim_at_the_real_course_and_expect_the_score_of_their_honest_cells(tmp_path):
    (tmp_path / "s.ipynb").write_text(nbformat.writes(_source()))
    (tmp_path / "r.ipynb").write_text(nbformat.writes(_release()))
    cases = build_redteam(tmp_path / "s.ipynb", tmp_path / "r.ipynb", tmp_path / "out", _targets(tmp_path))
    assert set(cases) == set(REDTEAM_CASES) - {"constant_guess"}, "constant letters only for a quiz"
    assert cases["vandal"].expected == 6 and cases["steal_solutions"].expected == 0
    vandal = nbformat.read(str(tmp_path / "out" / "vandal" / "r.ipynb"), 4)
    first_answer = next(i for i, c in enumerate(vandal.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "a1")
    assert "red team" in vandal.cells[first_answer - 1].source
    assert str(tmp_path / "course") in vandal.cells[first_answer - 1].source


def test_constant_letters_on_a_quiz_score_what_the_key_gives(tmp_path):
    source = build_notebook("01_sequences_and_rnns")
    release = nbformat.reads(nbformat.writes(source), 4)
    for cell in release.cells:
        cell.source = cell.source.split("### BEGIN")[0]
    (tmp_path / "s.ipynb").write_text(nbformat.writes(source))
    (tmp_path / "r.ipynb").write_text(nbformat.writes(release))
    cases = build_redteam(tmp_path / "s.ipynb", tmp_path / "r.ipynb", tmp_path / "out", _targets(tmp_path))
    guessed = nbformat.read(str(tmp_path / "out" / "constant_guess" / "r.ipynb"), 4)
    answers = [c.source for c in guessed.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert any('= "a"' in a for a in answers) and any('{"a", "b"}' in a for a in answers)
    assert 0 <= cases["constant_guess"].expected <= len(answers) / 2


def test_the_listener_counts_connections():
    with Listener() as listener:
        socket.create_connection(("127.0.0.1", listener.port), timeout=3).close()
        for _ in range(100):
            if listener.connections:
                break
            time.sleep(0.02)
    assert listener.connections == 1


def test_integrity_problems_see_each_kind_of_change(tmp_path):
    root = tmp_path / "course"
    for where in ("source", "release", "submitted/ann"):
        (root / where).mkdir(parents=True)
        (root / where / "a.ipynb").write_text("{}")
    with sqlite3.connect(root / "gradebook.db") as db:
        db.execute("CREATE TABLE grade_cell (name TEXT)")
        db.execute("CREATE TABLE grade (score REAL)")
        db.execute("INSERT INTO grade_cell VALUES ('hidden test')")
    canary = tmp_path / "canary.txt"
    canary.write_text("kept")
    with Listener() as listener:
        targets = Targets(root, canary, listener.port)
        before = course_fingerprint(root)
        assert integrity_problems(root, before, targets, "kept", listener) == []
        with sqlite3.connect(root / "gradebook.db") as db:
            db.execute("INSERT INTO grade VALUES (1.0)")  # grading writes here: not a problem
        assert integrity_problems(root, before, targets, "kept", listener) == []
        (root / "submitted" / "ann" / "a.ipynb").unlink()
        with sqlite3.connect(root / "gradebook.db") as db:
            db.execute("UPDATE grade_cell SET name = 'changed'")
        canary.write_text("changed")
        socket.create_connection(("127.0.0.1", listener.port), timeout=3).close()
        time.sleep(0.2)
        problems = "\n".join(integrity_problems(root, before, targets, "kept", listener))
    assert "submitted changed: ann/a.ipynb" in problems and "gradebook definitions changed: grade_cell" in problems
    assert "canary" in problems and "connection(s) reached port" in problems
