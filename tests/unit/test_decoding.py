"""course_utils.decoding: greedy, sampling, top-k and beam search on toy models, and the scores of a generation."""
import itertools
import math

import numpy as np
import pytest

from course_utils.decoding import (Decoded, beam_search, greedy_decode, known_token_share, perplexity,
                                   repetition_rate, sample_decode, sequence_log_probability)
from errors import clear_error


def markov_model(table):
    """A toy language model whose next-token scores depend on the last token only (a bigram)."""
    log_table = np.log(np.asarray(table, dtype=float))
    return lambda ids: log_table[ids[:, -1]]


def random_model(vocab_size, seed):
    return markov_model(np.random.default_rng(seed).dirichlet(np.ones(vocab_size), size=vocab_size))


# After token 0, token 1 is the likelier first step (0.6), but every continuation of 1 is unsure
# (at most 0.4), while 2 is almost always followed by 3: greedy finds 1 then 0 (p = 0.24),
# beam search of width 2 finds 2 then 3 (p = 0.4 * 0.9 = 0.36).
TRAP = [[0.0001, 0.5999, 0.4, 0.0],
        [0.4, 0.3, 0.0, 0.3],
        [0.05, 0.05, 0.0, 0.9],
        [0.25, 0.25, 0.25, 0.25]]
TRAP = np.asarray(TRAP) + 1e-9  # no probability exactly 0 (scores must be finite)


def test_greedy_follows_the_most_likely_token_and_scores_it():
    model = markov_model(TRAP)
    decoded = greedy_decode(model, [0], 2)
    assert isinstance(decoded, Decoded)
    assert decoded.ids.tolist() == [1, 0]
    assert decoded.log_probability == pytest.approx(math.log(0.5999 * 0.4), rel=1e-6)


def test_beam_search_finds_a_more_probable_sequence_than_greedy():
    model = markov_model(TRAP)
    greedy, beam = greedy_decode(model, [0], 2), beam_search(model, [0], 2, width=2)
    assert beam.ids.tolist() == [2, 3]
    assert beam.log_probability == pytest.approx(math.log(0.4 * 0.9), rel=1e-6)
    assert beam.log_probability > greedy.log_probability + 0.3


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_of_width_one_is_greedy(seed):
    model = random_model(7, seed)
    prompts = np.arange(7)[:, None]
    greedy, beam = greedy_decode(model, prompts, 6), beam_search(model, prompts, 6, width=1)
    np.testing.assert_array_equal(beam.ids, greedy.ids)
    np.testing.assert_allclose(beam.log_probability, greedy.log_probability)


@pytest.mark.parametrize("seed", range(3))
def test_a_wide_enough_beam_is_exact_and_never_worse_than_a_narrow_one(seed):
    model, size, n_new = random_model(3, seed), 3, 3
    brute = max(itertools.product(range(size), repeat=n_new),
                key=lambda c: sequence_log_probability(model, [1], list(c)))
    exact = beam_search(model, [1], n_new, width=size ** (n_new - 1))
    assert exact.ids.tolist() == list(brute)
    narrow = [beam_search(model, [1], n_new, width=w).log_probability for w in (1, 2, 3, 9)]
    assert narrow == sorted(narrow)


def test_reported_log_probability_is_the_sequences():
    model = random_model(6, 11)
    prompts = np.array([[0, 3], [5, 1]])
    for decoded in (greedy_decode(model, prompts, 5), beam_search(model, prompts, 5, width=3),
                    sample_decode(model, prompts, 5, np.random.default_rng(0), temperature=1.7, top_k=4)):
        np.testing.assert_allclose(decoded.log_probability, sequence_log_probability(model, prompts, decoded.ids))


def test_a_sequence_model_output_uses_its_last_step():
    table = np.log(np.random.default_rng(3).dirichlet(np.ones(5), size=5))
    sequence_model = lambda ids: table[ids]  # (B, t, V), as return_sequences=True gives  # noqa: E731
    assert greedy_decode(sequence_model, [[2, 4]], 4).ids.tolist() == greedy_decode(markov_model(np.exp(table)),
                                                                                    [[2, 4]], 4).ids.tolist()


def test_exclude_is_respected_by_every_decoder():
    model = random_model(4, 2)
    rng = np.random.default_rng(0)
    for decoded in (greedy_decode(model, [[0], [1]], 30, exclude=[0, 1]),
                    beam_search(model, [[0], [1]], 30, width=2, exclude=[0, 1]),
                    sample_decode(model, [[0], [1]], 30, rng, exclude=[0, 1]),
                    sample_decode(model, [[0], [1]], 30, rng, top_k=2, exclude=[0, 1])):
        assert set(np.unique(decoded.ids)) <= {2, 3}


