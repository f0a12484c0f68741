"""Unit tests of course_utils.quiz on small quizzes built in tmp_path (not the real bank)."""
import copy
import json

import pytest

from course_utils import quiz
from course_utils.quiz import (
    QUESTION_TYPES,
    QUIZ_DIR,
    list_quizzes,
    load_quiz,
    quiz_path,
    show_quiz,
    validate_quiz,
)
from errors import clear_error

MULTIPLE = {
    "question": "Which gate decides what to forget?",
    "type": "multiple_choice",
    "answers": [
        {"answer": "Forget gate", "correct": True, "feedback": "Right."},
        {"answer": "Output gate", "correct": False, "feedback": "No: it filters the output."},
    ],
}
MANY = {
    "question": "Which are gates of an LSTM?",
    "type": "many_choice",
    "answer_cols": 2,
    "answers": [
        {"answer": "input", "correct": True, "feedback": "Yes."},
        {"code": "forget", "correct": True, "feedback": "Yes."},
        {"answer": "reset", "correct": False, "feedback": "That is a GRU gate."},
    ],
}
NUMERIC = {
    "question": "How many gates has an LSTM cell?",
    "type": "numeric",
    "precision": 2,
    "answers": [
        {"type": "value", "value": 3, "correct": True, "feedback": "Input, forget, output."},
        {"type": "range", "range": [0, 3], "correct": False, "feedback": "Too few."},
        {"type": "default", "feedback": "Count them again."},
    ],
}
STRING = {
    "question": "Name the state an LSTM carries besides h.",
    "type": "string",
    "answers": [
        {"answer": "cell state", "correct": True, "match_case": False, "feedback": "Yes."},
        {"type": "default", "feedback": "Think of c_t."},
    ],
}
GOOD_QUIZ = [MULTIPLE, MANY, NUMERIC, STRING]


@pytest.fixture
def good():
    """A fresh deep copy of a quiz with one question of every type."""
    return copy.deepcopy(GOOD_QUIZ)


@pytest.fixture
def bank(tmp_path, good):
    """A small quiz folder: two valid quizzes, one broken JSON, one invalid quiz."""
    (tmp_path / "01_intro.json").write_text(json.dumps(good))
    (tmp_path / "02_gates.json").write_text(json.dumps([good[0]]))
    (tmp_path / "03_broken.json").write_text('[{"question": "x",')
    (tmp_path / "04_invalid.json").write_text(json.dumps([{"question": "q", "type": "essay"}]))
    (tmp_path / "notes.txt").write_text("not a quiz")
    return tmp_path


# --- validate_quiz: valid quizzes ----------------------------------------------------------


def test_question_types():
    assert QUESTION_TYPES == ("many_choice", "multiple_choice", "numeric", "string")


def test_validate_returns_questions_unchanged(good):
    before = copy.deepcopy(good)
    assert validate_quiz(good) is good
    assert good == before


@pytest.mark.parametrize("question", GOOD_QUIZ, ids=lambda q: q["type"])
def test_validate_each_type_alone(question):
    assert validate_quiz([copy.deepcopy(question)]) == [question]


def test_validate_accepts_code_instead_of_question_text_in_choices(good):
    good[0]["code"] = "h, c = lstm(x)"
    good[0]["answers"][0] = {"code": "c", "correct": True, "feedback": "Yes."}
    validate_quiz(good)


def test_validate_accepts_latex_and_entities(good):
    good[0]["question"] = "Is $\\sigma(x) \\le 1$ at 20 &deg;C?"
    validate_quiz(good)


# --- validate_quiz: every rule -------------------------------------------------------------


@pytest.mark.parametrize("questions", [[], {}, None, "quiz", {"question": "q"}])
def test_validate_rejects_non_list_or_empty(questions):
    with clear_error("lesson:", "non-empty JSON list of questions"):
        validate_quiz(questions, name="lesson")


def _break(good, index, change):
    """Apply change(question) to question `index` of a copy of the good quiz."""
    change(good[index])
    return good


