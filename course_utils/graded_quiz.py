"""The answer checks of the graded quizzes: what runs in the learner's kernel when a quiz is graded.

The same bank serves practice and assessment. Lessons show a quiz with jupyterquiz for
instant feedback (its answers travel to the browser). For credit, this module generates
``assignments/source/quiz_<name>/quiz_<name>.ipynb``: the learner records each answer as a
Python value, a visible check only verifies the *form* of the answer, and the key lives in
the hidden part of each test cell, which nbgrader removes from the released notebook.
``course quizzes`` (:mod:`course_tools.quizzes`) writes those notebooks; their test cells
import the functions of this module.

The answers are recorded as:

* ``multiple_choice``: one letter, ``answer_2 = "b"``;
* ``many_choice``: the set of all correct letters, ``answer_3 = {"a", "c"}``;
* ``numeric``: a number (or a string such as ``"3/4"``), ``answer_1 = 90``; with the
  question's ``precision`` (significant digits), the answer and the key are both rounded
  to it, as jupyterquiz does; a ``range`` ``[low, high)`` includes ``low`` only;
* ``string``: a string, compared as jupyterquiz does (case and ``fuzzy_threshold``).

As in jupyterquiz, the answers of a question are tried in order and the first that
matches decides; an answer matching none is wrong.

"""
from __future__ import annotations

import math
import numbers
import re
import string
from fractions import Fraction
from typing import Any

__all__ = ["PREFIX", "assignment_name", "as_choice", "as_choices", "as_number", "as_text",
           "numeric_is_correct", "text_is_correct"]

#: Graded quiz assignments are named ``quiz_<quiz name>``.
PREFIX = "quiz_"
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