def test_sampling_is_seeded_and_follows_the_distribution():
    model = markov_model([[0.7, 0.2, 0.1]] * 3)
    prompts = np.zeros((20_000, 1), dtype=int)
    first = sample_decode(model, prompts, 1, np.random.default_rng(5))
    again = sample_decode(model, prompts, 1, np.random.default_rng(5))
    np.testing.assert_array_equal(first.ids, again.ids)
    shares = np.bincount(first.ids[:, 0], minlength=3) / len(prompts)
    np.testing.assert_allclose(shares, [0.7, 0.2, 0.1], atol=0.015)
    cooled = sample_decode(model, prompts, 1, np.random.default_rng(5), temperature=0.5)  # p ** 2, renormalised
    expected = np.array([0.49, 0.04, 0.01]) / 0.54
    np.testing.assert_allclose(np.bincount(cooled.ids[:, 0], minlength=3) / len(prompts), expected, atol=0.015)


def test_top_k_sampling_keeps_only_the_k_most_likely_and_renormalises():
    model = markov_model([[0.5, 0.3, 0.15, 0.05]] * 4)
    ids = sample_decode(model, np.zeros((20_000, 1), dtype=int), 1, np.random.default_rng(1), top_k=2).ids[:, 0]
    assert set(np.unique(ids)) == {0, 1}
    assert np.mean(ids == 0) == pytest.approx(0.5 / 0.8, abs=0.015)


@pytest.mark.parametrize("kwargs", [{"top_k": 1}, {"temperature": 0.01}])
def test_sampling_with_top_1_or_a_cold_temperature_is_greedy(kwargs):
    rows = np.random.default_rng(4).permuted(np.tile([0.5, 0.25, 0.15, 0.1], (4, 1)), axis=1)
    model = markov_model(rows)  # log-probabilities at least 0.4 apart: a temperature of 0.01 leaves no doubt
    prompts = np.arange(4)[:, None]
    sampled = sample_decode(model, prompts, 10, np.random.default_rng(0), **kwargs)
    np.testing.assert_array_equal(sampled.ids, greedy_decode(model, prompts, 10).ids)


def test_repetition_rate():
    assert repetition_rate([1, 2, 1, 2, 1, 2]) == pytest.approx(3 / 5)
    assert repetition_rate([1, 2, 3, 4]) == 0.0
    assert repetition_rate(["to", "be", "or", "not", "to", "be"]) == pytest.approx(1 / 5)
    assert repetition_rate([7, 7, 7, 7], n=1) == pytest.approx(3 / 4)
    assert repetition_rate([[1, 1, 1], [1, 2, 3]], n=2) == pytest.approx((1 / 2 + 0) / 2)


def test_known_token_share_and_perplexity():
    assert known_token_share([[0, 4, 5, 0]]) == 0.5
    assert known_token_share([3, 0, 0, 0], unknown_id=3) == 0.75
    assert perplexity(np.full(10, 1 / 50)) == pytest.approx(50)
    assert perplexity([0.5, 0.125]) == pytest.approx(4.0)  # bits 1 and 3, mean 2


def test_decoding_errors():
    model = random_model(4, 0)
    with clear_error("prompts", "shape (t,) or (B, t)", "Vocabulary.encode"):
        greedy_decode(model, [], 3)
    with clear_error("prompts", "integers >= 0"):
        greedy_decode(model, [0.5, 1.0], 3)
    with clear_error("n_new", ">= 1"):
        greedy_decode(model, [0], 0)
    with clear_error("next_scores returned shape (1, 2, 3)", "one row of scores"):
        greedy_decode(lambda ids: np.zeros((1, 2, 3)), [0], 1)
    with clear_error("NaN or infinite", "smooth"):
        greedy_decode(lambda ids: np.array([[0.0, np.nan]]), [0], 1)
    with clear_error("next_scores must be a callable", "lambda ids"):
        greedy_decode("model", [0], 1)
    with clear_error("rng must be a numpy Generator", "default_rng"):
        sample_decode(model, [0], 2, rng=42)
    with clear_error("temperature must be a number > 0"):
        sample_decode(model, [0], 2, np.random.default_rng(0), temperature=0)
    with clear_error("top_k", ">= 1"):
        sample_decode(model, [0], 2, np.random.default_rng(0), top_k=0)
    with clear_error("k=3", "only 2 ids", "smaller k"):
        sample_decode(model, [0], 2, np.random.default_rng(0), top_k=3, exclude=[0, 1])
    with clear_error("width", ">= 1"):
        beam_search(model, [0], 2, width=0)
    with clear_error("beam search needs at least 1 id(s)", "exclude fewer ids"):
        beam_search(model, [0], 2, width=2, exclude=[0, 1, 2, 3])
    with clear_error("exclude holds ids outside 0 .. 3", "exclude=[0]"):
        beam_search(model, [0], 2, width=1, exclude=[9])
    with clear_error("one continuation per prompt"):
        sequence_log_probability(model, [[0], [1]], [2, 3])
    with clear_error("ids up to 7", "model's vocabulary"):
        sequence_log_probability(model, [0], [7])
    with clear_error("2-gram", "at least 2 tokens"):
        repetition_rate([5])
    with clear_error("non-empty array of integer token ids", "decoded.ids"):
        known_token_share([])
    with clear_error("(0, 1]", "probability of 0"):
        perplexity([0.5, 0.0])
