"""course_utils.graded_quiz: answer forms, jupyterquiz's grading rules, and notebooks that match the bank.

The graded quizzes are generated from whatever is in quizzes/ when the tests run (never
committed), so a quiz added by anyone is covered here without any extra step.
"""
from __future__ import annotations

import itertools
import json
import math
import re

import nbformat
import pytest

from course_tools import quizzes as graded_quiz
from course_tools.quizzes import (answer_key, build_notebook, option_orders, quiz_title, shuffled_questions,
                                  write_graded_quizzes)
from course_utils.graded_quiz import (as_choice, as_choices, as_number, as_text, assignment_name, numeric_is_correct,
                                      text_is_correct)
from course_utils.quiz import list_quizzes, load_quiz
from errors import clear_error

QUIZZES = list_quizzes()
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _region(source: str, begin: str, end: str) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)


def _without_regions(source: str) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN" in line and ("SOLUTION" in line or "HIDDEN TESTS" in line):
            inside = True
        elif "END" in line and ("SOLUTION" in line or "HIDDEN TESTS" in line):
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


# -- answer forms -------------------------------------------------------------------------

def test_as_choice_normalises_one_letter():
    assert as_choice(" B ", n_options=4) == "b"
    assert as_choice("a", n_options=2) == "a"


@pytest.mark.parametrize("answer", ["e", "ab", "", 1, None, ["a"], {"a"}, b"a"])
def test_as_choice_refuses_anything_but_one_allowed_letter(answer):
    with clear_error("Question 2", "letters a, b, c, d"):
        as_choice(answer, n_options=4, question="Question 2")


