"""Graded versions of the quiz bank: one nbgrader notebook per ``quizzes/<name>.json``.

The same bank serves practice and assessment. Lessons show a quiz with jupyterquiz for
instant feedback (its answers travel to the browser). For credit, this module generates
``assignments/source/quiz_<name>/quiz_<name>.ipynb``: the learner records each answer as a
Python value, a visible check only verifies the *form* of the answer, and the key lives in
the hidden part of each test cell, which nbgrader removes from the released notebook::

    python -m course_utils.graded_quiz                 # write or refresh every graded quiz
    python -m course_utils.graded_quiz --check         # exit 1 if any is missing or stale

The answers are recorded as:

* ``multiple_choice``: one letter, ``answer_2 = "b"``;
* ``many_choice``: the set of all correct letters, ``answer_3 = {"a", "c"}``;
* ``numeric``: a number (or a string such as ``"3/4"``), ``answer_1 = 90``; with the
  question's ``precision`` (significant digits), the answer and the key are both rounded
  to it, as jupyterquiz does; a ``range`` ``[low, high)`` includes ``low`` only;
* ``string``: a string, compared as jupyterquiz does (case and ``fuzzy_threshold``).

As in jupyterquiz, the answers of a question are tried in order and the first that
matches decides; an answer matching none is wrong.

The generated notebooks are build products, made from whatever is in ``quizzes/`` when an
instructor releases (``python -m course_utils.instructor release`` runs this first), so a
new quiz needs no extra step and no stale copy is ever committed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import numbers
import random
import re
import string
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import nbformat

from .quiz import QUIZ_DIR, list_quizzes, load_quiz

__all__ = ["PREFIX", "assignment_name", "quiz_title", "as_choice", "as_choices", "as_number",
           "as_text", "numeric_is_correct", "text_is_correct", "answer_key", "option_orders",
           "shuffled_questions", "build_notebook", "write_graded_quizzes", "main"]

#: Graded quiz assignments are named ``quiz_<quiz name>``.
PREFIX = "quiz_"
_GENERATED_BY = "course_utils.graded_quiz"
_LETTERS = string.ascii_lowercase


def assignment_name(quiz_name: str) -> str:
    """The nbgrader assignment of a quiz: ``"01_sequences_and_rnns"`` -> ``"quiz_01_sequences_and_rnns"``.

    Raises
    ------
    ValueError
        If ``quiz_name`` is not a file stem of the bank (letters, digits, ``_`` and ``-``).
    """
    if not isinstance(quiz_name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", quiz_name):
        raise ValueError(f"A quiz name is a file stem such as '01_sequences_and_rnns'; got {quiz_name!r}.")
    return PREFIX + quiz_name


def _options(n_options: Any) -> str:
    if isinstance(n_options, bool) or not isinstance(n_options, int) or not 2 <= n_options <= 26:
        raise ValueError(f"n_options must be an integer from 2 to 26; got {n_options!r}.")
    return _LETTERS[:n_options]


def _letter(value: Any, allowed: str, question: str) -> str:
    if type(value) is not str or value.strip().lower() not in allowed or len(value.strip()) != 1:
        raise ValueError(f"{question}: each choice is one of the letters {', '.join(allowed)} "
                         f"written as a string such as \"{allowed[0]}\"; got {value!r}.")
    return value.strip().lower()


def as_choice(answer: Any, n_options: int, question: str = "this question") -> str:
    """Check and normalise a single-choice answer: one letter as a string, e.g. ``"b"``.

    Returns
    -------
    str
        The lower-case letter.

    Raises
    ------
    ValueError
        If the answer is not one letter among the first ``n_options`` (the message says
        how to write it), or ``n_options`` is not an integer from 2 to 26.
    """
    return _letter(answer, _options(n_options), question)


def as_choices(answer: Any, n_options: int, question: str = "this question") -> frozenset[str]:
    """Check and normalise a "choose all that apply" answer: a set of letters, e.g. ``{"a", "c"}``.

    A list or tuple of letters, or a string of letters (``"ac"``, ``"a, c"``), is accepted too.

    Returns
    -------
    frozenset of str
        The lower-case letters (possibly empty).

    Raises
    ------
    ValueError
        If the answer is not a collection of letters among the first ``n_options``.
    """
    allowed = _options(n_options)
    if type(answer) is str:
        items: list[Any] = [c for c in answer if c not in " ,;"]
    elif type(answer) in (set, frozenset, list, tuple):
        items = list(answer)
    else:
        raise ValueError(f"{question}: write the set of all correct letters, such as "
                         f"{{\"a\", \"c\"}}; got {answer!r}.")
    return frozenset(_letter(item, allowed, question) for item in items)


def as_number(answer: Any, question: str = "this question") -> float:
    """Check and normalise a numeric answer: a number, or a string such as ``"0.25"`` or ``"1/4"``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the answer is not a finite number (booleans are refused).
    """
    value: float | None = None
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        value = float(answer)
    elif type(answer) is str:
        try:
            value = float(Fraction(answer.strip().replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            value = None
    if value is None or not math.isfinite(value):
        raise ValueError(f"{question}: write a finite number such as 0.25 (or a fraction as a "
                         f"string, \"1/4\"); got {answer!r}.")
    return value


def as_text(answer: Any, question: str = "this question") -> str:
    """Check and normalise a text answer: a non-empty string, surrounding spaces removed.

    Raises
    ------
    ValueError
        If the answer is not a non-empty string.
    """
    if type(answer) is not str or not answer.strip():
        raise ValueError(f"{question}: write your answer as a non-empty string, such as \"forget gate\"; "
                         f"got {answer!r}.")
    return answer.strip()


def _round(value: float, precision: int | None) -> float:
    return value if precision is None else float(f"{value:.{precision}g}")


def numeric_is_correct(answer: Any, key: list, precision: int | None = None) -> bool:
    """Grade a numeric answer the way jupyterquiz does.

    Parameters
    ----------
    answer
        The learner's value (see :func:`as_number`).
    key
        The question's answers in bank order, each ``(value, correct)`` or
        ``((low, high), correct)``; the first that matches decides.
    precision
        Significant digits: the answer and each value are rounded to it before comparing.

    Raises
    ------
    ValueError
        If the answer is not a number, ``precision`` is not a positive integer, or the key
        is malformed.
    """
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
        raise ValueError(f"precision is a number of significant digits, an integer >= 1; got {precision!r}.")
    submitted = _round(as_number(answer), precision)
    for entry in key:
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], bool)):
            raise ValueError(f"Each key entry is (value, correct) or ((low, high), correct); got {entry!r}.")
        target, correct = entry
        if isinstance(target, tuple):
            low, high = target
            if low <= submitted < high:
                return correct
        elif submitted == _round(float(target), precision):
            return correct
    return False


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def text_is_correct(answer: Any, key: list) -> bool:
    """Grade a text answer the way jupyterquiz does.

    Parameters
    ----------
    answer
        The learner's string (see :func:`as_text`).
    key
        The question's answers in bank order, each ``(text, correct, match_case,
        fuzzy_threshold)``; ``fuzzy_threshold`` (0 to 1, or ``None``) accepts answers whose
        Levenshtein similarity reaches it. The first that matches decides.

    Raises
    ------
    ValueError
        If the answer is not a non-empty string or the key is malformed.
    """
    submitted = as_text(answer)
    for entry in key:
        if not (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], str)):
            raise ValueError(f"Each key entry is (text, correct, match_case, fuzzy_threshold); got {entry!r}.")
        text, correct, match_case, threshold = entry
        mine, theirs = (submitted, text) if match_case else (submitted.lower(), text.lower())
        if mine == theirs:
            return correct
        if threshold:
            similarity = 1 - _levenshtein(mine, theirs) / max(len(mine), len(theirs))
            if similarity >= threshold:
                return correct
    return False


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
            if generated == _GENERATED_BY:
                report["removed"].append(str(notebook))
                if not check:
                    notebook.unlink()
                    if not any(folder.iterdir()):
                        folder.rmdir()
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: write (or with ``--check`` verify) the graded quizzes."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.graded_quiz", description=__doc__.split("\n\n")[0])
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
