"""ps01_lstm_cell: source, release and a hostile corpus graded end to end (see assignment_proof.py)."""
from __future__ import annotations

import pytest

from assignment_proof import Proof, check_hostile_details, check_release, check_scores, check_source_passes

# Fake answers of the right shapes: with np.testing.assert_allclose replaced, they pass the visible tests.
FAKES = {
    "lstm_cell": "def lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):\n"
                 "    return np.zeros(np.shape(h_prev)), np.zeros(np.shape(c_prev))\n",
    "lstm_forward": "def lstm_forward(x, kernel, recurrent_kernel, bias, h0=None, c0=None):\n"
                    "    batch, steps, units = np.shape(x)[0], np.shape(x)[1], np.shape(recurrent_kernel)[0]\n"
                    "    return np.zeros((batch, steps, units)), np.zeros((batch, units)), np.zeros((batch, units))\n",
    "gru_forward": "def gru_forward(x, kernel, recurrent_kernel, bias, h0=None):\n"
                   "    batch, steps, units = np.shape(x)[0], np.shape(x)[1], np.shape(recurrent_kernel)[0]\n"
                   "    return np.zeros((batch, steps, units)), np.zeros((batch, units))\n",
}

# Points: Part 1 (cell) 3, Part 2 (sequence) 4, Part 3 (edge cases, uses Part 2) 2, Part 4 (GRU, uses
# Part 1's sigmoid) 3. The corpus breaks answer 1 (syntax), 2 (import), 3 (loop), or blanks 2 and 3.
EXPECTED = {"full": 12, "blank": 0, "partial": 3, "syntax_error": 0, "import_error": 6, "infinite_loop": 9,
            "deleted_test": 12, "edited_test": 9, "huge_output": 12, "renamed": 12, "global_state": 0,
            "kernel_exit": 9}


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    return Proof("ps01_lstm_cell", tmp_path_factory.mktemp("ps01"), tamper={"ps01_lstm_cell": FAKES})


def test_hostile_corpus_gets_the_expected_scores_in_the_csv(proof):
    check_scores(proof, EXPECTED)


def test_hostile_cases_behave_as_described(proof):
    check_hostile_details(proof, visible_pass_marker="Part 2: the visible tests pass.")


def test_source_runs_and_passes_every_test(proof):
    check_source_passes(proof)


def test_release_fails_every_test_and_leaks_nothing(proof):
    check_release(proof)
