"""The quiz bank: ``quizzes/<name>.json`` files in jupyterquiz's schema.

Lessons show a quiz with :func:`show_quiz` for instant feedback. The answers travel to the
browser, so these quizzes are for practice only; graded versions are generated for nbgrader.
:func:`validate_quiz` enforces the subset of jupyterquiz's schema the course relies on.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ._paths import QUIZ_DIR

__all__ = ["QUIZ_DIR", "QUESTION_TYPES", "quiz_path", "list_quizzes", "load_quiz",
           "validate_quiz", "show_quiz", "typeset"]

#: Folder of the quiz bank (``quizzes/`` at the root of the course).

#: Question types jupyterquiz can display. ``multiple_choice`` has exactly one correct
#: answer; ``many_choice`` ("choose all that apply") has one or more.
QUESTION_TYPES = ("many_choice", "multiple_choice", "numeric", "string")

_QUESTION_KEYS = {
    "many_choice": {"question", "type", "answers", "code", "answer_cols"},
    "multiple_choice": {"question", "type", "answers", "code", "answer_cols"},
    "numeric": {"question", "type", "answers", "code", "precision", "input_width"},
    "string": {"question", "type", "answers", "code", "input_width"},
}
_ANSWER_KEYS = {
    "many_choice": {"answer", "code", "correct", "feedback"},
    "multiple_choice": {"answer", "code", "correct", "feedback"},
    "numeric": {"type", "value", "range", "correct", "feedback"},
    "string": {"type", "answer", "correct", "feedback", "match_case", "fuzzy_threshold"},
}


def quiz_path(name: str, quiz_dir: Path | None = None) -> Path:
    """Path of quiz ``name`` (a notebook's stem such as ``"01_sequences_and_rnns"``)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(
            f"A quiz name is a file stem such as '01_sequences_and_rnns'; got {name!r}."
        )
    return (QUIZ_DIR if quiz_dir is None else Path(quiz_dir)) / f"{name}.json"


def list_quizzes(quiz_dir: Path | None = None) -> list[str]:
    """Names of every quiz in the bank, sorted."""
    folder = QUIZ_DIR if quiz_dir is None else Path(quiz_dir)
    return sorted(path.stem for path in folder.glob("*.json"))


def _text(value: Any, where: str, what: str) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return [f"{where}: {what} must be a non-empty string."]
    if not value.isascii():
        bad = sorted({c for c in value if not c.isascii()})
        return [f"{where}: {what} has non-ASCII characters {bad}; write them in ASCII or as "
                "HTML entities/LaTeX (e.g. &deg; or $\\le$)."]
    return _dollars(value, where, what)


def _dollars(value: str, where: str, what: str) -> list[str]:
    """Each unescaped ``$`` opens or closes inline mathematics, which MathJax typesets.

    As in pandoc's rule for ``$...$``: the text inside must not start or end with a space, and
    the closing ``$`` must not be followed by a digit. Otherwise the dollars are prices or
    stray signs (``closes between $6 and $58``) that would be typeset as italic mathematics.
    """
    signs = [m.start() for m in re.finditer(r"(?<!\\)\$", value)]
    if len(signs) % 2:
        return [f"{where}: {what} has an odd number of '$'; write inline mathematics as $...$ and a "
                "dollar sign as \\$ (or write the amount as '6 US dollars')."]
    for opening, closing in zip(signs[::2], signs[1::2]):
        inside = value[opening + 1:closing]
        after = value[closing + 1:closing + 2]
        if not inside or inside[0].isspace() or inside[-1].isspace() or after.isdigit():
            return [f"{where}: {what} has '{value[opening:closing + 2].strip()}', dollar signs that are not "
                    "mathematics but would be typeset as such; write '6 US dollars' or escape them as \\$."]
        try:
            _mathml(inside)
        except ValueError as exc:
            return [f"{where}: {what} has ${inside}$, which is not LaTeX this course can typeset ({exc}); "
                    "use plain LaTeX such as $h_{t-1}$, $\\sigma(x)$ or $0.9^{50}$."]
    return []


