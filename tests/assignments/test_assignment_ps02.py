"""ps02_find_the_leak: source, release and a hostile corpus graded end to end (see assignment_proof.py)."""
from __future__ import annotations

import pytest

from assignment_proof import Proof, check_hostile_details, check_release, check_scores, check_source_passes

# Partly right: the scaler and the targets are fixed, the split is chronological, but the windows
# are still cut across the whole series before splitting: 3 of the 4 checks pass (6 of 8 points).
PARTLY_FIXED = '''def fixed_pipeline(series, lookback, train=0.7, val=0.15):
    series = np.asarray(series, dtype=np.float64)
    training = chronological_split(series, train=train, val=val)[0]
    low, high = training.min(), training.max()
    X, y = make_windows((series - low) / (high - low), lookback)
    n_train, n_val = int(round(train * len(X))), int(round(val * len(X)))
    cuts = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val), "test": slice(n_train + n_val, None)}
    parts = {f"{a}_{part}": v[cut] for part, cut in cuts.items() for a, v in (("X", X), ("y", y))}
    return {**parts, "scaler_low": low, "scaler_high": high}
'''

# One answer cell (the pipeline, 4 tests of 2 points): every case that breaks it scores 0. The
# kernel dies before that cell: the fresh kernel reruns the setup, so the pipeline still earns all 8.
EXPECTED = {"full": 8, "blank": 0, "partial": 6, "syntax_error": 0, "import_error": 0, "infinite_loop": 0,
            "deleted_test": 8, "edited_test": 0, "huge_output": 8, "renamed": 8, "global_state": 0,
            "kernel_exit": 8}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    return Proof("ps02_find_the_leak", tmp_path_factory.mktemp("ps02"),
                 partial={"ps02_find_the_leak": ({"fixed_pipeline": PARTLY_FIXED}, 6.0)})


def test_hostile_corpus_gets_the_expected_scores_in_the_csv(proof):
    check_scores(proof, EXPECTED)


def test_hostile_cases_behave_as_described(proof):
    check_hostile_details(proof, visible_pass_marker="Targets: the visible test passes.")


def test_source_runs_and_passes_every_test(proof):
    check_source_passes(proof)


def test_release_fails_every_test_and_leaks_nothing(proof):
    check_release(proof)


def test_the_written_answer_waits_for_a_human(proof):
    rows = {row["case"]: row for row in proof.rows}
    assert rows["full"]["max_score"] == 12, "8 autograded points and 4 graded by hand"
