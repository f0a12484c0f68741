"""course_tools.autograde on a tiny course: sandboxed, parallel, one writer, gradebook guarded.

The hostile and red-team corpora go through the same command in tests/assignments/test_assignment_*.py;
this file checks each protection once, cheaply, and shows that it matters: the same attack
with the protection removed (``--no-sandbox``, a damaged merge) succeeds or is caught.
"""
from __future__ import annotations

import json

import nbformat
import pytest

import course_tools.autograde as sandboxed
from course_tools.gradebook_guard import GradebookDamaged
from course_tools import cli
from course_tools.apps.autograde import autograde
from course_tools.apps.collect import collect
from course_tools.apps.grades import grades, scores
from course_tools.apps.release import release
from course_tools.course import COURSE_DIR
from toy_course import GOOD, HALF, _student, _toy

# Without assert_untampered (which starts a fresh interpreter with Keras): the mechanics, quickly.
LIGHT_HIDDEN = "### BEGIN HIDDEN TESTS\nassert {call} == {value}\n### END HIDDEN TESTS"

VANDAL = ("import os, glob\n"
          "for path in glob.glob('../../../gradebook.db') + glob.glob({course!r} + '/gradebook.db'):\n"
          "    try:\n        open(path, 'wb').write(b'garbage')\n    except OSError:\n        pass\n"
          "for path in glob.glob({course!r} + '/submitted/*/toy/toy.ipynb'):\n"
          "    try:\n        os.remove(path)\n    except OSError:\n        pass\n"
          "def double(x):\n    return 2 * x")


def _course(tmp_path, name="course"):
    root = tmp_path / name
    (root / "source" / "toy").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text((COURSE_DIR / "nbgrader_config.py").read_text() + "\nc.Execute.timeout = 60\n")
    nbformat.write(_toy(LIGHT_HIDDEN), str(root / "source" / "toy" / "toy.ipynb"))
    release(root, ["toy"])
    return root


def _submit(root, folder, answers):
    for student, given in answers.items():
        _student(folder, student, given, release=root / "release" / "toy" / "toy.ipynb")
    collect(folder, root)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three students graded with two jobs; the third tries to destroy the gradebook and the others' files."""
    tmp = tmp_path_factory.mktemp("sandboxed")
    root = _course(tmp)
    _submit(root, tmp / "in", {"alice": GOOD, "bob": HALF,
                               "mallory": {**GOOD, "double": VANDAL.format(course=str(root))}})
    before = {p: p.read_bytes() for p in (root / "submitted").rglob("*.ipynb")}
    report = autograde(root, jobs=2)
    return root, report, before


def test_every_submission_is_graded_in_its_sandbox_and_the_vandal_changes_nothing(graded):
    root, report, before = graded
    assert sorted(report["graded"]) == ["alice/toy", "bob/toy", "mallory/toy"] and report["sandboxed"]
    assert {r["student"]: r["score"] for r in report["scores"]} == {"alice": 5, "bob": 2, "mallory": 5}
    assert {p: p.read_bytes() for p in (root / "submitted").rglob("*.ipynb")} == before
    assert report["gradebook"] == "checked" and report["backup"]
    assert "mallory/toy" in report["review"] and "alice/toy" not in report["review"]


def test_the_merge_step_runs_no_kernel(graded):
    """Only the sandboxed step executes code; the process that writes the gradebook replays outputs."""
    root, _, _ = graded
    log = (root / "logs" / "nbgrader-autograde.log").read_text()
    assert "Autograding" in log and "IPKernelApp" not in log and "Executing notebook" not in log


def test_the_grading_log_records_sandboxed_grades(graded):
    root, _, _ = graded
    log = json.loads((root / sandboxed.GRADING_LOG).read_text())
    assert set(log) == {"alice/toy", "bob/toy", "mallory/toy"} and all(e["sandboxed"] for e in log.values())
    assert sandboxed.unsandboxed_submissions(root) == []


def test_without_a_sandbox_grading_refuses_unless_told(tmp_path, monkeypatch, capsys):
    root = _course(tmp_path)
    _submit(root, tmp_path / "in", {"alice": GOOD})
    monkeypatch.setattr(sandboxed, "sandbox_problem", lambda: "bwrap not found (simulated)")
    with pytest.raises(sandboxed.NoSandbox, match="--no-sandbox"):
        autograde(root)
    assert scores(root) == [] or all(r["score"] == 0 for r in scores(root))
    assert cli.main(["autograde", "--course", str(root)]) == 2
    assert "bwrap not found" in capsys.readouterr().err


def test_unsandboxed_grading_is_possible_and_every_report_says_so(tmp_path, capsys):
    """--no-sandbox on a vandal: the attack now reaches the course (why the sandbox matters)."""
    root = _course(tmp_path)
    _submit(root, tmp_path / "in", {"alice": GOOD, "mallory": {**GOOD, "double": VANDAL.format(course=str(root))}})
    capsys.readouterr()
    with pytest.raises(GradebookDamaged, match="restored"):
        autograde(root, sandbox=False, jobs=1)
    out = capsys.readouterr().out
    assert "WITHOUT a sandbox" in out
    assert not (root / "submitted" / "alice" / "toy" / "toy.ipynb").exists(), "unsandboxed, the vandal reached alice"
    assert scores(root) == [], "the gradebook is back as it was before the run: nothing graded yet"
    # the gradebook itself was restored: it opens and holds what it held before the run
    assert sandboxed.GradebookGuard(root, "lstm-course").integrity_problem() is None


def test_a_gradebook_damaged_during_grading_is_restored(tmp_path, monkeypatch):
    root = _course(tmp_path)
    _submit(root, tmp_path / "in", {"alice": GOOD})
    autograde(root, jobs=1)
    kept = {r["student"]: r["score"] for r in scores(root)}
    real_merge = sandboxed._merge

    def damaging_merge(*args, **kwargs):
        real_merge(*args, **kwargs)
        (root / "gradebook.db").write_bytes(b"garbage")

    monkeypatch.setattr(sandboxed, "_merge", damaging_merge)
    with pytest.raises(GradebookDamaged, match="restored from"):
        autograde(root, jobs=1, force=True)
    assert {r["student"]: r["score"] for r in scores(root)} == kept == {"alice": 5}


def test_unsandboxed_grades_are_flagged_in_grades_and_feedback(tmp_path, capsys):
    root = _course(tmp_path)
    _submit(root, tmp_path / "in", {"alice": GOOD})
    autograde(root, sandbox=False, jobs=1)
    capsys.readouterr()
    grades(root)
    assert "WITHOUT a sandbox" in capsys.readouterr().out and sandboxed.unsandboxed_submissions(root) == ["alice/toy"]


def test_jobs_must_be_a_positive_integer(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("")
    with pytest.raises(ValueError, match="jobs"):
        sandboxed.autograde(root, jobs=0)


def test_validate_runs_a_learners_notebook_in_the_sandbox(graded, capsys):
    """`validate --notebook` on mallory's file: her vandal code runs, sandboxed, and changes nothing."""
    root, _, before = graded
    path = root / "submitted" / "mallory" / "toy" / "toy.ipynb"
    assert cli.main(["validate", "--course", str(root), "--notebook", str(path)]) == 0
    out = capsys.readouterr().out
    assert "run in the sandbox" in out and "ok   test_double (2 points)" in out
    assert {p: p.read_bytes() for p in (root / "submitted").rglob("*.ipynb")} == before
