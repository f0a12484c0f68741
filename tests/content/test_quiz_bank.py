"""The quiz bank in quizzes/: every file validates, every quiz is used, every shown quiz exists."""
from __future__ import annotations

import json
import re

import pytest

from course_utils.navigation import NOTEBOOK_DIR, ROOT
from course_utils.quiz import QUIZ_DIR, list_quizzes, load_quiz

QUIZZES = list_quizzes()
SHOW = re.compile(r"show_quiz\(\s*[\"']([^\"']+)[\"']")
# Smallest quiz each lesson must have (issues: 00 at least 3 questions, the others 6).
MINIMUM_QUESTIONS = {"00_welcome": 3}


def shown_quizzes() -> dict[str, list[str]]:
    """Quiz name -> notebooks (lessons and assignments) that show it."""
    shown: dict[str, list[str]] = {}
    for path in sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("assignments/**/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for name in SHOW.findall(text):
                shown.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return shown


def test_bank_is_not_empty():
    assert QUIZ_DIR.is_dir() and QUIZZES


@pytest.mark.parametrize("name", QUIZZES)
def test_quiz_validates_and_is_long_enough(name):
    questions = load_quiz(name)
    assert len(questions) >= MINIMUM_QUESTIONS.get(name, 6), f"{name} has {len(questions)} questions"


@pytest.mark.parametrize("name", QUIZZES)
def test_quiz_mixes_question_types(name):
    kinds = {question["type"] for question in load_quiz(name)}
    assert len(kinds) >= 2, f"{name} uses only {kinds}"


def test_every_shown_quiz_exists():
    missing = {name: where for name, where in shown_quizzes().items() if name not in QUIZZES}
    assert not missing, f"notebooks show quizzes that are not in quizzes/: {missing}"


def test_no_quiz_file_is_unused():
    unused = sorted(set(QUIZZES) - set(shown_quizzes()))
    assert not unused, f"quiz files no notebook shows: {unused}"


def test_each_lesson_has_a_quiz_named_after_it():
    lessons = {path.stem for path in NOTEBOOK_DIR.glob("*.ipynb")}
    assert lessons <= set(QUIZZES), f"lessons without a quiz: {sorted(lessons - set(QUIZZES))}"


@pytest.mark.parametrize("name", QUIZZES)
def test_questions_are_not_repeated(name):
    texts = [question["question"] for question in load_quiz(name)]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("name", QUIZZES)
def test_no_text_in_mathematics_has_a_space(name):
    """``\\text{two words}`` becomes MathML with a no-break space, for which MathJax in the site
    fetches an entity file that the offline MathJax does not ship (the page then logs an error)."""
    raw = (QUIZ_DIR / f"{name}.json").read_text(encoding="utf-8")
    spaced = re.findall(r"\\\\text\{[^}]* [^}]*\}", raw)
    assert not spaced, f"{name}: write these without a space inside \\text{{}}: {spaced}"
