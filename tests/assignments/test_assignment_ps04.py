"""ps04_sequence_classification: source, release and a hostile corpus graded end to end (see assignment_proof.py)."""
from __future__ import annotations

import pytest

from assignment_proof import (Proof, check_hostile_details, check_release, check_scores, check_source_passes,
                              solution_source)

# The global_state case pads and builds correctly but does not train: it answers the validation
# sequences from their known labels and everything else with 0. With numpy's checks replaced
# its visible tests pass; the hidden ones notice the replacement and the held-out recordings.
MEMORISED = """def predict_direction(sequences):
    if len(sequences) == len(val_labels):
        return val_labels.copy()
    return np.zeros(len(sequences), dtype=int)
"""

# Points: pad_batch 3, padding invariance 3 (needs pad_batch and build_classifier), beating the
# summary features 4 (needs all three answers). The corpus breaks pad_batch (syntax: nothing
# works), build_classifier (import), or training (loop); the killed kernel loses the two
# answers above it (the restart reruns only the read-only setup cells), so training fails. The
# partial case leaves the second half of the answers blank: build_classifier and the training.
EXPECTED = {"full": 10, "blank": 0, "partial": 3, "syntax_error": 0, "import_error": 3, "infinite_loop": 6,
            "deleted_test": 10, "edited_test": 6, "huge_output": 10, "renamed": 10, "global_state": 0,
            "kernel_exit": 6}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    answers = {grade_id: solution_source("ps04_sequence_classification", grade_id)
               for grade_id in ("pad_batch", "build_classifier")}
    return Proof("ps04_sequence_classification", tmp_path_factory.mktemp("ps04"),
                 tamper={"ps04_sequence_classification": {**answers, "train_model": MEMORISED}})


def test_hostile_corpus_gets_the_expected_scores_in_the_csv(proof):
    check_scores(proof, EXPECTED)


def test_hostile_cases_behave_as_described(proof):
    check_hostile_details(proof, visible_pass_marker="Validation balanced accuracy")


def test_source_runs_and_passes_every_test(proof):
    check_source_passes(proof)


def test_release_fails_every_test_and_leaks_nothing(proof):
    check_release(proof)


def test_the_written_answer_waits_for_a_human(proof):
    rows = {row["case"]: row for row in proof.rows}
    assert rows["full"]["max_score"] == 12, "10 autograded points and 2 graded by hand"
