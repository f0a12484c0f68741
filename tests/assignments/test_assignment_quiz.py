"""A graded quiz end to end: the hostile corpus through the instructor commands (see assignment_proof.py).

Every quiz of the bank is generated and its key checked in tests/unit/test_graded_quiz.py (fast,
without a kernel). All graded quizzes come from the same generator, so one of them, the quiz
of notebook 01, also goes through nbgrader here with the whole hostile corpus.
"""
from __future__ import annotations

import pytest

from assignment_proof import (Proof, check_attacks_on_the_grader, check_hostile_details, check_release, check_scores,
                              check_source_passes)
from course_tools.quizzes import shuffled_questions
from course_utils.quiz import list_quizzes, load_quiz

QUIZ = "01_sequences_and_rnns" if "01_sequences_and_rnns" in list_quizzes() else list_quizzes()[0]
N = len(load_quiz(QUIZ))

# One point per question, each answer cell independent: syntax error in answer 1, import error in
# answer 2, endless loop in answer N, second half blank, last answer blank with its check edited,
# kernel killed before the last answer (earlier points are kept).
EXPECTED = {"full": N, "blank": 0, "partial": N // 2, "syntax_error": N - 1, "import_error": N - 1,
            "infinite_loop": N - 1, "deleted_test": N, "edited_test": N - 1, "huge_output": N, "renamed": N,
            "global_state": 0, "kernel_exit": N}
# The attacks on the grader (course_tools.redteam) score what their honest cells earn: a full
# solution N, a blank release plus stolen or copied answers 0; constant letters only what chance gives.
QUESTIONS = shuffled_questions(QUIZ, load_quiz(QUIZ))
GUESSED = sum((q["type"] == "multiple_choice" and q["answers"][0]["correct"])
              or (q["type"] == "many_choice" and [a["correct"] for a in q["answers"]] == [True, True] + [False] *
                  (len(q["answers"]) - 2)) for q in QUESTIONS)
EXPECTED |= {"vandal": N, "steal_solutions": 0, "copy_classmate": 0, "network": N, "memory_bomb": N,
             "fork_bomb": N, "daemon": N, "disk_flood": N, "output_flood": N, "constant_guess": GUESSED}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    name = f"quiz_{QUIZ}"
    return Proof(name, tmp_path_factory.mktemp("quiz"), redteam=[name])


def test_attacks_on_the_grader_fail_visibly_and_change_nothing(proof):
    check_attacks_on_the_grader(proof)


def test_constant_letters_earn_no_more_than_chance(proof):
    rows = {row["case"]: row for row in proof.rows}
    assert rows["constant_guess"]["score"] == GUESSED <= N / 2


def test_hostile_corpus_gets_the_expected_scores_in_the_csv(proof):
    check_scores(proof, EXPECTED)


def test_hostile_cases_behave_as_described(proof):
    check_hostile_details(proof, visible_pass_marker="Question 2: answer recorded.")


def test_source_runs_and_passes_every_test(proof):
    check_source_passes(proof)


def test_release_fails_every_test_and_leaks_nothing(proof):
    check_release(proof)


def test_the_release_holds_no_answer_key(proof):
    text = proof.path("release").read_text()
    for needle in ("numeric_is_correct", "text_is_correct", "== {", "not the right answer", "feedback"):
        assert needle not in text