CASES = [
    (0, lambda q: q.update(type="essay"),
     ("question 1: 'type'", "one of ['many_choice', 'multiple_choice', 'numeric', 'string']; got 'essay'")),
    (0, lambda q: q.pop("type"), ("question 1: 'type'", "got None")),
    (0, lambda q: q.pop("question"), ("question 1: 'question'", "non-empty string")),
    (0, lambda q: q.update(question="  "), ("question 1: 'question'", "non-empty string")),
    (0, lambda q: q.update(question=42), ("question 1: 'question'", "non-empty string")),
    (0, lambda q: q.update(question="Temperature in \u00b0C?"),
     ("question 1: 'question' has non-ASCII characters ['\u00b0']", "HTML entities")),
    (0, lambda q: q.update(answer_col=2), ("question 1: unknown keys ['answer_col']", "multiple_choice question")),
    (2, lambda q: q.update(answer_cols=2), ("question 3: unknown keys ['answer_cols']", "numeric question")),
    (0, lambda q: q.pop("answers"), ("question 1: 'answers'", "non-empty list of objects")),
    (0, lambda q: q.update(answers=[]), ("question 1: 'answers'", "non-empty list")),
    (0, lambda q: q.update(answers=["Forget gate", "Output gate"]),
     ("question 1: 'answers'", "non-empty list of objects")),
    (0, lambda q: q["answers"][1].pop("feedback"), ("question 1, answer 2: 'feedback'", "non-empty string")),
    (3, lambda q: q["answers"][1].update(feedback=""), ("question 4, answer 2: 'feedback'", "non-empty string")),
    (0, lambda q: q["answers"][0].update(feedback="Caf\u00e9"),
     ("question 1, answer 1: 'feedback' has non-ASCII characters", "HTML entities")),
    (0, lambda q: q["answers"][0].update(corect=True), ("question 1, answer 1:", "unknown keys ['corect']")),
    # choice questions
    (0, lambda q: q.update(answers=q["answers"][:1]), ("question 1:", "at least two answers")),
    (0, lambda q: q["answers"][1].pop("answer"), ("question 1, answer 2:", "text as 'answer' (or 'code')")),
    (1, lambda q: q["answers"][1].update(code=""), ("question 2, answer 2: 'code'", "non-empty string")),
    (0, lambda q: q["answers"][1].update(correct="no"), ("question 1, answer 2: 'correct'", "true or false")),
    (0, lambda q: q["answers"][1].pop("correct"), ("question 1, answer 2: 'correct'", "true or false")),
    (0, lambda q: q["answers"][1].update(correct=True),
     ("question 1: a multiple_choice question has exactly one correct answer; found 2", "use many_choice")),
    (0, lambda q: q["answers"][0].update(correct=False),
     ("question 1: a multiple_choice question has exactly one correct answer; found 0", "use many_choice")),
    (1, lambda q: [a.update(correct=False) for a in q["answers"]], ("question 2:", "no answer is marked correct", "set \"correct\": true")),
    # numeric questions
    (2, lambda q: q.update(precision=0), ("question 3: 'precision'", "an integer >= 1")),
    (2, lambda q: q.update(precision=2.5), ("question 3: 'precision'", "an integer >= 1")),
    (2, lambda q: q.update(precision=True), ("question 3: 'precision'", "an integer >= 1")),
    (2, lambda q: q["answers"][0].update(value="3"), ("question 3, answer 1:", "finite number in 'value'")),
    (2, lambda q: q["answers"][0].update(value=float("nan")), ("question 3, answer 1:", "finite number")),
    (2, lambda q: q["answers"][0].update(value=True), ("question 3, answer 1:", "finite number")),
    (2, lambda q: q["answers"][1].update(range=[3, 0]),
     ("question 3, answer 2: 'range'", "[low, high] with low < high")),
    (2, lambda q: q["answers"][1].update(range=[0, 1, 2]), ("answer 2: 'range'", "[low, high]")),
    (2, lambda q: q["answers"][1].update(range=[0, "3"]), ("answer 2: 'range'", "[low, high]")),
    (2, lambda q: q["answers"][1].update(type="interval"),
     ("question 3, answer 2: 'type'", "'value', 'range' or 'default'; got 'interval'")),
    (2, lambda q: q["answers"][0].pop("correct"), ("question 3, answer 1: 'correct'", "true or false")),
    (2, lambda q: q["answers"].pop(), ("question 3:", "exactly one answer of type 'default'", "found 0")),
    (2, lambda q: q["answers"].append({"type": "default", "feedback": "Again."}),
     ("question 3:", "exactly one answer of type 'default'", "found 2")),
    (2, lambda q: q["answers"][0].update(correct=False), ("question 3:", "no value or range is marked correct", "'value' or 'range' answer")),
    # string questions
    (3, lambda q: q["answers"][0].update(answer=""), ("question 4, answer 1: 'answer'", "non-empty string")),
    (3, lambda q: q["answers"][0].update(correct=1), ("question 4, answer 1: 'correct'", "true or false")),
    (3, lambda q: q["answers"][0].update(correct=False), ("question 4:", "no answer is marked correct", "set \"correct\": true")),
    (3, lambda q: q.update(precision=2), ("question 4: unknown keys ['precision']", "string question")),
]


