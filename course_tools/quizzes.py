"""Write the graded quiz notebooks from the quiz bank (``course quizzes``).

One nbgrader notebook per ``quizzes/<name>.json``, in
``assignments/source/quiz_<name>/quiz_<name>.ipynb``: the learner records each answer as a
Python value, a visible check verifies only its *form*, and the key lives in the hidden part
of each test cell (nbgrader removes it from the release). The checks that run in the learner's
kernel are in :mod:`course_utils.graded_quiz`; this module builds the notebooks::

    course quizzes            # write or refresh every graded quiz
    course quizzes --check    # exit 1 if any is missing or stale

The generated notebooks are build products, made from whatever is in ``quizzes/`` when an
instructor releases (``course release`` runs this first), so a new quiz needs no extra step
and no stale copy is ever committed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat

from course_utils.graded_quiz import PREFIX, _LETTERS, assignment_name, numeric_is_correct, text_is_correct
from course_utils.quiz import QUIZ_DIR, list_quizzes, load_quiz

__all__ = ["quiz_title", "answer_key", "option_orders", "shuffled_questions", "build_notebook",
           "write_graded_quizzes", "main"]

_GENERATED_BY = "course_tools.quizzes"
#: Generators of earlier versions (the quiz writer lived in course_utils.graded_quiz).
_GENERATORS = {_GENERATED_BY, "course_utils.graded_quiz"}


def _rng(*parts: str) -> random.Random:
    """A generator seeded from text (the same on every machine and Python version)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def option_orders(quiz_name: str, questions: list[dict], salt: str = "graded") -> list[list[int] | None]:
    """The order in which each choice question shows its options: a fixed shuffle per quiz and question.

    The order of question ``i`` comes from a generator seeded with ``(salt, quiz_name, i)``,
    so release, autograde and feedback agree and a re-release gives the same letters. The
    right option of a one-answer question goes to the letter used least so far in the quiz
    (ties broken by that generator), so no letter is right much more often than chance; the
    right set of a "choose all" question is, where possible, one no earlier question used.

    Parameters
    ----------
    quiz_name
        The quiz's file stem.
    questions
        Its questions, in bank order.
    salt
        ``"graded"`` for the graded quizzes; another word gives another, equally fair order.

    Returns
    -------
    list
        Per question: ``order`` such that option ``k`` shown is ``answers[order[k]]``; None
        for a question without options.
    """
    used_letters: Counter[int] = Counter()
    used_sets: set[frozenset[int]] = set()
    orders: list[list[int] | None] = []
    for number, question in enumerate(questions, 1):
        kind, answers = question.get("type"), question.get("answers", [])
        rng = _rng(salt, quiz_name, str(number))
        if kind == "multiple_choice":
            right = next(j for j, a in enumerate(answers) if a.get("correct") is True)
            fewest = min(used_letters[k] for k in range(len(answers)))
            target = rng.choice([k for k in range(len(answers)) if used_letters[k] == fewest])
            used_letters[target] += 1
            others = [j for j in range(len(answers)) if j != right]
            rng.shuffle(others)
            orders.append(others[:target] + [right] + others[target:])
        elif kind == "many_choice":
            for _ in range(100):
                order = list(range(len(answers)))
                rng.shuffle(order)
                right_set = frozenset(k for k, j in enumerate(order) if answers[j].get("correct") is True)
                if right_set not in used_sets:
                    break
            used_sets.add(right_set)
            orders.append(order)
        else:
            orders.append(None)
    return orders


def shuffled_questions(quiz_name: str, questions: list[dict], salt: str = "graded") -> list[dict]:
    """The questions with their options in the order of :func:`option_orders` (copies; input unchanged)."""
    shuffled = []
    for question, order in zip(questions, option_orders(quiz_name, questions, salt)):
        question = dict(question)
        if order is not None:
            question["answers"] = [question["answers"][j] for j in order]
        shuffled.append(question)
    return shuffled


