"""The instructor's commands (course_tools.apps) on a small course: each command does its step, says so, and can run again.

The real assignments go through the same commands in tests/assignments/test_assignment_*.py; this file
uses a tiny assignment (no TensorFlow) to check the mechanics cheaply: idempotency, renamed
and updated submissions, LMS zips, feedback, the CSV, validation and every error message.
"""
from __future__ import annotations

import csv
import shutil
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from course_tools import cli
from course_tools.apps.autograde import autograde
from course_tools.apps.collect import collect
from course_tools.apps.feedback import feedback
from course_tools.apps.grades import grades, scores
from course_tools.apps.release import release, release_leaks
from course_tools.apps.validate import cell_results, validate, validate_notebook
from course_tools.course import COURSE_DIR, course_assignments, run_nbgrader
from course_tools.execute import execute_notebook

from toy_course import GOOD, HALF, HIDDEN, _cell, _student, _toy


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    config = (COURSE_DIR / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + "\nc.Execute.timeout = 60\n")
    (root / "source" / "toy").mkdir(parents=True)
    nbformat.write(_toy(), str(root / "source" / "toy" / "toy.ipynb"))
    return root


@pytest.fixture(scope="module")
def workflow(course, tmp_path_factory):
    """release -> collect -> autograde on two students; returns what each step reported."""
    out = {"release": release(course, ["toy"])}
    released = course / "release" / "toy" / "toy.ipynb"
    submissions = tmp_path_factory.mktemp("submissions")
    _student(submissions, "alice", GOOD, release=released)
    _student(submissions, "bob", HALF, name="toy (1).ipynb", release=released)
    out["submissions"] = submissions
    out["collect"] = collect(submissions, course)
    out["autograde"] = autograde(course)
    return out


def test_release_writes_the_student_version_and_is_idempotent(course, workflow):
    assert workflow["release"]["released"] == {"toy": {"auto": 5.0, "manual": 1.0}}
    released = course / "release" / "toy" / "toy.ipynb"
    text = released.read_text()
    assert "return 2 * x" not in text and "HIDDEN" not in text and "YOUR ANSWER HERE" in text
    assert release_leaks(nbformat.read(str(course / "source" / "toy" / "toy.ipynb"), 4),
                         nbformat.read(str(released), 4)) == []
    assert course_assignments(course, "release") == ["toy"]
    assert not any(p.name.startswith("quiz_") for p in (course / "source").iterdir()), \
        "naming assignments releases only those (quizzes among them are generated); no name releases all"
    again = release(course, ["toy"])
    assert again["released"] == workflow["release"]["released"] and released.read_text() == text


def test_collect_matches_renamed_notebooks_and_reports_counts(course, workflow):
    report = workflow["collect"]
    assert sorted(report["new"]) == ["alice/toy", "bob/toy"]
    assert report["renamed"] == ["bob/toy (1).ipynb -> toy.ipynb"]
    assert (course / "submitted" / "bob" / "toy" / "toy.ipynb").is_file()
    assert (course / "submitted" / "bob" / "toy" / "timestamp.txt").is_file()


def test_autograde_reads_scores_from_the_gradebook(course, workflow):
    report = workflow["autograde"]
    assert sorted(report["graded"]) == ["alice/toy", "bob/toy"] and not report["failed"]
    by_student = {row["student"]: row for row in report["scores"]}
    assert by_student["alice"]["score"] == 5 and by_student["alice"]["max_score"] == 6
    assert by_student["alice"]["needs_manual_grade"] and by_student["alice"]["auto_max"] == 5
    assert by_student["bob"]["score"] == 2 and by_student["bob"]["autograded"]


def test_a_second_run_changes_nothing_and_an_update_is_graded_again(course, workflow, capsys):
    again = collect(workflow["submissions"], course)
    assert sorted(again["unchanged"]) == ["alice/toy", "bob/toy"] and not again["new"] and not again["updated"]
    assert not autograde(course)["graded"]
    assert "skipped 2 already graded and unchanged" in capsys.readouterr().out
    time.sleep(1.1)
    _student(workflow["submissions"], "bob", GOOD, name="toy (1).ipynb",
             release=course / "release" / "toy" / "toy.ipynb")
    assert collect(workflow["submissions"], course)["updated"] == ["bob/toy"]
    report = autograde(course)
    assert report["graded"] == ["bob/toy"] and report["skipped"] == ["alice/toy"]
    assert {row["student"]: row["score"] for row in scores(course)} == {"alice": 5, "bob": 5}


def test_feedback_writes_one_html_file_per_student(course, workflow):
    written = feedback(course)
    assert [Path(p).relative_to(course / "feedback").parts for p in written["toy"]] == [
        ("alice", "toy", "toy.html"), ("bob", "toy", "toy.html")]
    text = Path(written["toy"][0]).read_text()
    assert "toy (Score: 5.0 / 6.0)" in text and "double" in text and "42" in text, "feedback shows score and tests"


def test_grades_exports_a_csv(course, workflow, tmp_path, capsys):
    path = grades(course, to=tmp_path / "grades.csv")
    rows = list(csv.DictReader(path.open()))
    assert {(r["student_id"], float(r["score"]), float(r["max_score"])) for r in rows if r["assignment"] == "toy"} >= {
        ("alice", 5.0, 6.0)}
    out = capsys.readouterr().out
    assert f"to {path}" in out and "need manual grading" in out
    assert grades(course) == course / "grades.csv"


