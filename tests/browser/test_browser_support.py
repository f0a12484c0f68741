"""The pure-Python parts of tests/browser_support.py: what jupyterquiz answers to a typed number."""
from __future__ import annotations

import pytest

from browser_support import js_to_precision, numeric_inputs, numeric_verdict, plain_prefix
from course_utils.quiz import list_quizzes, load_quiz

QUESTION = {
    "question": "How many?", "type": "numeric", "precision": 3,
    "answers": [
        {"type": "value", "value": 3652, "correct": True, "feedback": "Right."},
        {"type": "value", "value": 3650, "correct": False, "feedback": "Rows, not days."},
        {"type": "range", "range": [0.2, 0.3], "correct": True, "feedback": "In range."},
        {"type": "default", "feedback": "Count the leap days."},
    ],
}


@pytest.mark.parametrize("value, digits, expected", [
    (3652, 3, 3650.0), (3655, 3, 3660.0), (0.25, 1, 0.3), (-0.25, 1, -0.3), (0.0, 2, 0.0),
    (0.0869, 2, 0.087), (123456, 2, 120000.0),
])
def test_js_to_precision_rounds_like_javascript(value, digits, expected):
    assert js_to_precision(value, digits) == expected


def test_numeric_verdict_follows_the_answers_in_order():
    assert numeric_verdict(QUESTION, "3652") == (True, "Right.")
    assert numeric_verdict(QUESTION, "3651") == (True, "Right.")  # both round to 3650 at 3 digits
    assert numeric_verdict(QUESTION, "0.25") == (True, "In range.")
    assert numeric_verdict(QUESTION, "1/4") == (True, "In range.")
    assert numeric_verdict(QUESTION, "7") == (False, "Count the leap days.")
    without_precision = {**QUESTION, "precision": None}
    assert numeric_verdict(without_precision, "3650") == (False, "Rows, not days.")


def test_numeric_inputs_are_one_right_and_one_wrong():
    right, wrong = numeric_inputs(QUESTION)
    assert numeric_verdict(QUESTION, right)[0] and not numeric_verdict(QUESTION, wrong)[0]
    assert numeric_verdict(QUESTION, wrong)[1] == "Count the leap days."


def test_numeric_inputs_need_a_reachable_right_answer():
    question = {"question": "?", "type": "numeric",
                "answers": [{"type": "default", "feedback": "No."}]}
    with pytest.raises(ValueError, match="No input makes this numeric question correct"):
        numeric_inputs(question)


def test_every_numeric_question_of_the_bank_has_inputs():
    for name in list_quizzes():
        for question in load_quiz(name):
            if question["type"] == "numeric":
                right, wrong = numeric_inputs(question)
                assert numeric_verdict(question, right)[0], (name, question["question"])


def test_plain_prefix_stops_at_markup():
    assert plain_prefix("The  rate is $\\alpha$ here") == "The rate is"
    assert plain_prefix("Plain text.") == "Plain text."
    assert plain_prefix("Read [this](x.html) first") == "Read"