def answer_key(question: dict) -> str:
    """The hidden check of one question: a Python expression that is True for a right answer.

    The expression reads the learner's answer from the variable ``answer`` and uses the
    functions of this module.

    Raises
    ------
    ValueError
        If the question's type is unknown.
    """
    kind = question.get("type")
    answers = question.get("answers", [])
    if kind in ("multiple_choice", "many_choice"):
        n = len(answers)
        correct = sorted(_LETTERS[i] for i, a in enumerate(answers) if a.get("correct") is True)
        if kind == "multiple_choice":
            return f"as_choice(answer, n_options={n}) == {correct[0]!r}"
        return f"as_choices(answer, n_options={n}) == {{{', '.join(map(repr, correct))}}}"
    if kind == "numeric":
        return f"numeric_is_correct(answer, {_key(question)!r}, precision={question.get('precision')!r})"
    if kind == "string":
        return f"text_is_correct(answer, {_key(question)!r})"
    raise ValueError(f"Unknown question type {kind!r}; expected one of many_choice, multiple_choice, numeric, string.")


_HOW_TO = {
    "multiple_choice": ('one letter as a string', 'answer_{i} = "b"', "as_choice(answer_{i}, n_options={n}, question=\"Question {i}\")"),
    "many_choice": ('the set of **all** correct letters', 'answer_{i} = {{"a", "c"}}', "as_choices(answer_{i}, n_options={n}, question=\"Question {i}\")"),
    "numeric": ("a number", "answer_{i} = 0.25", "as_number(answer_{i}, question=\"Question {i}\")"),
    "string": ("a string", 'answer_{i} = "forget gate"', "as_text(answer_{i}, question=\"Question {i}\")"),
}


def quiz_title(quiz_name: str, notebook_dir: Path | None = None) -> str:
    """Title of the lesson a quiz belongs to (its first heading), or the quiz name if none.

    Raises
    ------
    ValueError
        If ``quiz_name`` is not a file stem.
    """
    assignment_name(quiz_name)
    folder = Path(notebook_dir) if notebook_dir is not None else QUIZ_DIR.parent / "notebooks"
    path = folder / f"{quiz_name}.ipynb"
    try:
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
        text = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
        heading = text.strip().splitlines()[0]
    except (OSError, ValueError, KeyError, IndexError):
        return quiz_name
    return heading[2:].strip() if heading.startswith("# ") else quiz_name


def _question_markdown(i: int, question: dict) -> str:
    kind = question["type"]
    lines = [f"### Question {i} (1 point)", "", question["question"]]
    if question.get("code"):
        lines += ["", "```python", question["code"], "```"]
    if kind in ("multiple_choice", "many_choice"):
        lines.append("")
        for letter, answer in zip(_LETTERS, question["answers"]):
            text = answer.get("answer") or f"`{answer.get('code')}`"
            lines.append(f"- **{letter}.** {text}")
        lines += ["", "Choose all that apply." if kind == "many_choice" else "Choose one."]
    elif kind == "numeric" and question.get("precision"):
        lines += ["", f"Give a number; it is compared to {question['precision']} significant digits."]
    elif kind == "numeric":
        lines += ["", "Give a number."]
    else:
        lines += ["", "Give a short text answer."]
    what, example, _ = _HOW_TO[kind]
    lines += ["", f"Record {what} in `answer_{i}`, e.g. `{example.format(i=i)}`."]
    return "\n".join(lines)


def _cell(kind: str, source: str, grade_id: str, **nbgrader: Any) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
    cell.id = grade_id.replace("_", "-")
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
            "solution": False, "task": False}
    meta.update(nbgrader)
    cell.metadata = {"nbgrader": meta}
    return cell


def _key(question: dict) -> list[tuple]:
    """The key of a numeric or string question as tuples, in bank order (defaults left out)."""
    entries = [a for a in question["answers"] if a.get("type") != "default"]
    if question["type"] == "numeric":
        return [(tuple(a["range"]), a["correct"]) if a.get("type") == "range" else (a["value"], a["correct"])
                for a in entries]
    return [(a["answer"], a["correct"], bool(a.get("match_case")), a.get("fuzzy_threshold")) for a in entries]