def _mathml(latex: str) -> str:
    """Inline MathML for the LaTeX of one ``$...$``; ``ValueError`` if it cannot be converted."""
    from latex2mathml.converter import convert

    unescaped = re.sub(r"\\[{}]", "", latex)
    if unescaped.count("{") != unescaped.count("}"):
        raise ValueError("its braces { } do not pair up")
    try:
        mathml = convert(latex, display="inline")
    except Exception as exc:  # latex2mathml raises its own exception classes
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    unknown = re.findall(r"\\[A-Za-z]+", mathml)
    if unknown:
        raise ValueError(f"unknown command {unknown[0]}")
    return mathml


_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def typeset(text: str) -> str:
    """Quiz text with every ``$...$`` replaced by inline MathML and ``\\$`` by a dollar sign.

    Browsers draw MathML themselves, so the quiz needs no MathJax: it looks the same in
    JupyterLab (whose MathJax jupyterquiz cannot reach), on the course site and offline.
    """
    converted = _MATH.sub(lambda match: _mathml(match.group(1)), text)
    return converted.replace("\\$", "&#36;")


def _typeset_question(question: dict) -> dict:
    """A copy of ``question`` whose texts (question, answers, feedback) are typeset."""
    copy = dict(question)
    for key in ("question", "feedback"):
        if isinstance(copy.get(key), str):
            copy[key] = typeset(copy[key])
    copy["answers"] = [
        {key: typeset(value) if key in ("answer", "feedback") and isinstance(value, str) else value
         for key, value in answer.items()}
        for answer in question.get("answers", [])
    ]
    return copy


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_choice(kind: str, answers: list, where: str) -> list[str]:
    problems = []
    if len(answers) < 2:
        problems.append(f"{where}: a choice question needs at least two answers.")
    correct = 0
    for j, answer in enumerate(answers, 1):
        at = f"{where}, answer {j}"
        if "answer" not in answer and "code" not in answer:
            problems.append(f"{at}: give the choice's text as 'answer' (or 'code').")
        for key in ("answer", "code"):
            if key in answer:
                problems += _text(answer[key], at, f"'{key}'")
        if not isinstance(answer.get("correct"), bool):
            problems.append(f"{at}: 'correct' must be true or false.")
        correct += answer.get("correct") is True
    if kind == "multiple_choice" and correct != 1:
        problems.append(f"{where}: a multiple_choice question has exactly one correct answer; "
                        f"found {correct} (use many_choice for 'choose all that apply').")
    if kind == "many_choice" and correct < 1:
        problems.append(f"{where}: no answer is marked correct; set \"correct\": true on at least "
                        "one answer.")
    return problems


def _check_numeric(question: dict, answers: list, where: str) -> list[str]:
    problems = []
    if "precision" in question and not (
        isinstance(question["precision"], int) and not isinstance(question["precision"], bool)
        and question["precision"] >= 1
    ):
        problems.append(f"{where}: 'precision' is a number of significant digits, an integer >= 1.")
    defaults = correct = 0
    for j, answer in enumerate(answers, 1):
        at = f"{where}, answer {j}"
        kind = answer.get("type")
        if kind == "default":
            defaults += 1
            continue
        if kind == "value" and not _number(answer.get("value")):
            problems.append(f"{at}: a 'value' answer needs a finite number in 'value'.")
        elif kind == "range":
            bounds = answer.get("range")
            if not (isinstance(bounds, list) and len(bounds) == 2 and all(map(_number, bounds))
                    and bounds[0] < bounds[1]):
                problems.append(f"{at}: 'range' must be [low, high] with low < high "
                                "(low included, high excluded).")
        elif kind not in ("value", "range"):
            problems.append(f"{at}: 'type' must be 'value', 'range' or 'default'; got {kind!r}.")
        if not isinstance(answer.get("correct"), bool):
            problems.append(f"{at}: 'correct' must be true or false.")
        correct += answer.get("correct") is True
    if defaults != 1:
        problems.append(f"{where}: a numeric question needs exactly one answer of type "
                        f"'default' (feedback for any other input); found {defaults}.")
    if correct < 1:
        problems.append(f"{where}: no value or range is marked correct; set \"correct\": true on "
                        "at least one 'value' or 'range' answer.")
    return problems


def _check_string(answers: list, where: str) -> list[str]:
    problems = []
    correct = 0
    for j, answer in enumerate(answers, 1):
        at = f"{where}, answer {j}"
        if answer.get("type") == "default":
            continue
        problems += _text(answer.get("answer"), at, "'answer'")
        if not isinstance(answer.get("correct"), bool):
            problems.append(f"{at}: 'correct' must be true or false.")
        correct += answer.get("correct") is True
    if correct < 1:
        problems.append(f"{where}: no answer is marked correct; set \"correct\": true on at least "
                        "one answer that is not the 'default'.")
    return problems


