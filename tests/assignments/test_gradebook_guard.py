"""course_tools.gradebook_guard: backups that restore every grade, and checks that notice damage."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_tools.gradebook_guard import KEEP, GradebookDamaged, GradebookGuard, Snapshot

# nbgrader's own API warns about its session while it adds submissions
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

COURSE_ID = "guard-course"


@pytest.fixture
def course(tmp_path, monkeypatch):
    # nbgrader runs the `alembic` program of this environment when it creates a gradebook
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", COURSE_ID) as gb:
        gb.add_assignment("hw1")
        gb.add_notebook("hw1", "hw1")
        gb.add_grade_cell("q1", "hw1", "hw1", max_score=3, cell_type="code")
        for student, score in (("ann", 3), ("ben", 1)):
            gb.add_student(student)
            gb.add_submission("hw1", student)
            grade = gb.find_grade("q1", "hw1", "hw1", student)
            grade.auto_score = score
            gb.db.commit()
    return tmp_path


def test_snapshot_reads_students_and_scores(course):
    snap = GradebookGuard(course, COURSE_ID).snapshot()
    assert snap.students == {"ann", "ben"}
    assert snap.scores == {("hw1", "ann"): (3.0, 3.0), ("hw1", "ben"): (1.0, 3.0)}
    assert GradebookGuard(course / "nowhere", COURSE_ID).snapshot() == Snapshot()


def test_a_sound_gradebook_passes_its_check(course):
    guard = GradebookGuard(course, COURSE_ID)
    assert guard.check(guard.snapshot(), regraded=set()) == []


def test_garbage_is_noticed_and_the_backup_restores_every_grade(course):
    guard = GradebookGuard(course, COURSE_ID)
    before = guard.snapshot()
    backup = guard.backup()
    guard.path.write_bytes(b"not a database " * 1000)
    problems = guard.check(before, regraded=set())
    assert problems and "cannot" in problems[0]
    with pytest.raises(GradebookDamaged):
        guard.snapshot()
    guard.restore(backup)
    assert guard.snapshot() == before and guard.check(before, set()) == []


def test_a_lost_student_or_a_changed_score_is_noticed(course):
    guard = GradebookGuard(course, COURSE_ID)
    before = guard.snapshot()
    with Gradebook(f"sqlite:///{guard.path}", COURSE_ID) as gb:
        gb.find_grade("q1", "hw1", "hw1", "ben").auto_score = 3
        gb.db.commit()
    assert any("ben/hw1 changed from 1 to 3" in p for p in guard.check(before, regraded=set()))
    assert guard.check(before, regraded={("hw1", "ben")}) == [], "a regraded submission may change"
    with sqlite3.connect(guard.path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("DELETE FROM student WHERE id = 'ann'")
    assert any("students missing: ann" in p for p in guard.check(before, regraded=set()))


def test_backups_are_consistent_copies_and_only_the_newest_are_kept(course):
    guard = GradebookGuard(course, COURSE_ID)
    paths = [guard.backup() for _ in range(KEEP + 3)]
    kept = sorted(guard.backups.glob("gradebook-*.db"))
    assert len(kept) == KEEP and kept[-1] == paths[-1]
    with sqlite3.connect(paths[-1]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert GradebookGuard(course / "nowhere", COURSE_ID).backup() is None


def test_restore_names_a_missing_backup(course):
    with pytest.raises(ValueError, match="No backup"):
        GradebookGuard(course, COURSE_ID).restore(course / "missing.db")
