"""Shared checks of the assignment test files (tests/assignments/test_assignment_*.py): not a test module itself.

Each assignment is proven in a temporary copy of the course: its source runs and passes its
tests, its release fails them without an error in its setup cells and gives nothing away,
and the hostile corpus, run through the instructor commands (release, collect, autograde,
grades), gets exactly the expected score of every case in the exported CSV.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from course_tools.corpus import CASES, prove
from course_tools.apps.release import release_leaks
from course_tools.apps.validate import cell_results, validate_notebook
from course_tools.course import COURSE_DIR

#: Seconds a cell may run in the tests: FAST-mode cells take a few seconds (the slowest,
#: importing Keras or training, under 20 s on a busy 2-core machine); the endless-loop case
#: sleeps (uses no CPU) while it waits for this limit, once per assignment.
TIMEOUT = 40


def solution_source(assignment: str, grade_id: str) -> str:
    """The solution of one answer cell of the course, without the solution markers."""
    source = nbformat.read(str(COURSE_DIR / "source" / assignment / f"{assignment}.ipynb"), 4)
    cell = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)


class Proof:
    """The outcome of :func:`course_tools.corpus.prove` for one assignment, with helpers."""

    def __init__(self, assignment: str, workdir: Path, **options):
        self.assignment = assignment
        self.workdir = workdir
        self.integrity: list[str] = []
        self.rows = prove([assignment], workdir, timeout=TIMEOUT, integrity=self.integrity, **options)
        self.course = workdir / "course"

    def path(self, where: str, student: str | None = None) -> Path:
        base = self.course / where / (student or "") / self.assignment
        return base / f"{self.assignment}.ipynb"

    def autograded(self, case: str) -> nbformat.NotebookNode:
        return nbformat.read(str(self.path("autograded", case)), 4)

    def outputs(self, case: str) -> str:
        return json.dumps([c.get("outputs", []) for c in self.autograded(case).cells])


def check_scores(proof: Proof, expected: dict[str, float]) -> None:
    """Every case was graded, got the hand-computed score, and the corpus' own prediction agrees."""
    rows = {row["case"]: row for row in proof.rows}
    assert set(rows) == set(expected) and set(CASES) <= set(rows)
    table = "\n".join(f"{r['case']:14} expected {r['expected']:5g}  CSV {r['score']:5g} / {r['max_score']:g}"
                      for r in proof.rows)
    print(f"\n{proof.assignment}\n{table}")
    assert all(row["graded"] for row in rows.values()), f"a submission could not be graded:\n{table}"
    assert {case: rows[case]["expected"] for case in rows} == expected, f"the corpus' prediction differs:\n{table}"
    assert {case: rows[case]["score"] for case in rows} == expected, f"the CSV differs:\n{table}"
    assert proof.integrity == [], "a submission changed something outside its sandbox"
    maxima = {row["max_score"] for row in rows.values()}
    assert len(maxima) == 1


def check_source_passes(proof: Proof) -> None:
    assert validate_notebook(proof.path("source"), "pass", timeout=TIMEOUT) == []


def check_release(proof: Proof) -> None:
    """The release fails every test without a setup error, and gives away no solution or hidden test."""
    released = nbformat.read(str(proof.path("release")), 4)
    assert release_leaks(nbformat.read(str(proof.path("source")), 4), released) == []
    text = nbformat.writes(released)
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "assert_untampered"):
        assert marker not in text
    assert validate_notebook(proof.path("release"), "fail", timeout=TIMEOUT) == []
    blank = cell_results(proof.autograded("blank"))  # the same release, graded with its hidden tests
    assert not [r for r in blank if r.kind == "setup" and r.error]
    assert all(r.score == 0 for r in blank if r.kind == "tests")


def check_hostile_details(proof: Proof, visible_pass_marker: str | None) -> None:
    """The cases behave as described, not only score as expected."""
    rows = {row["case"]: row for row in proof.rows}
    assert rows["global_state"]["review"] and rows["kernel_exit"]["review"], "risky code is flagged for a human"
    assert not rows["full"]["review"] and not rows["blank"]["review"]
    tampered = proof.outputs("global_state")
    assert "replaced functions that the tests rely on" in tampered
    if visible_pass_marker:
        assert visible_pass_marker in tampered, "with the checks replaced, the visible tests passed"
    assert proof.path("autograded", "huge_output").stat().st_size < 1_000_000, "huge output is truncated"
    assert "CellTimeoutError" in proof.outputs("infinite_loop")
    assert "DeadKernelError" in proof.outputs("kernel_exit")
    restored = proof.autograded("deleted_test")
    source = nbformat.read(str(proof.path("source")), 4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in source.cells]
    assert [i for i in ids if i] == [i for i in (c.metadata.get("nbgrader", {}).get("grade_id")
                                                  for c in restored.cells) if i]
    edited = proof.autograded("edited_test")
    assert "rewritten by the student" not in nbformat.writes(edited), "the edited test cell was restored"


def check_attacks_on_the_grader(proof: Proof) -> None:
    """The red-team cases (course_tools.redteam) failed against the sandbox, visibly, and were listed for review."""
    from course_tools.redteam import REDTEAM_CASES

    rows = {row["case"]: row for row in proof.rows}
    attacks = [case for case in REDTEAM_CASES if case in rows]
    assert len(attacks) >= len(REDTEAM_CASES) - 1
    assert proof.integrity == [], f"changed outside the sandbox: {proof.integrity}"
    for case in attacks:
        assert rows[case]["graded"] and rows[case]["review"], f"{case} must be graded and listed for review"
    said = {case: proof.outputs(case) for case in attacks}
    assert "vandal reached: nothing" in said["vandal"]
    assert "solutions found: none" in said["steal_solutions"]
    assert "copied from: nobody" in said["copy_classmate"]
    assert "network reached: nothing" in said["network"]
    assert "MemoryError" in said["memory_bomb"]
    assert "BlockingIOError" in said["fork_bomb"] and "left running by this cell were stopped" in said["fork_bomb"]
    started = int(said["fork_bomb"].split("processes started: ")[1].split("\\n")[0])
    assert started < 1000, "the process limit stopped the fork bomb"
    assert "left running by this cell were stopped" in said["daemon"]
    assert "[Errno 27] File too large" in said["disk_flood"] or "[Errno 28]" in said["disk_flood"]
    assert "output beyond" in said["output_flood"]
    assert proof.path("autograded", "output_flood").stat().st_size < 3_000_000
