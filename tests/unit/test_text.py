"""course_utils.text: vocabularies, next-token windows, n-gram baselines, scores and sampling."""
import math

import numpy as np
import pytest

from course_utils.text import (UNKNOWN, Vocabulary, apply_temperature, bigram_probabilities,
                               bigram_suggestions, bits_per_token, nats_to_bits, next_token_windows,
                               sample_with_temperature, stateful_batches, suggest_next,
                               target_probabilities,
                               tokenize_words, top_k, top_k_accuracy, unigram_probabilities)
from errors import clear_error


def test_vocabulary_orders_by_frequency_and_maps_unknowns_to_zero():
    vocabulary = Vocabulary.from_tokens("abracadabra")
    assert vocabulary.tokens == (UNKNOWN, "a", "b", "r", "c", "d")  # a:5, b:2, r:2, c:1, d:1
    assert vocabulary.size == 6
    ids = vocabulary.encode("bad!")
    assert ids.dtype == np.int32 and ids.tolist() == [2, 1, 5, 0]
    assert "".join(vocabulary.decode(vocabulary.encode("cab"))) == "cab"
    assert vocabulary.decode(np.array([[1, 0]])) == ["a", UNKNOWN]
    assert vocabulary.decode([]) == []


def test_vocabulary_of_words_with_limits():
    words = ["the", "cat", "the", "dog", "the", "cat", "emu"]
    assert Vocabulary.from_tokens(words, max_size=3).tokens == (UNKNOWN, "the", "cat")
    assert Vocabulary.from_tokens(words, min_count=2).tokens == (UNKNOWN, "the", "cat")
    assert Vocabulary.from_tokens(words).encode(["dog", "fox"]).tolist() == [3, 0]
    assert Vocabulary.from_tokens(["a", UNKNOWN]).tokens == (UNKNOWN, "a")


def test_vocabulary_errors():
    with clear_error("tokens is empty", "training text"):
        Vocabulary.from_tokens("")
    with clear_error("non-empty string", "got ''"):
        Vocabulary.from_tokens(["a", ""])
    with clear_error("max_size", ">= 2"):
        Vocabulary.from_tokens("abc", max_size=1)
    with clear_error("min_count", ">= 1"):
        Vocabulary.from_tokens("abc", min_count=0)
    with clear_error("tokens[0]", "'<unk>'"):
        Vocabulary(("a", "b"))
    with clear_error("duplicates", "exactly one id"):
        Vocabulary((UNKNOWN, "a", "a"))
    with clear_error("outside 0 .. 2", "same vocabulary"):
        Vocabulary.from_tokens("ab").decode([5])
    with clear_error("integer token ids", "Vocabulary.encode"):
        Vocabulary.from_tokens("ab").decode([1.0])


def test_tokenize_words():
    assert tokenize_words("Speak, speak.\nWe know't!  3 times") == ["speak", "speak", "we", "know't", "times"]
    with clear_error("text must be a string", "got list"):
        tokenize_words(["not", "text"])


def test_next_token_windows_shift_targets_by_one():
    ids = np.arange(10)
    X, Y = next_token_windows(ids, length=3)
    assert X.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert Y.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert X.dtype == np.int32 and Y.dtype == np.int32
    X2, Y2 = next_token_windows(ids, length=4, stride=1)
    assert X2.shape == (6, 4) and (Y2[:, :-1] == X2[:, 1:]).all() and Y2[-1, -1] == 9


def test_next_token_windows_errors():
    with clear_error("ids has 3 tokens", "shorter length or more text"):
        next_token_windows(np.arange(3), length=3)
    with clear_error("length", ">= 1"):
        next_token_windows(np.arange(10), length=0)
    with clear_error("stride", ">= 1"):
        next_token_windows(np.arange(10), length=2, stride=0)
    with clear_error("integer token ids", "Vocabulary.encode"):
        next_token_windows(np.linspace(0, 1, 10), length=2)
    with clear_error("1 dimension", "got shape (3, 4)"):
        next_token_windows(np.zeros((3, 4), dtype=int), length=2)
    with clear_error("ids is empty", "at least one token id"):
        next_token_windows([], length=2)
    with clear_error("outside 0 .. V - 1", "same vocabulary"):
        next_token_windows([-1, 2, 3], length=1)