def test_collect_from_an_lms_zip(course, workflow, tmp_path):
    released = course / "release" / "toy" / "toy.ipynb"
    folders = tmp_path / "lms"
    _student(folders, "carol", GOOD, release=released)
    _student(folders, "dan", HALF, name="toy-Copy1.ipynb", release=released)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folders.rglob("*.ipynb"):
            zf.write(path, path.relative_to(folders))
    report = collect(archive, course, assignment="toy")
    assert sorted(report["new"]) == ["carol/toy", "dan/toy"]
    assert report["renamed"] == ["dan/toy-Copy1.ipynb -> toy.ipynb"]
    canvas = tmp_path / "canvas.zip"
    with zipfile.ZipFile(canvas, "w") as zf:
        zf.write(folders / "carol" / "toy.ipynb", "erin_1234_5678_toy.ipynb")
    assert collect(canvas, course, assignment="toy", regexp="canvas")["new"] == ["erin/toy"]
    with pytest.raises(ValueError, match="--assignment"):
        collect(archive, course)
    with pytest.raises(ValueError, match="groups"):
        collect(archive, course, assignment="toy", regexp=".*")
    with pytest.raises(ValueError, match="found no notebooks"):
        collect(canvas, course, assignment="toy", regexp="folders")


def test_validate_checks_sources_and_releases(course, workflow):
    outcome = validate(course, ["toy"])
    assert outcome == {"toy source": [], "toy release": []}
    executed, _ = execute_notebook(course / "source" / "toy" / "toy.ipynb", fast=True, timeout=60, allow_errors=True)
    kinds = [(r.grade_id, r.kind, r.score) for r in cell_results(executed)]
    assert kinds == [("setup", "setup", None), ("double", "solution", None), ("test_double", "tests", 2.0),
                     ("root", "solution", None), ("test_root", "tests", 3.0)]
    problems = validate_notebook(course / "source" / "toy" / "toy.ipynb", "fail")
    assert problems == ["test_double passes on the blank release (2.0 points)",
                        "test_root passes on the blank release (3.0 points)"]
    assert validate_notebook(course / "release" / "toy" / "toy.ipynb", "pass")


def test_command_line(course, workflow, capsys, tmp_path):
    assert cli.main(["grades", "--course", str(course), "--to", str(tmp_path / "g.csv")]) == 0
    assert "exported" in capsys.readouterr().out
    assert cli.main(["autograde", "--course", str(course), "--assignment", "toy"]) == 0
    assert cli.main(["release", "--course", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err
    assert cli.main(["collect", "--course", str(course), str(tmp_path / "missing")]) == 2
    assert cli.main(["feedback", "--course", str(course), "--assignment", "nope"]) == 2


def test_release_leaks_names_what_a_release_gives_away():
    source = _toy()
    leaky = nbformat.reads(nbformat.writes(source), 4)
    leaky.cells[2].source = "def double(x):\n    return 2 * x"
    leaky.cells[3].outputs = [nbformat.v4.new_output("stream", text="ok")]
    leaks = release_leaks(source, leaky)
    assert any("BEGIN HIDDEN TESTS" in leak for leak in leaks), "a marker left in"
    assert any("assert double(21) == 42" in leak for leak in leaks), "a hidden test line"
    assert any("stored output" in leak for leak in leaks)
    assert any("solution or hidden test line: return 2 * x" in leak for leak in leaks), "a solution line"
    assert not any("def double(x):" in leak for leak in leaks), "lines outside the solution are public"


def test_errors_say_what_to_do(course, workflow, tmp_path):
    with pytest.raises(ValueError, match="nbgrader_config.py"):
        release(tmp_path)
    with pytest.raises(ValueError, match="Unknown assignment"):
        release(course, ["nope"])
    with pytest.raises(ValueError, match="where must be"):
        course_assignments(course, "elsewhere")
    with pytest.raises(ValueError, match="Give the nbgrader command"):
        run_nbgrader(course)
    with pytest.raises(ValueError, match="expect must be"):
        validate_notebook(course / "source" / "toy" / "toy.ipynb", "maybe")
    with pytest.raises(ValueError, match="timeout"):
        validate_notebook(course / "source" / "toy" / "toy.ipynb", "pass", timeout=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(course / "nbgrader_config.py", empty)
    with pytest.raises(ValueError, match="run the release command first"):
        collect(tmp_path, empty)
    with pytest.raises(ValueError, match="neither a folder"):
        collect(tmp_path / "nothing.txt", course)
    with pytest.raises(ValueError, match="Unknown assignment"):
        collect(tmp_path, course, assignment="ps99")
    assert scores(empty) == [] and autograde(empty)["graded"] == []
    broken = _toy()
    broken.cells[2].source = "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"  # nested: nbgrader fails
    (empty / "source" / "bad").mkdir(parents=True)
    nbformat.write(broken, str(empty / "source" / "bad" / "bad.ipynb"))
    with pytest.raises(ValueError, match="nbgrader did not release bad"):
        release(empty)