@pytest.mark.parametrize("index, change, phrases", CASES)
def test_validate_reports_each_problem(good, index, change, phrases):
    with clear_error("lesson does not validate:", *phrases):
        validate_quiz(_break(good, index, change), name="lesson")


def test_validate_rejects_a_question_that_is_not_an_object(good):
    with clear_error("question 2:", "each question is a JSON object"):
        validate_quiz([good[0], "What is an LSTM?"])


def test_validate_lists_every_problem_at_once(good):
    good[0]["answers"][0]["correct"] = False
    good[2]["answers"].pop()
    good[3]["question"] = ""
    with pytest.raises(ValueError) as info:
        validate_quiz(good, name="lesson")
    message = str(info.value)
    assert message.startswith("lesson does not validate:\n- ")
    assert message.count("\n- ") == 3
    for fragment in ["question 1: a multiple_choice", "question 3: a numeric question",
                     "question 4: 'question' must be"]:
        assert fragment in message


# --- quiz_path / list_quizzes ---------------------------------------------------------------


def test_quiz_path_default_folder():
    assert quiz_path("01_sequences_and_rnns") == QUIZ_DIR / "01_sequences_and_rnns.json"
    assert QUIZ_DIR.name == "quizzes"
    assert QUIZ_DIR.parent == quiz.Path(quiz.__file__).resolve().parent.parent


def test_quiz_path_custom_folder(tmp_path):
    assert quiz_path("02_gates", tmp_path) == tmp_path / "02_gates.json"
    assert quiz_path("02_gates", str(tmp_path)) == tmp_path / "02_gates.json"


@pytest.mark.parametrize("name", ["", "../secrets", "a/b", "a\\b", ".hidden", None, 3])
def test_quiz_path_rejects_bad_names(name):
    with clear_error("quiz name", "file stem such as"):
        quiz_path(name)


def test_list_quizzes(bank):
    assert list_quizzes(bank) == ["01_intro", "02_gates", "03_broken", "04_invalid"]


def test_list_quizzes_empty_or_missing_folder(tmp_path):
    assert list_quizzes(tmp_path) == []
    assert list_quizzes(tmp_path / "nowhere") == []


# --- load_quiz -----------------------------------------------------------------------------


def test_load_quiz(bank, good):
    assert load_quiz("01_intro", bank) == good
    assert load_quiz("02_gates", str(bank)) == [good[0]]


def test_load_quiz_missing_lists_known_quizzes(bank):
    with clear_error("no quiz '99_none'", "in the bank: 01_intro, 02_gates, 03_broken, 04_invalid"):
        load_quiz("99_none", bank)


def test_load_quiz_missing_in_empty_bank(tmp_path):
    with clear_error("no quiz '01_intro'", "in the bank: none"):
        load_quiz("01_intro", tmp_path)


def test_load_quiz_invalid_json(bank):
    with clear_error("03_broken.json", "not valid JSON", "fix the file at line 1, column 19"):
        load_quiz("03_broken", bank)


