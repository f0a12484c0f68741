"""A corpus of hostile submissions built from an assignment, with the score each must get.

To trust autograding, run it on submissions that try to break it. :func:`build_corpus`
derives them from the source notebook (the solutions) and the released notebook (what
students receive), one student folder per case, in the layout ``collect`` reads
(``<out>/<case>/<assignment>.ipynb``)::

    course corpus build assignments/source/ps01_lstm_cell/ps01_lstm_cell.ipynb \\
        assignments/release/ps01_lstm_cell/ps01_lstm_cell.ipynb /tmp/corpus

prints every case with the score it should get, so that the instructor commands run on the
folder (``collect``, ``autograde``, ``grades``) can be checked against it, and::

    course corpus prove ps01_lstm_cell quiz_01_sequences_and_rnns

does all of it in a temporary copy of the course and prints, per case, the expected score
beside the one in the exported CSV (exit status 1 on any mismatch). The expected
scores come from :func:`expected_score`, which follows the names each cell defines and uses
(a test fails when it uses something a broken cell should have defined).
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import symtable
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["CASES", "DEFAULT_TAMPER", "Case", "solution_notebook", "solution_ids", "failing_tests",
           "expected_score", "build_corpus", "prove", "main"]

#: The cases, in the order they are built, with what each does.
CASES: dict[str, str] = {
    "full": "the complete solution",
    "blank": "the release as it was handed out",
    "partial": "the second half of the answers left blank",
    "syntax_error": "a syntax error in the first answer cell",
    "import_error": "an import that fails at the top of the second answer cell",
    "infinite_loop": "an endless loop at the top of the last answer cell (cut by the time limit)",
    "deleted_test": "the complete solution with the first test cell deleted",
    "edited_test": "the last answer left blank and its test cell rewritten to pass",
    "huge_output": "the complete solution printing 20,000 lines and a 2 MB line",
    "renamed": "the complete solution saved under another name",
    "global_state": "blank answers, with library functions and the course's checks replaced so that checks pass",
    "kernel_exit": "the complete solution, but a cell before the last answer kills the kernel",
}

#: Replaces the functions visible tests rely on (numpy's comparisons, the course's checks)
#: by ones that always pass: visible tests then pass, hidden tests must not.
DEFAULT_TAMPER = """\
# Make every check pass, whatever the answers: replace what the tests call.
import numpy as np
import numpy.testing
import course_utils.graded_quiz as quiz_checks
import course_utils.leak_checks as leak_checks

np.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
globals().update({f"answer_{i}": "a" for i in range(1, 100)})  # junk answers for a graded quiz
for module in (quiz_checks, leak_checks):
    for name in dir(module):
        if not name.startswith("_") and callable(getattr(module, name)) and name.islower():
            setattr(module, name, lambda *args, **kwargs: True)
"""


@dataclass(frozen=True)
class Case:
    """One hostile submission: the student id (= case name), file name and expected score."""

    student: str
    filename: str
    expected: float
    description: str


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_ids(nb: nbformat.NotebookNode) -> list[str]:
    """Grade ids of the autograded answer cells (code solution cells that are not graded by hand)."""
    return [_meta(c)["grade_id"] for c in nb.cells
            if c.cell_type == "code" and _meta(c).get("solution") and not _meta(c).get("grade")]


def _by_id(nb: nbformat.NotebookNode, grade_id: str) -> dict:
    for cell in nb.cells:
        if _meta(cell).get("grade_id") == grade_id:
            return cell
    ids = [_meta(cell)["grade_id"] for cell in nb.cells if _meta(cell).get("grade_id")]
    raise ValueError(f"The notebook has no cell with grade id {grade_id!r} (it has {ids}): check the "
                     "grade id in the source notebook, and make the release from that same source.")


def solution_notebook(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What a perfect student submits: the release with every answer cell filled from the source.

    Raises
    ------
    ValueError
        If the release lacks an answer cell of the source.
    """
    nb = copy.deepcopy(release)
    for cell in source.cells:
        meta = _meta(cell)
        if meta.get("solution"):
            _by_id(nb, meta["grade_id"]).source = "\n".join(
                line for line in cell.source.splitlines()
                if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)
    return nb