def test_as_choice_refuses_a_str_subclass_that_equals_everything():
    class Sneaky(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    with clear_error("letters a, b, c, d"):
        as_choice(Sneaky("a"), n_options=4)


@pytest.mark.parametrize("answer", [{"a", "c"}, ["c", "a"], ("A", "c"), "ac", "a, c", frozenset("ca"), "a;c"])
def test_as_choices_accepts_collections_and_strings(answer):
    assert as_choices(answer, n_options=4) == {"a", "c"}


def test_as_choices_allows_an_empty_answer():
    assert as_choices(set(), n_options=3) == frozenset()


@pytest.mark.parametrize("answer, phrases", [({"a", "z"}, ("letters a, b, c, d", "'z'")),
                                             (3, ("set of all correct letters", "got 3")),
                                             (None, ("set of all correct letters", "got None")),
                                             ({"a": 1}, ("set of all correct letters", "{'a': 1}")),
                                             (["ab"], ("letters a, b, c, d", "'ab'"))])
def test_as_choices_refuses_other_values(answer, phrases):
    with clear_error(*phrases):
        as_choices(answer, n_options=4)


@pytest.mark.parametrize("n_options", [1, 27, "4", True, 2.0])
def test_choice_helpers_check_the_number_of_options(n_options):
    with clear_error("n_options", "from 2 to 26"):
        as_choice("a", n_options=n_options)
    with clear_error("n_options", "from 2 to 26"):
        as_choices("a", n_options=n_options)


@pytest.mark.parametrize("answer, value", [(90, 90.0), (0.25, 0.25), ("1/4", 0.25), (" 3 ", 3.0),
                                           (0.9 ** 50, 0.9 ** 50)])
def test_as_number(answer, value):
    assert as_number(answer) == value


def test_as_number_accepts_numpy_numbers():
    import numpy as np

    assert as_number(np.float32(0.5)) == 0.5 and as_number(np.int64(3)) == 3.0


@pytest.mark.parametrize("answer", [True, "abc", "1/0", float("nan"), float("inf"), None, [1]])
def test_as_number_refuses_non_numbers(answer):
    with clear_error("Question 1", "finite number"):
        as_number(answer, question="Question 1")


def test_as_text():
    assert as_text("  forget gate ") == "forget gate"
    for bad in ("", "   ", 3, None):
        with clear_error("non-empty string", "forget gate"):
            as_text(bad)


# -- jupyterquiz's grading rules --------------------------------------------------------------

def test_numeric_precision_rounds_answer_and_key():
    key = [(0.0052, True), ((0.04, 0.06), False)]
    assert numeric_is_correct(0.9 ** 50, key, precision=2)  # 0.005153... -> 0.0052
    assert numeric_is_correct("0.0052", key, precision=2)
    assert not numeric_is_correct(0.0051, key, precision=2)
    assert not numeric_is_correct(0.05, key, precision=2)  # in a range marked wrong


def test_numeric_without_precision_is_exact():
    assert numeric_is_correct(90, [(90, True)])
    assert not numeric_is_correct(90.0001, [(90, True)])


def test_numeric_ranges_include_low_and_exclude_high():
    key = [((1.0, 2.0), True)]
    assert numeric_is_correct(1.0, key) and numeric_is_correct(1.999, key)
    assert not numeric_is_correct(2.0, key)


def test_numeric_first_matching_answer_decides():
    assert not numeric_is_correct(5, [((0, 10), False), (5, True)])
    assert numeric_is_correct(5, [(5, True), ((0, 10), False)])


KEY_ENTRY, PRECISION = ("key entry", "((low, high), correct)"), ("precision", "integer >= 1")


@pytest.mark.parametrize("key, precision, phrases", [([(1, "yes")], None, KEY_ENTRY), ([1], None, KEY_ENTRY),
                                                     ([(1, True)], 0, PRECISION), ([(1, True)], True, PRECISION),
                                                     ([(1, True)], 2.5, PRECISION)])
def test_numeric_checks_key_and_precision(key, precision, phrases):
    with clear_error(*phrases):
        numeric_is_correct(1, key, precision=precision)


def test_text_rules_follow_jupyterquiz():
    key = [("LSTM", True, True, None), ("forget gate", True, False, 0.8), ("gru", False, False, None)]
    assert text_is_correct("LSTM", key) and not text_is_correct("lstm", key)
    assert text_is_correct("Forget Gate", key) and text_is_correct("forget gat", key)  # fuzzy
    assert not text_is_correct("GRU", key) and not text_is_correct("input gate", key)


def test_text_checks_its_key():
    with clear_error("key entry", "(text, correct, match_case, fuzzy_threshold)"):
        text_is_correct("a", [("a", True)])


# -- keys and notebooks ----------------------------------------------------------------------------

def test_answer_key_expressions():
    many = {"type": "many_choice", "answers": [{"correct": True}, {"correct": False}, {"correct": True}]}
    assert answer_key(many) == "as_choices(answer, n_options=3) == {'a', 'c'}"
    single = {"type": "multiple_choice", "answers": [{"correct": False}, {"correct": True}]}
    assert answer_key(single) == "as_choice(answer, n_options=2) == 'b'"
    numeric = {"type": "numeric", "precision": 2, "answers": [
        {"type": "value", "value": 0.0052, "correct": True},
        {"type": "range", "range": [0.04, 0.06], "correct": False}, {"type": "default"}]}
    assert answer_key(numeric) == "numeric_is_correct(answer, [(0.0052, True), ((0.04, 0.06), False)], precision=2)"
    with clear_error("unknown question type 'essay'", "many_choice, multiple_choice, numeric, string"):
        answer_key({"type": "essay", "answers": []})


@pytest.mark.parametrize("name", ["", "../x", "a b", 3, ".hidden"])
def test_assignment_name_checks_the_quiz_name(name):
    with clear_error("quiz name", "file stem"):
        assignment_name(name)


def test_quiz_title_checks_the_name():
    with clear_error("quiz name", "file stem"):
        quiz_title("../secret")


def test_quiz_title_falls_back_to_the_name(tmp_path):
    assert quiz_title("99_nothing_here", notebook_dir=tmp_path) == "99_nothing_here"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A lesson\n\nSummary.")])
    nbformat.write(nb, str(tmp_path / "12_x.ipynb"))
    assert quiz_title("12_x", notebook_dir=tmp_path) == "A lesson"


def test_an_unreachable_right_answer_is_reported():
    question = {"question": "Q?", "type": "numeric", "answers": [
        {"type": "range", "range": [0, 10], "correct": False, "feedback": "no"},
        {"type": "value", "value": 5, "correct": True, "feedback": "yes"},
        {"type": "default", "feedback": "d"}]}
    with clear_error("can be graded correct", "reorder its answers"):
        build_notebook("01_sequences_and_rnns", questions=[question], title="T")


def _graded_namespace(notebook, answers_from_solution: bool, skip: int | None = None) -> list[bool]:
    """Run each question's answer cell and hidden check in a plain namespace: which pass."""
    results = []
    for cell in notebook.cells:
        meta = _meta(cell)
        if meta.get("solution"):
            namespace: dict = {}
            if answers_from_solution:
                exec(_region(cell.source, "BEGIN SOLUTION", "END SOLUTION"), namespace)
        elif meta.get("grade"):
            code = _region(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
            try:
                exec(code, namespace)
            except (AssertionError, NameError, ValueError):
                results.append(False)
            else:
                results.append(True)
    return results


@pytest.mark.parametrize("name", QUIZZES)
def test_generated_quiz_matches_the_bank(name):
    """Every question of the bank appears, in order, with its choices (shuffled) and its key in hidden tests only."""
    questions = shuffled_questions(name, load_quiz(name))
    nb = build_notebook(name)
    answers = [c for c in nb.cells if _meta(c).get("solution")]
    checks = [c for c in nb.cells if _meta(c).get("grade")]
    assert len(answers) == len(checks) == len(questions)
    assert [_meta(c)["points"] for c in checks] == [1] * len(questions)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for i, (question, check) in enumerate(zip(questions, checks), 1):
        assert f"### Question {i} " in markdown and question["question"] in markdown
        for letter, answer in zip(LETTERS, question["answers"]):
            if question["type"] in ("many_choice", "multiple_choice"):
                assert f"**{letter}.** {answer.get('answer') or ''}" in markdown
        hidden = _region(check.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        assert f"assert {answer_key(question)}" in hidden and "assert_untampered()" in hidden
        visible = _without_regions(check.source)
        assert "is_correct" not in visible and "==" not in visible, "the visible check must not hold the key"
        assert "feedback" not in check.source
    for question in questions:
        for answer in question["answers"]:
            assert answer["feedback"] not in json.dumps(nbformat.writes(nb)), "feedback would reveal the key"


@pytest.mark.parametrize("name", QUIZZES)
def test_solution_passes_every_hidden_check_and_blank_or_wrong_answers_do_not(name):
    nb = build_notebook(name)
    assert all(_graded_namespace(nb, answers_from_solution=True))
    assert not any(_graded_namespace(nb, answers_from_solution=False))
    wrong = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell, question in zip([c for c in wrong.cells if _meta(c).get("solution")],
                              shuffled_questions(name, load_quiz(name))):
        kind = question["type"]
        if kind == "multiple_choice":
            bad = repr(LETTERS[[a["correct"] for a in question["answers"]].index(False)])
        else:
            bad = {"many_choice": "set()", "numeric": "-123456.789", "string": "'no such answer'"}[kind]
        cell.source = re.sub(r"(answer_\d+ = ).*", rf"\g<1>{bad}", cell.source)
    assert not any(_graded_namespace(wrong, answers_from_solution=True))


def test_generation_is_deterministic_and_idempotent(tmp_path):
    first = write_graded_quizzes(tmp_path)
    assert len(first["written"]) == len(QUIZZES) and not first["unchanged"]
    contents = {p: open(p).read() for p in first["written"]}
    second = write_graded_quizzes(tmp_path)
    assert not second["written"] and len(second["unchanged"]) == len(QUIZZES)
    assert all(open(p).read() == text for p, text in contents.items())
    assert not write_graded_quizzes(tmp_path, check=True)["written"]


def test_a_changed_bank_is_regenerated_and_a_removed_quiz_cleaned_up(tmp_path):
    bank = tmp_path / "quizzes"
    bank.mkdir()
    question = {"question": "Pick b.", "type": "multiple_choice", "answers": [
        {"answer": "a", "correct": False, "feedback": "no"}, {"answer": "b", "correct": True, "feedback": "yes"}]}
    (bank / "98_demo.json").write_text(json.dumps([question]))
    source = tmp_path / "source"
    assert len(write_graded_quizzes(source, quiz_dir=bank)["written"]) == 1
    question["answers"][0]["correct"], question["answers"][1]["correct"] = True, False
    (bank / "98_demo.json").write_text(json.dumps([question]))
    assert write_graded_quizzes(source, quiz_dir=bank, check=True)["written"], "a stale quiz is detected"
    write_graded_quizzes(source, quiz_dir=bank)
    text = (source / "quiz_98_demo" / "quiz_98_demo.ipynb").read_text()
    assert "== 'a'" in text
    (source / "ps99_hand_made").mkdir()
    (source / "quiz_hand_made").mkdir()
    (source / "quiz_hand_made" / "quiz_hand_made.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (bank / "98_demo.json").unlink()
    (bank / "97_other.json").write_text(json.dumps([question]))
    report = write_graded_quizzes(source, quiz_dir=bank)
    assert [p.split("/")[-1] for p in report["removed"]] == ["quiz_98_demo.ipynb"]
    assert not (source / "quiz_98_demo").exists() and (source / "quiz_hand_made").exists(), \
        "only generated notebooks are removed"
    with clear_error("['does_not_exist']", "the bank holds ['97_other']"):
        write_graded_quizzes(source, names=["does_not_exist"], quiz_dir=bank)


def test_command_line(tmp_path, capsys):
    assert graded_quiz.main(["--source", str(tmp_path), "--check"]) == 1
    assert graded_quiz.main(["--source", str(tmp_path)]) == 0
    assert f"wrote {len(QUIZZES)} graded quiz" in capsys.readouterr().out
    assert graded_quiz.main(["--source", str(tmp_path), "--check"]) == 0
    assert graded_quiz.main(["--source", str(tmp_path), "no_such_quiz"]) == 2


# -- no constant guess passes ----------------------------------------------------------------------

PASS_MARK = 0.5  # a quiz is passed with more than half of its points


def _right_letters(question: dict) -> frozenset[str]:
    return frozenset(LETTERS[i] for i, a in enumerate(question["answers"]) if a.get("correct") is True)


def _constant_scores(questions_by_quiz: dict[str, list[dict]]):
    """Per constant strategy (a letter for one-answer questions, a set of letters for choose-all), the
    points it earns per quiz, and what chance predicts for it over the whole bank (mean and sd)."""
    widest = max(len(q["answers"]) for qs in questions_by_quiz.values() for q in qs if "choice" in q["type"])
    letters = LETTERS[:widest]
    sets = [frozenset(c) for k in range(1, widest + 1) for c in itertools.combinations(letters, k)]
    strategies = [("multiple_choice", frozenset(letter)) for letter in letters] + [("many_choice", s) for s in sets]
    out = {}
    for kind, guess in strategies:
        per_quiz, mean, var = {}, 0.0, 0.0
        for name, questions in questions_by_quiz.items():
            per_quiz[name] = sum(q["type"] == kind and _right_letters(q) == guess for q in questions)
            for q in questions:
                if q["type"] != kind or len(q["answers"]) < len(guess) or max(guess) >= LETTERS[len(q["answers"])]:
                    continue
                n, k = len(q["answers"]), len(_right_letters(q))
                p = (1 / n) if kind == "multiple_choice" else (1 / math.comb(n, k) if len(guess) == k else 0.0)
                mean, var = mean + p, var + p * (1 - p)
        out[(kind, "".join(sorted(guess)))] = (per_quiz, mean, math.sqrt(var))
    return out


def _check_no_constant_strategy_wins(questions_by_quiz: dict[str, list[dict]], what: str) -> None:
    problems = []
    for (kind, guess), (per_quiz, mean, sd) in _constant_scores(questions_by_quiz).items():
        total = sum(per_quiz.values())
        if total > mean + 2 * sd + 1:
            problems.append(f"always {guess!r} on {kind} questions is right {total} times; chance: {mean:.1f} +- {sd:.1f}")
    for name, questions in questions_by_quiz.items():
        best_letter = max(sum(q["type"] == "multiple_choice" and _right_letters(q) == {x} for q in questions)
                          for x in LETTERS[:5])
        counts = {}
        for q in questions:
            if q["type"] == "many_choice":
                counts[_right_letters(q)] = counts.get(_right_letters(q), 0) + 1
        best = best_letter + max(counts.values(), default=0)
        if best > PASS_MARK * len(questions):
            problems.append(f"{name}: a constant guess earns {best} of {len(questions)} points")
    assert not problems, f"{what}: constant answers beat chance (shuffle the options):\n" + "\n".join(problems)


def test_no_constant_answer_passes_a_graded_quiz_or_beats_chance_on_the_bank():
    """Always "a" (or any letter), or always the same set of letters: no quiz passed, no better than chance."""
    _check_no_constant_strategy_wins({n: shuffled_questions(n, load_quiz(n)) for n in QUIZZES}, "graded quizzes")


def test_the_practice_bank_itself_does_not_put_the_right_options_in_one_place():
    """jupyterquiz shuffles in the browser only: the bank's own order must be fair too."""
    _check_no_constant_strategy_wins({n: load_quiz(n) for n in QUIZZES}, "the bank's own order")


def test_the_check_catches_a_bank_with_every_right_answer_first():
    """The constant-strategy check can fail: with the right option always first it does."""
    def right_first(q):
        if q["type"] != "multiple_choice":
            return q
        return {**q, "answers": sorted(q["answers"], key=lambda a: not a["correct"])}
    with clear_error("always 'a'", "shuffle the options", exception=AssertionError):
        _check_no_constant_strategy_wins({n: [right_first(q) for q in load_quiz(n)] for n in QUIZZES}, "planted")


def test_option_orders_are_fixed_per_quiz_and_question_and_keep_the_key():
    questions = load_quiz(QUIZZES[1])
    first, again = option_orders(QUIZZES[1], questions), option_orders(QUIZZES[1], questions)
    assert first == again, "release, autograde and feedback must see the same order"
    assert option_orders(QUIZZES[2], load_quiz(QUIZZES[2])) != option_orders(QUIZZES[2], load_quiz(QUIZZES[2]),
                                                                             salt="other")
    for question, order, shuffled in zip(questions, first, shuffled_questions(QUIZZES[1], questions)):
        if order is None:
            assert shuffled == question
        else:
            assert sorted(order) == list(range(len(question["answers"])))
            assert [a["answer"] for a in shuffled["answers"]] == [question["answers"][j]["answer"] for j in order]
