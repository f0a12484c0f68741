"""ps03_forecasting_project: source, release and a hostile corpus graded end to end (see assignment_proof.py)."""
from __future__ import annotations

import pytest

from assignment_proof import (Proof, check_hostile_details, check_release, check_scores, check_source_passes,
                              solution_source)

# The global_state case trains the real model but reports "perfect" forecasts (the actual values):
# the visible tests pass, the hidden ones (which recompute from the model) must not give points.
FAKE_EVALUATION = """test_actual = split.to_units(split.y_test)
test_predictions = test_actual.copy()
persistence_predictions = split.to_units(persistence_forecast(split.X_test))
test_mse = 0.0
persistence_mse = float(np.mean((persistence_predictions - test_actual) ** 2))
test_r2 = 1.0
"""

# Points: split 2, model 2, training 2 (needs the model), beats persistence on the validation
# windows 2 (needs the trained model, not the evaluation), metrics 2 (needs the evaluation). The
# corpus breaks the split (syntax), the model (import), the evaluation (loop), or blanks training
# and evaluation.
EXPECTED = {"full": 10, "blank": 0, "partial": 4, "syntax_error": 0, "import_error": 2, "infinite_loop": 8,
            "deleted_test": 10, "edited_test": 8, "huge_output": 10, "renamed": 10, "global_state": 0,
            "kernel_exit": 8}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    answers = {grade_id: solution_source("ps03_forecasting_project", grade_id)
               for grade_id in ("split_data", "build_model", "train_model")}
    return Proof("ps03_forecasting_project", tmp_path_factory.mktemp("ps03"),
                 tamper={"ps03_forecasting_project": {**answers, "evaluate": FAKE_EVALUATION}})


def test_hostile_corpus_gets_the_expected_scores_in_the_csv(proof):
    check_scores(proof, EXPECTED)


def test_hostile_cases_behave_as_described(proof):
    check_hostile_details(proof, visible_pass_marker="Metrics: the visible tests pass.")


def test_source_runs_and_passes_every_test(proof):
    check_source_passes(proof)


def test_release_fails_every_test_and_leaks_nothing(proof):
    check_release(proof)


def test_plot_and_discussion_wait_for_a_human(proof):
    rows = {row["case"]: row for row in proof.rows}
    assert rows["full"]["max_score"] == 15, "10 autograded points and 5 graded by hand"