def _right_answer(question: dict) -> str:
    """A Python literal that the answer key accepts (the source notebook's solution)."""
    kind, answers = question["type"], question["answers"]
    if kind == "multiple_choice":
        return repr(next(_LETTERS[i] for i, a in enumerate(answers) if a["correct"]))
    if kind == "many_choice":
        return "{" + ", ".join(repr(_LETTERS[i]) for i, a in enumerate(answers) if a["correct"]) + "}"
    key = _key(question)
    for target, correct, *_ in key:
        if not correct:
            continue
        candidates = [target[0], sum(target) / 2] if isinstance(target, tuple) else [target]
        for candidate in candidates:
            if kind == "numeric" and numeric_is_correct(candidate, key, question.get("precision")):
                return repr(candidate)
            if kind == "string" and text_is_correct(candidate, key):
                return repr(candidate)
    raise ValueError(f"No answer of question {question['question']!r} can be graded correct: "
                     "an earlier wrong answer always matches first. Reorder its answers in the bank.")


def build_notebook(quiz_name: str, questions: list[dict] | None = None, title: str | None = None,
                   quiz_dir: Path | None = None) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one quiz: the answers in solution regions, the key in hidden tests.

    Parameters
    ----------
    quiz_name
        Stem of ``quizzes/<quiz_name>.json``.
    questions
        The questions; read and validated from the bank when omitted.
    title
        Heading of the notebook; default: the lesson's title.
    quiz_dir
        Folder of the bank (default ``quizzes/``).

    Returns
    -------
    nbformat.NotebookNode
        One markdown cell per question, then an answer cell (nbgrader solution cell) and a
        check cell worth 1 point (nbgrader autograded tests) whose hidden part holds the key.
        The options of choice questions are in the order of :func:`option_orders`, not the
        bank's, so no constant letter or set of letters earns more than chance.

    Raises
    ------
    ValueError
        If the quiz does not validate, or a question has no answer that can be graded correct.
    """
    name = assignment_name(quiz_name)
    if questions is None:
        questions = load_quiz(quiz_name, quiz_dir)
    questions = shuffled_questions(quiz_name, questions)
    title = title or quiz_title(quiz_name)
    intro = (f"# Graded quiz: {title}\n\n"
             f"The {len(questions)} questions of the practice quiz of *{title}*, for credit: record each "
             f"answer as a Python value; each right answer earns 1 point ({len(questions)} in all).")
    rules = ("## How to answer\n\n"
             "Under each question, replace `raise NotImplementedError()` with one line that stores your "
             "answer in `answer_1`, `answer_2`, ...: one letter as a string (`\"b\"`) for a single choice, "
             "the set of all correct letters (`{\"a\", \"c\"}`) for \"choose all that apply\", a number "
             "(`0.25`, or an expression such as `0.9 ** 50`) for a numeric question. Then run the cell "
             "below it: it checks that your answer is **written** correctly, not whether it is right. "
             "Right answers are counted when the quiz is graded.\n\n"
             "Check cells are restored before grading, and reassigning functions of Python, `numpy` or "
             "`course_utils` earns no points.")
    cells = [nbformat.v4.new_markdown_cell(intro), nbformat.v4.new_markdown_cell(rules)]
    cells[0].id, cells[1].id = "title", "how-to-answer"
    for i, question in enumerate(questions, 1):
        kind = question["type"]
        _, _, form = _HOW_TO[kind]
        n = len(question["answers"])
        cells.append(nbformat.v4.new_markdown_cell(_question_markdown(i, question)))
        cells[-1].id = f"question-{i}"
        answer_source = (f"# Question {i}: {_HOW_TO[kind][0].replace('**', '')}\n"
                         f"### BEGIN SOLUTION\nanswer_{i} = {_right_answer(question)}\n### END SOLUTION")
        cells.append(_cell("code", answer_source, f"answer_{i}", solution=True))
        helper = form.split("(")[0]
        check_source = (
            f"# Checks the form of your answer only.\n"
            f"from course_utils.graded_quiz import {helper}\n\n"
            f"{form.format(i=i, n=n)}\n"
            f"print(\"Question {i}: answer recorded.\")\n"
            f"### BEGIN HIDDEN TESTS\n"
            f"from course_utils.grading import assert_untampered\n"
            f"from course_utils.graded_quiz import as_choice, as_choices, numeric_is_correct, text_is_correct\n"
            f"assert_untampered()\n"
            f"answer = answer_{i}\n"
            f"assert {answer_key(question)}, \"Question {i}: not the right answer\"\n"
            f"### END HIDDEN TESTS")
        cells.append(_cell("code", check_source, f"check_{i}", grade=True, locked=True, points=1))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"},
                   "course": {"generated_by": _GENERATED_BY, "quiz": f"quizzes/{quiz_name}.json",
                              "assignment": name}}
    nbformat.validate(nb)
    return nb


def write_graded_quizzes(source_dir: Path, names: list[str] | None = None,
                         quiz_dir: Path | None = None, check: bool = False) -> dict[str, list[str]]:
    """Write ``<source_dir>/quiz_<name>/quiz_<name>.ipynb`` for quizzes of the bank.

    Parameters
    ----------
    source_dir
        nbgrader's ``source`` folder (``assignments/source``).
    names
        Quizzes to write; default: every quiz in the bank. Generated folders of quizzes no
        longer in the bank are removed when all quizzes are written.
    quiz_dir
        Folder of the bank (default ``quizzes/``).
    check
        Only report what would change; write nothing.

    Returns
    -------
    dict
        ``{"written": [...], "unchanged": [...], "removed": [...]}`` of notebook paths.

    Raises
    ------
    ValueError
        If a named quiz is not in the bank or does not validate.
    """
    source_dir = Path(source_dir)
    bank = list_quizzes(quiz_dir)
    wanted = bank if names is None else list(names)
    unknown = sorted(set(wanted) - set(bank))
    if unknown:
        raise ValueError(f"No quiz {unknown} in the bank; the bank holds {bank or 'nothing'}.")
    report: dict[str, list[str]] = {"written": [], "unchanged": [], "removed": []}
    for quiz_name in wanted:
        name = assignment_name(quiz_name)
        path = source_dir / name / f"{name}.ipynb"
        text = nbformat.writes(build_notebook(quiz_name, quiz_dir=quiz_dir)) + "\n"
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            report["unchanged"].append(str(path))
            continue
        report["written"].append(str(path))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if names is None and source_dir.is_dir():
        keep = {assignment_name(n) for n in bank}
        for folder in sorted(source_dir.glob(f"{PREFIX}*")):
            notebook = folder / f"{folder.name}.ipynb"
            if folder.name in keep or not notebook.is_file():
                continue
            try:
                generated = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["course"]["generated_by"]
            except (ValueError, KeyError, TypeError):
                continue
            if generated in _GENERATORS:
                report["removed"].append(str(notebook))
                if not check:
                    notebook.unlink()
                    if not any(folder.iterdir()):
                        folder.rmdir()
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: write (or with ``--check`` verify) the graded quizzes."""
    parser = argparse.ArgumentParser(prog="course quizzes", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="quizzes to write (default: all in quizzes/)")
    parser.add_argument("--source", type=Path, default=QUIZ_DIR.parent / "assignments" / "source",
                        help="nbgrader source folder (default: assignments/source)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is missing or stale")
    args = parser.parse_args(argv)
    try:
        report = write_graded_quizzes(args.source, names=args.names or None, check=args.check)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    verb = "would write" if args.check else "wrote"
    print(f"{verb} {len(report['written'])} graded quiz notebook(s), {len(report['unchanged'])} unchanged, "
          f"{'would remove' if args.check else 'removed'} {len(report['removed'])} stale; in {args.source}")
    for path in report["written"]:
        print(f"  {verb}: {path}")
    for path in report["removed"]:
        print(f"  removed: {path}")
    return 1 if args.check and (report["written"] or report["removed"]) else 0


if __name__ == "__main__":
    sys.exit(main())