def test_load_quiz_invalid_schema_names_the_file(bank):
    with clear_error("04_invalid.json does not validate", "04_invalid.json, question 1: 'type'"):
        load_quiz("04_invalid", bank)


def test_load_quiz_bad_name(bank):
    with clear_error("quiz name", "file stem"):
        load_quiz("../01_intro", bank)


def test_load_quiz_reads_utf8_and_rejects_non_ascii_text(tmp_path, good):
    good[0]["question"] = "Which gate forgets \u2014 really?"
    (tmp_path / "q.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    with clear_error("non-ASCII characters", "HTML entities"):
        load_quiz("q", tmp_path)


# --- show_quiz -----------------------------------------------------------------------------


@pytest.fixture
def shown(monkeypatch):
    """Replace jupyterquiz.display_quiz with a recorder of its calls."""
    import jupyterquiz  # a dependency of the course: a failed import fails the test
    calls = []
    monkeypatch.setattr(jupyterquiz, "display_quiz",
                        lambda questions, **kwargs: calls.append((questions, kwargs)))
    return calls


def test_show_quiz_displays_the_validated_questions(bank, good, shown):
    assert show_quiz("01_intro", bank) is None
    assert shown == [(good, {"shuffle_answers": True})]


def test_show_quiz_passes_shuffle_answers(bank, good, shown):
    show_quiz("02_gates", bank, shuffle_answers=False)
    assert shown == [([good[0]], {"shuffle_answers": False})]


@pytest.mark.parametrize("name, phrases", [
    ("99_none", ("no quiz '99_none'", "in the bank")),
    ("03_broken", ("03_broken.json", "not valid JSON", "fix the file at line 1")),
    ("04_invalid", ("04_invalid.json", "does not validate")),
])
def test_show_quiz_refuses_bad_quizzes_without_displaying(bank, shown, name, phrases):
    with clear_error(*phrases):
        show_quiz(name, bank)
    assert shown == []


@pytest.mark.parametrize("text", ["closes between $6 (minimum) and $58 (maximum)", "costs $6 and $ 7", "a lone $ sign"])
def test_validate_rejects_dollars_that_are_not_mathematics(good, text):
    """MathJax would typeset '$6 (minimum) and $' as italic mathematics (it did, on the site, in quiz 06)."""
    good[0]["question"] = text
    with clear_error("question 1: 'question'", "as \\$"):
        validate_quiz(good)


@pytest.mark.parametrize("text", ["the angle $2\\pi (d - 1) / D$ of day $d$", "a price of \\$6", "no dollars at all"])
def test_validate_accepts_mathematics_and_escaped_dollars(good, text):
    good[0]["question"] = text
    assert validate_quiz(good) == good


@pytest.mark.parametrize("maths", ["$\\frac{1$", "$\\notacommand x$", "$x^$"])
def test_validate_rejects_mathematics_that_cannot_be_typeset(good, maths):
    good[0]["question"] = f"the formula {maths} is broken"
    with clear_error("not LaTeX this course can typeset", "use plain LaTeX"):
        validate_quiz(good)


def test_typeset_turns_mathematics_into_mathml_and_keeps_escaped_dollars():
    from course_utils.quiz import typeset

    text = typeset("the state $h_{t-1}$ costs \\$6, and $0.9^{50}$ is small")
    assert text.count("<math") == 2 and "<msub><mi>h</mi>" in text and "<msup>" in text
    assert "$" not in text.replace("&#36;", "") and "&#36;6" in text
    assert typeset("no mathematics") == "no mathematics"


def test_show_quiz_gives_jupyterquiz_mathml_not_tex(monkeypatch, good, tmp_path):
    import jupyterquiz

    from course_utils.quiz import show_quiz

    good[0]["question"] = "Is $\\sigma(x) \\le 1$ for every $x$?"
    (tmp_path / "maths.json").write_text(json.dumps(good))
    shown = []
    monkeypatch.setattr(jupyterquiz, "display_quiz", lambda questions, **_: shown.extend(questions))
    show_quiz("maths", tmp_path)
    assert shown[0]["question"].count("<math") == 2 and "$" not in shown[0]["question"]
    assert good[0]["question"].count("$") == 4  # the bank itself is unchanged