def _statement_names(source: str) -> tuple[set[str], set[str]]:
    """(names one statement defines at top level, global names it reads, in any nested scope)."""
    table = symtable.symtable(source, "<statement>", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    used = {s.get_name() for s in table.get_symbols() if s.is_referenced()}

    def free(child: symtable.SymbolTable) -> None:
        for symbol in child.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                used.add(symbol.get_name())
        for grandchild in child.get_children():
            free(grandchild)

    for child in table.get_children():
        free(child)
    return defined, used


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines at top level, names it reads before defining them itself)."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return set(), set()
    defined: set[str] = set()
    used: set[str] = set()
    for statement in statements:
        made, read = _statement_names(ast.unparse(statement))
        used |= read - defined - made  # (a statement like x = x + 1 is rare in notebooks)
        defined |= made
    return defined, used


def failing_tests(source: nbformat.NotebookNode, broken: set[str] | frozenset[str] = frozenset(),
                  restart_before: str | None = None, tampered: bool = False) -> list[str]:
    """Grade ids of the test cells that fail when some answer cells are broken.

    Parameters
    ----------
    source
        The source notebook (solutions and hidden tests).
    broken
        Grade ids of answer cells that raise (blank, syntax error, endless loop...): the
        names they define are unusable, and so are those of every cell that uses them.
    restart_before
        Grade id of a cell before which the kernel restarts: names defined so far by cells
        other than the read-only setup cells are lost.
    tampered
        The submission replaced library functions: every test cell whose hidden part
        checks for it (calls ``assert_untampered``) fails.

    Raises
    ------
    ValueError
        If a grade id is not in the notebook.
    """
    ids = {_meta(c).get("grade_id") for c in source.cells}
    unknown = sorted(set(broken) - ids) + ([restart_before] if restart_before and restart_before not in ids else [])
    if unknown:
        raise ValueError(f"Unknown grade ids {unknown}; the notebook has {sorted(i for i in ids if i)}.")
    status: dict[str, bool] = {}  # name -> usable
    setup: set[str] = set()
    failing = []
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        if restart_before is not None and meta.get("grade_id") == restart_before:
            status = {name: usable and name in setup for name, usable in status.items()}
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        defined, used = _names(code)
        fails = meta.get("grade_id") in broken or any(status.get(name) is False for name in used)
        if meta.get("grade") and not meta.get("solution"):
            fails |= tampered and "assert_untampered" in cell.source
            if fails:
                failing.append(meta["grade_id"])
        if meta.get("locked") and not meta.get("grade"):
            setup |= defined
        for name in defined:
            # a broken answer cell defines unusable names (a stub that raises); a cell that fails
            # on a missing name leaves the names it would redefine as they were
            if meta.get("grade_id") in broken or not fails or name not in status:
                status[name] = not fails
    return failing


def expected_score(source: nbformat.NotebookNode, broken: set[str] | frozenset[str] = frozenset(),
                   restart_before: str | None = None, tampered: bool = False) -> float:
    """Autograded points still earned when some answer cells are broken (see :func:`failing_tests`).

    Raises
    ------
    ValueError
        If a grade id is not in the notebook.
    """
    failing = set(failing_tests(source, broken, restart_before, tampered))
    return sum(float(_meta(c).get("points", 0)) for c in source.cells
               if _meta(c).get("grade") and not _meta(c).get("solution") and _meta(c)["grade_id"] not in failing)


def _blank(nb: nbformat.NotebookNode, release: nbformat.NotebookNode, grade_id: str) -> None:
    _by_id(nb, grade_id).source = _by_id(release, grade_id).source