def test_stateful_batches_rows_continue_from_one_batch_to_the_next():
    ids = np.arange(23)  # 22 inputs with a target: 2 streams of 11, 3 windows of 3 each
    X, Y = stateful_batches(ids, batch_size=2, length=3)
    assert X.shape == Y.shape == (6, 3) and X.dtype == np.int32 and Y.dtype == np.int32
    assert X.tolist() == [[0, 1, 2], [11, 12, 13],     # batch 0: stream 0, stream 1
                          [3, 4, 5], [14, 15, 16],     # batch 1
                          [6, 7, 8], [17, 18, 19]]     # batch 2
    assert (Y == X + 1).all()  # targets shifted by one


@pytest.mark.parametrize("n, batch_size, length", [(1_000, 7, 10), (101, 4, 25), (500, 1, 499), (64, 3, 1)])
def test_stateful_batches_continuation_property(n, batch_size, length):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 50, n)
    X, Y = stateful_batches(ids, batch_size, length)
    stream = (n - 1) // batch_size
    n_batches = stream // length
    assert X.shape == Y.shape == (n_batches * batch_size, length)
    batches = X.reshape(n_batches, batch_size, length)          # (batch k, row i, step)
    targets = Y.reshape(n_batches, batch_size, length)
    for i in range(batch_size):
        row = batches[:, i].reshape(-1)                          # row i read batch after batch
        assert (row == ids[i * stream: i * stream + n_batches * length]).all()
        assert (targets[:, i].reshape(-1) == ids[i * stream + 1: i * stream + n_batches * length + 1]).all()
    # the last target of row i in batch k is the first input of row i in batch k + 1
    assert (targets[:-1, :, -1] == batches[1:, :, 0]).all()
    # streams do not overlap: no input position is used twice
    positions = np.arange(n)
    Xp, _ = stateful_batches(positions, batch_size, length)
    assert len(np.unique(Xp)) == Xp.size


def test_stateful_batches_errors():
    with clear_error("ids has 20 tokens", "too short", "at least 21", "smaller batch_size or length"):
        stateful_batches(np.arange(20), batch_size=4, length=5)
    stateful_batches(np.arange(21), batch_size=4, length=5)  # exactly enough: one batch
    with clear_error("batch_size", ">= 1"):
        stateful_batches(np.arange(10), batch_size=0, length=2)
    with clear_error("length", ">= 1", "got 2.5"):
        stateful_batches(np.arange(10), batch_size=2, length=2.5)
    with clear_error("integer token ids", "Vocabulary.encode"):
        stateful_batches(np.linspace(0, 1, 10), batch_size=2, length=2)
    with clear_error("1 dimension", "got shape (3, 4)"):
        stateful_batches(np.zeros((3, 4), dtype=int), batch_size=1, length=2)
    with clear_error("ids is empty", "at least one token id"):
        stateful_batches([], batch_size=1, length=1)


def test_bits_and_nats():
    assert nats_to_bits(math.log(2.0)) == pytest.approx(1.0)
    assert nats_to_bits([0.0, math.log(4.0)]).tolist() == pytest.approx([0.0, 2.0])
    assert bits_per_token(np.full(7, 1 / 8)) == pytest.approx(3.0)  # uniform over 8 tokens: log2 8
    assert bits_per_token([[1.0, 0.25]]) == pytest.approx(1.0)
    with clear_error("nats", "finite number >= 0", "got -1", "pass the loss keras reports"):
        nats_to_bits(-1.0)
    with clear_error("infinite", "smoothing > 0"):
        bits_per_token([0.5, 0.0])
    with clear_error("(0, 1]", "not logits"):
        bits_per_token([2.5])
    with clear_error("target_probabilities", "empty", "probability of each true next token"):
        bits_per_token([])


