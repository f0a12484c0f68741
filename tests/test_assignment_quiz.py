"""A graded quiz end to end: the hostile corpus through the instructor commands (see assignment_proof.py).

Every quiz of the bank is generated and its key checked in tests/test_graded_quiz.py (fast,
without a kernel). All graded quizzes come from the same generator, so one of them, the quiz
of notebook 01, also goes through nbgrader here with the whole hostile corpus.
"""
from __future__ import annotations

import pytest

from assignment_proof import Proof, check_hostile_details, check_release, check_scores, check_source_passes
from course_utils.quiz import list_quizzes, load_quiz

QUIZ = "01_sequences_and_rnns" if "01_sequences_and_rnns" in list_quizzes() else list_quizzes()[0]
N = len(load_quiz(QUIZ))

# One point per question, each answer cell independent: syntax error in answer 1, import error in
# answer 2, endless loop in answer N, second half blank, last answer blank with its check edited,
# kernel killed before the last answer (earlier points are kept).
EXPECTED = {"full": N, "blank": 0, "partial": N // 2, "syntax_error": N - 1, "import_error": N - 1,
            "infinite_loop": N - 1, "deleted_test": N, "edited_test": N - 1, "huge_output": N, "renamed": N,
            "global_state": 0, "kernel_exit": N}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    return Proof(f"quiz_{QUIZ}", tmp_path_factory.mktemp("quiz"))


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