def validate_quiz(questions: Any, name: str = "quiz") -> list[dict]:
    """Check a list of questions against the schema jupyterquiz understands.

    Rules: a non-empty list of questions; each has a non-empty ASCII ``question`` and a
    ``type`` in :data:`QUESTION_TYPES`; only known keys (to catch typos); every answer has
    non-empty ``feedback``; a ``multiple_choice`` question has exactly one correct answer, a
    ``many_choice`` question at least one; a ``numeric`` question has at least one correct
    value or range and exactly one ``default`` answer.

    Parameters
    ----------
    questions
        The parsed JSON: a list of question dicts.
    name
        Used in error messages.

    Returns
    -------
    list of dict
        ``questions`` unchanged, so calls can be chained.

    Raises
    ------
    ValueError
        Listing every problem found, each with the question number.
    """
    if not isinstance(questions, list) or not questions:
        raise ValueError(f"{name}: a quiz is a non-empty JSON list of questions.")
    problems: list[str] = []
    for i, question in enumerate(questions, 1):
        where = f"{name}, question {i}"
        if not isinstance(question, dict):
            problems.append(f"{where}: each question is a JSON object.")
            continue
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            problems.append(f"{where}: 'type' must be one of {list(QUESTION_TYPES)}; got {kind!r}.")
            continue
        problems += _text(question.get("question"), where, "'question'")
        unknown = set(question) - _QUESTION_KEYS[kind]
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)} for a {kind} question.")
        answers = question.get("answers")
        if not isinstance(answers, list) or not answers or not all(
            isinstance(a, dict) for a in answers
        ):
            problems.append(f"{where}: 'answers' must be a non-empty list of objects.")
            continue
        for j, answer in enumerate(answers, 1):
            problems += _text(answer.get("feedback"), f"{where}, answer {j}", "'feedback'")
            unknown = set(answer) - _ANSWER_KEYS[kind]
            if unknown:
                problems.append(f"{where}, answer {j}: unknown keys {sorted(unknown)}.")
        if kind in ("many_choice", "multiple_choice"):
            problems += _check_choice(kind, answers, where)
        elif kind == "numeric":
            problems += _check_numeric(question, answers, where)
        else:
            problems += _check_string(answers, where)
    if problems:
        raise ValueError(f"{name} does not validate:\n- " + "\n- ".join(problems))
    return questions


def load_quiz(name: str, quiz_dir: Path | None = None) -> list[dict]:
    """Read and validate ``quizzes/<name>.json``.

    Raises
    ------
    ValueError
        If the file is missing, is not valid JSON, or does not validate.
    """
    path = quiz_path(name, quiz_dir)
    if not path.is_file():
        known = ", ".join(list_quizzes(quiz_dir)) or "none"
        raise ValueError(f"No quiz {name!r} at {path}. Quizzes in the bank: {known}.")
    try:
        questions = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path.name} is not valid JSON: {exc}. Fix the file at line {exc.lineno}, column "
            f"{exc.colno} (often a trailing comma before ] or }}, a missing comma or bracket, or "
            "an unescaped quote or backslash) and load it again."
        ) from None
    return validate_quiz(questions, path.name)


_MATHJAX_SHIM = (
    "if (window.MathJax && String(window.MathJax.version || '').charAt(0) === '3'"
    " && !window.MathJax.typeset) { window.MathJax.typeset = function () {}; }"
)


def show_quiz(name: str, quiz_dir: Path | None = None, shuffle_answers: bool = True) -> None:
    """Display quiz ``name`` with jupyterquiz (run the cell to see it; re-run if it is blank).

    The questions are embedded in the cell's output, so the quiz works offline and in
    exported HTML.
    """
    from IPython.display import Javascript, display
    from jupyterquiz import display_quiz  # imported here: only lessons need it

    questions = load_quiz(name, quiz_dir)
    # JupyterLab 4 ships MathJax 3 without `typeset`; jupyterquiz then fetches MathJax from a
    # CDN, which fails offline and breaks every click. A no-op `typeset` keeps it local.
    display(Javascript(_MATHJAX_SHIM))
    display_quiz([_typeset_question(question) for question in questions], shuffle_answers=shuffle_answers)