def test_target_probabilities_is_a_softmax_gather():
    logits = np.array([[0.0, 0.0], [math.log(3.0), 0.0]])
    assert target_probabilities(logits, np.array([1, 0])).tolist() == pytest.approx([0.5, 0.75])
    big = np.array([[[1000.0, 0.0, 0.0]]])  # no overflow
    assert target_probabilities(big, np.array([[0]]))[0, 0] == pytest.approx(1.0)
    with clear_error("same leading shape", "one target per row of logits"):
        target_probabilities(logits, np.array([0]))
    with clear_error("targets holds ids outside 0 .. 1", "same vocabulary"):
        target_probabilities(logits, np.array([0, 2]))
    with clear_error("logits", "(..., V)"):
        target_probabilities(np.float64(1.0), np.array(0))


def test_unigram_and_bigram_baselines():
    ids = np.array([1, 2, 1, 2, 1])
    assert unigram_probabilities(ids, 3, smoothing=0).tolist() == pytest.approx([0, 0.6, 0.4])
    assert unigram_probabilities(ids, 3).tolist() == pytest.approx([1 / 8, 4 / 8, 3 / 8])
    table = bigram_probabilities(ids, 3, smoothing=0)
    assert table[1].tolist() == pytest.approx([0, 0, 1]) and table[2].tolist() == pytest.approx([0, 1, 0])
    assert table[0].tolist() == pytest.approx([1 / 3] * 3)  # never seen: uniform
    smoothed = bigram_probabilities(ids, 3)
    assert smoothed.sum(axis=1) == pytest.approx(np.ones(3)) and smoothed[1, 2] == pytest.approx(3 / 5)
    assert bits_per_token(smoothed[ids[:-1], ids[1:]]) == pytest.approx(-math.log2(3 / 5))


def test_baseline_errors():
    with clear_error("smoothing", ">= 0"):
        unigram_probabilities([1, 2], 3, smoothing=-1)
    with clear_error("vocab_size", ">= 1"):
        unigram_probabilities([1, 2], 0)
    with clear_error("outside 0 .. 2", "same vocabulary"):
        unigram_probabilities([1, 5], 3)
    with clear_error("limited to 2000 tokens", "bigram_suggestions"):
        bigram_probabilities([1, 2], 5000)
    with clear_error("ids", "at least two tokens"):
        bigram_probabilities([1], 3)
    with clear_error("smoothing", "got nan"):
        bigram_probabilities([1, 2], 3, smoothing=float("nan"))


def test_top_k_and_accuracy():
    scores = np.array([[0.1, 0.5, 0.2, 0.2], [0.9, 0.0, 0.05, 0.05]])
    assert top_k(scores, 2).tolist() == [[1, 2], [0, 2]]  # tie 0.2/0.2 goes to the smaller id
    assert top_k(scores, 2, exclude=[0]).tolist() == [[1, 2], [2, 3]]
    assert scores[1, 0] == 0.9  # the input is not modified
    assert top_k(np.array([3.0, 1.0, 2.0]), 1).tolist() == [0]
    assert top_k_accuracy(top_k(scores, 2), np.array([2, 3])) == 0.5
    assert top_k_accuracy(np.array([[1, 2, 3]]), np.array([3])) == 1.0
    with clear_error("k must be", ">= 1"):
        top_k(scores, 0)
    with clear_error("k=4", "only 3 ids", "use a smaller k, at most 3"):
        top_k(scores, 4, exclude=[0])
    with clear_error("exclude holds ids outside 0 .. 3", "[9]", "exclude=[0]"):
        top_k(scores, 1, exclude=[9])
    with clear_error("(..., V)", "got a scalar"):
        top_k(1.0, 1)
    with clear_error("suggestions", "one row of k ids per target"):
        top_k_accuracy(np.array([1, 2]), np.array([1, 2]))
    with clear_error("targets", "empty", "at least one true id"):
        top_k_accuracy(np.zeros((0, 3)), np.zeros(0))