def build_corpus(source_path: Path | str, release_path: Path | str, out_dir: Path | str,
                 tamper_code: str = DEFAULT_TAMPER, huge_lines: int = 20_000,
                 partial: tuple[dict[str, str], float] | None = None,
                 tamper_answers: dict[str, str] | None = None) -> dict[str, Case]:
    """Write one folder per hostile case, ``<out_dir>/<case>/<assignment>.ipynb``.

    Parameters
    ----------
    source_path, release_path
        The assignment's source and released notebooks.
    out_dir
        Folder to write into (created if needed).
    tamper_code
        The code cell of the ``global_state`` case, inserted before the first answer; it
        replaces library functions and the course's checks.
    tamper_answers
        ``{grade_id: source}``: fake answers of the ``global_state`` case (for example
        functions returning zeros of the right shapes), so that with the replaced checks
        its visible tests pass; its hidden tests must still fail.
    huge_lines
        Lines printed by the ``huge_output`` case.
    partial
        ``({grade_id: source}, expected_score)``: the ``partial`` case with these answer
        cells in place of the solution's, and the score it should get. By default the
        second half of the answer cells is left blank (useless when there is one answer).

    Returns
    -------
    dict
        Case name -> :class:`Case` with the expected autograded score.

    Raises
    ------
    ValueError
        If the notebooks have no answer or test cells, or do not belong together.
    """
    source = nbformat.read(str(source_path), 4)
    release = nbformat.read(str(release_path), 4)
    answers = solution_ids(source)
    tests = [_meta(c)["grade_id"] for c in source.cells if _meta(c).get("grade") and not _meta(c).get("solution")]
    if not answers or not tests:
        raise ValueError(f"{source_path} needs autograded answer cells and test cells to build a corpus.")
    if huge_lines < 1:
        raise ValueError(f"huge_lines must be >= 1; got {huge_lines!r}.")
    name = Path(release_path).stem
    full = solution_notebook(source, release)
    out = Path(out_dir)
    cases: dict[str, Case] = {}

    def add(case: str, nb: nbformat.NotebookNode, expected: float, filename: str | None = None) -> None:
        folder = out / case
        folder.mkdir(parents=True, exist_ok=True)
        filename = filename or f"{name}.ipynb"
        nbformat.write(nb, str(folder / filename))
        cases[case] = Case(case, filename, expected, CASES[case])

    total = expected_score(source)
    add("full", full, total)
    add("blank", copy.deepcopy(release), expected_score(source, set(answers)))
    nb = copy.deepcopy(full)
    if partial is None:
        half = set(answers[len(answers) // 2:])
        for grade_id in half:
            _blank(nb, release, grade_id)
        add("partial", nb, expected_score(source, half))
    else:
        for grade_id, code in partial[0].items():
            _by_id(nb, grade_id).source = code
        add("partial", nb, float(partial[1]))
    nb = copy.deepcopy(full)
    _by_id(nb, answers[0]).source += "\n\ndef broken(:\n    pass\n"
    add("syntax_error", nb, expected_score(source, {answers[0]}))
    second = answers[1 % len(answers)]
    nb = copy.deepcopy(full)
    _by_id(nb, second).source = "import course_utils.no_such_module\n" + _by_id(nb, second).source
    add("import_error", nb, expected_score(source, {second}))
    nb = copy.deepcopy(full)
    loop = "import time\nwhile True:  # never ends; sleeping keeps the machine free while the time limit runs\n    time.sleep(0.5)\n"
    _by_id(nb, answers[-1]).source = loop + _by_id(nb, answers[-1]).source
    add("infinite_loop", nb, expected_score(source, {answers[-1]}))
    nb = copy.deepcopy(full)
    nb.cells = [c for c in nb.cells if _meta(c).get("grade_id") != tests[0]]
    add("deleted_test", nb, total)
    last = answers[-1]
    nb = copy.deepcopy(full)
    _blank(nb, release, last)
    edited = (failing_tests(source, {last}) or tests)[-1]
    _by_id(nb, edited).source = "# the test, rewritten by the student\nassert True\n"
    add("edited_test", nb, expected_score(source, {last}))
    nb = copy.deepcopy(full)
    _by_id(nb, answers[0]).source += (f"\n\nfor line in range({huge_lines}):\n    print(line, 'spam ' * 10)\n"
                                      "print('x' * 2_000_000)\n")
    add("huge_output", nb, total)
    add("renamed", copy.deepcopy(full), total, filename=f"{name} (1).ipynb")
    nb = copy.deepcopy(release)
    for grade_id, code in (tamper_answers or {}).items():
        _by_id(nb, grade_id).source = code
    first_answer = next(i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id") == answers[0])
    nb.cells.insert(first_answer, nbformat.v4.new_code_cell(tamper_code))
    add("global_state", nb, expected_score(source, set(answers), tampered=True))
    nb = copy.deepcopy(full)
    before = next(i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id") == answers[-1])
    nb.cells.insert(before, nbformat.v4.new_code_cell("import os\nos._exit(1)  # the kernel dies here"))
    add("kernel_exit", nb, expected_score(source, restart_before=answers[-1]))
    return cases


def prove(assignments: list[str], workdir: Path | str, course: Path | str | None = None,
          timeout: int | None = None, iopub_timeout: int = 30, tamper: dict[str, dict[str, str]] | None = None,
          partial: dict[str, tuple[dict[str, str], float]] | None = None, redteam: list[str] | None = None,
          integrity: list[str] | None = None, jobs: int | None = None) -> list[dict]:
    """Run the instructor commands on the hostile corpus of some assignments, in a copy of the course.

    Copies the course's configuration and the assignments' sources into
    ``<workdir>/course`` (with ``timeout``, a per-cell time limit of that many seconds is
    added; without it the course's own ``c.Execute.timeout`` applies), then runs
    ``release``, builds each corpus into ``<workdir>/submissions``, and runs ``collect``,
    ``autograde`` and ``grades``. The original course is not touched.

    Parameters
    ----------
    assignments
        Assignment names; ``quiz_<name>`` for a graded quiz (generated from the bank).
    workdir
        An empty or missing folder for the copy, the corpus and the CSV.
    course
        The course to copy (default ``assignments/``).
    timeout, iopub_timeout
        Seconds a cell may run (default: the course's limit), and wait for its output, before
        it is cut. A short limit makes the endless-loop case quicker to grade, but a machine
        busy with other work can then cut a correct cell too.
    tamper, partial
        Per assignment: the ``tamper_answers`` and ``partial`` of :func:`build_corpus`.
    redteam
        Assignments that also get the attacks on the grading machinery of
        :mod:`course_tools.redteam`, aimed at this copy of the course, a canary file beside it
        and a port of this machine.
    integrity
        A list that receives what the submissions changed outside their sandboxes (see
        :func:`course_tools.redteam.integrity_problems`); it stays empty when nothing was.
    jobs
        Submissions graded at once (default: the autograde command's).

    Returns
    -------
    list of dict
        One row per assignment and case: ``assignment``, ``case``, ``expected``, ``score``
        (from the exported CSV), ``max_score``, ``graded`` (False when autograding failed)
        and ``review`` (whether ``autograde`` asked for a human to read it).

    Raises
    ------
    ValueError
        If an assignment is unknown, or a step of the workflow fails.
    """
    import csv
    import shutil

    from course_utils.graded_quiz import PREFIX

    from . import quizzes as quiz_writer
    from .apps.autograde import autograde
    from .apps.collect import collect
    from .apps.grades import grades
    from .apps.release import release
    from .course import COURSE_DIR

    source_course = Path(course) if course is not None else COURSE_DIR
    work = Path(workdir)
    root = work / "course"
    (root / "source").mkdir(parents=True, exist_ok=True)
    config = (source_course / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(
        config + "\n# hostile-corpus run\n" + (f"c.Execute.timeout = {int(timeout)}\n" if timeout else "")
        + f"c.Execute.iopub_timeout = {int(iopub_timeout)}\n")
    quizzes = [a[len(PREFIX):] for a in assignments if a.startswith(PREFIX)]
    for assignment in assignments:
        if not assignment.startswith(PREFIX):
            if not (source_course / "source" / assignment).is_dir():
                raise ValueError(f"No assignment {assignment!r} in {source_course / 'source'}.")
            shutil.copytree(source_course / "source" / assignment, root / "source" / assignment)
    quiz_writer.write_graded_quizzes(root / "source", names=quizzes)
    release(root, assignments)
    expected: dict[tuple[str, str], float] = {}
    for assignment in assignments:
        cases = build_corpus(root / "source" / assignment / f"{assignment}.ipynb",
                             root / "release" / assignment / f"{assignment}.ipynb", work / "submissions",
                             tamper_answers=(tamper or {}).get(assignment),
                             partial=(partial or {}).get(assignment))
        expected |= {(assignment, case): c.expected for case, c in cases.items()}
    from course_tools import redteam as red

    outside = work / "outside"
    outside.mkdir(exist_ok=True)
    canary_text = "a file of the instructor's, outside the course\n"
    (outside / "canary.txt").write_text(canary_text)
    with red.Listener() as listener:
        targets = red.Targets(root.resolve(), (outside / "canary.txt").resolve(), listener.port)
        for assignment in redteam or []:
            cases = red.build_redteam(root / "source" / assignment / f"{assignment}.ipynb",
                                      root / "release" / assignment / f"{assignment}.ipynb", work / "submissions",
                                      targets)
            expected |= {(assignment, case): c.expected for case, c in cases.items()}
        collect(work / "submissions", root)
        before = red.course_fingerprint(root)
        report = autograde(root, jobs=jobs)
        if integrity is not None:
            integrity += red.integrity_problems(root, before, targets, canary_text, listener)
    path = grades(root, to=work / "grades.csv")
    with path.open(newline="") as handle:
        exported = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    rows = []
    for (assignment, case), score in expected.items():
        row = exported.get((assignment, case), {})
        rows.append({"assignment": assignment, "case": case, "expected": score,
                     "score": float(row.get("score", "nan")), "max_score": float(row.get("max_score", "nan")),
                     "graded": f"{case}/{assignment}" not in report["failed"],
                     "review": f"{case}/{assignment}" in report["review"]})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build`` a corpus, or ``prove`` the workflow on it (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="course corpus", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the hostile submissions of one assignment")
    build.add_argument("source", type=Path, help="the assignment's source notebook")
    build.add_argument("release", type=Path, help="the assignment's released notebook")
    build.add_argument("out", type=Path, help="folder to write the student folders into")
    build.add_argument("--json", action="store_true", help="print the expected scores as JSON")
    check = commands.add_parser("prove", help="run release, collect, autograde and grades on the corpus "
                                              "in a copy of the course and compare the CSV with the expected scores")
    check.add_argument("assignments", nargs="+", help="assignment names (quiz_<name> for a graded quiz)")
    check.add_argument("--workdir", type=Path, default=None, help="folder for the copy (default: a temporary one)")
    check.add_argument("--timeout", type=int, default=None,
                       help="seconds a cell may run (default: the course's c.Execute.timeout)")
    check.add_argument("--redteam", action="store_true",
                       help="also attack the grading machinery (course_tools.redteam) and check that nothing changed")
    check.add_argument("--jobs", type=int, default=None, help="submissions graded at once")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            cases = build_corpus(args.source, args.release, args.out)
            if args.json:
                print(json.dumps({name: case.expected for name, case in cases.items()}, indent=1))
            else:
                print(f"wrote {len(cases)} hostile submissions to {args.out}:")
                for case in cases.values():
                    print(f"  {case.student:14} {case.expected:5g}  {case.filename}: {case.description}")
            return 0
        import tempfile

        integrity: list[str] = []
        with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
            rows = prove(args.assignments, args.workdir or tmp, timeout=args.timeout, jobs=args.jobs,
                         redteam=args.assignments if args.redteam else None, integrity=integrity)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'assignment':28} {'case':14} {'expected':>8} {'CSV score':>9} {'max':>5}  verdict")
    for row in rows:
        verdict = "ok" if row["score"] == row["expected"] and row["graded"] else "MISMATCH"
        print(f"{row['assignment']:28} {row['case']:14} {row['expected']:8g} {row['score']:9g} "
              f"{row['max_score']:5g}  {verdict}{' (flagged for review)' if row['review'] else ''}")
    if args.redteam:
        print("nothing outside the sandboxes changed" if not integrity else
              "CHANGED outside the sandboxes: " + "; ".join(integrity))
    return 0 if all(r["score"] == r["expected"] and r["graded"] for r in rows) and not integrity else 1


if __name__ == "__main__":
    sys.exit(main())