def test_bigram_suggestions_follow_counts_and_top_up():
    # 1 is followed by 2 (twice) and 3 (once); 3 only by 1; 4 never appears before anything
    ids = np.array([1, 2, 1, 2, 1, 3, 1, 0, 1])
    table = bigram_suggestions(ids, vocab_size=5, k=2)
    assert table.shape == (5, 2)
    assert table[1].tolist() == [2, 3]          # the unknown id 0 is never suggested
    assert table[3].tolist() == [1, 2]          # 1, topped up with the most frequent other token
    assert table[4].tolist() == [1, 2]          # unseen: the most frequent tokens
    assert all(len(set(row)) == 2 for row in table.tolist())
    assert bigram_suggestions(ids, 5, k=1, exclude=())[0].tolist() == [1]  # after <unk> came 1
    with clear_error("only 4 ids", "smaller k"):
        bigram_suggestions(ids, 5, k=5)
    with clear_error("ids", "at least two tokens"):
        bigram_suggestions([1], 5)
    with clear_error("k must be", ">= 1"):
        bigram_suggestions(ids, 5, k=0)


def test_temperature_sharpens_and_flattens():
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    assert apply_temperature(logits, 1.0) == pytest.approx([0.5, 0.3, 0.2])
    cold, hot = apply_temperature(logits, 0.25), apply_temperature(logits, 10.0)
    assert cold[0] > 0.5 and hot[0] < 0.5 and hot[0] - hot[2] < 0.1
    assert apply_temperature(np.zeros((2, 4)), 0.5) == pytest.approx(np.full((2, 4), 0.25))
    for bad in (0, -1.0, float("inf"), True, "1"):
        with clear_error("temperature", "> 0"):
            apply_temperature(logits, bad)
    with clear_error("logits must be finite", "(..., V)"):
        apply_temperature(np.array([np.nan, 0.0]), 1.0)


def test_sampling_is_reproducible_and_follows_the_distribution():
    logits = np.log(np.array([0.7, 0.2, 0.1]))
    draws = [sample_with_temperature(logits, 1.0, np.random.default_rng(3)) for _ in range(3)]
    assert len(set(draws)) == 1  # same seed, same draw
    rng = np.random.default_rng(0)
    counts = np.bincount([sample_with_temperature(logits, 1.0, rng) for _ in range(4000)], minlength=3)
    assert counts / 4000 == pytest.approx([0.7, 0.2, 0.1], abs=0.03)
    cold = [sample_with_temperature(logits, 0.05, rng) for _ in range(200)]
    assert set(cold) == {0}
    with clear_error("rng", "np.random.default_rng(42)"):
        sample_with_temperature(logits, 1.0, 42)
    with clear_error("(V,)", "got (2, 3)"):
        sample_with_temperature(np.zeros((2, 3)), 1.0, rng)


def test_suggest_next_reads_the_last_step_and_skips_unknown():
    vocabulary = Vocabulary.from_tokens(["to", "be", "or", "not", "to", "be"])  # <unk>, be, to, not, or

    def sequence_model(ids):  # favours <unk>, then "be", "or", "not" at every step
        scores = np.array([9.0, 5.0, 1.0, 2.0, 3.0])
        return np.tile(scores, (ids.shape[0], ids.shape[1], 1))

    assert suggest_next(sequence_model, vocabulary, ["to"], k=3) == ["be", "or", "not"]
    assert suggest_next(lambda ids: sequence_model(ids)[:, -1], vocabulary, ["to", "zebra"], k=1) == ["be"]
    with clear_error("prefix is empty", "at least one word"):
        suggest_next(sequence_model, vocabulary, [])
    with clear_error("list of tokens", "tokenize_words"):
        suggest_next(sequence_model, vocabulary, "to be")
    with clear_error("shape (1, 1, 3)", "expected (1, n, 5)", "vocabulary the model was trained with"):
        suggest_next(lambda ids: np.zeros((1, 1, 3)), vocabulary, ["to"])
