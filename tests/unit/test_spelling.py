"""course_utils.spelling: edit distance, candidate look-up, synthetic typos, the channel and the corrector."""
import math

import numpy as np
import pytest

from course_utils.spelling import (CandidateTable, DeletionIndex, add_typos, candidate_table,
                                   channel_log_probability, correct_sentence, correct_words, correction_rates,
                                   edit_candidates, edit_distance, make_typo)
from course_utils.text import UNKNOWN, Vocabulary
from errors import clear_error

WORDS = "the lord from form my good sir the the lord from my lord fair far fear hear heart".split()
VOCABULARY = Vocabulary.from_tokens(WORDS)
INDEX = DeletionIndex.from_words(VOCABULARY.tokens[1:])


@pytest.mark.parametrize("a, b, distance", [
    ("kitten", "sitting", 3), ("form", "from", 1), ("lrod", "lord", 1), ("", "abc", 3), ("abc", "", 3),
    ("same", "same", 0), ("ca", "abc", 3), ("heart", "hear", 1), ("fear", "far", 1), ("ab", "ba", 1),
])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_candidates_are_exactly_the_words_within_the_distance():
    rng = np.random.default_rng(0)
    lexicon = sorted({"".join(rng.choice(list("abcde"), size=rng.integers(1, 6))) for _ in range(400)})
    index = DeletionIndex.from_words(lexicon)
    for _ in range(60):
        typed = "".join(rng.choice(list("abcdef"), size=rng.integers(1, 7)))
        for limit in (1, 2):
            brute = {w: edit_distance(typed, w) for w in lexicon if edit_distance(typed, w) <= limit}
            assert edit_candidates(typed, index, limit) == brute


def test_candidates_come_by_distance_then_frequency():
    found = edit_candidates("fir", INDEX)
    assert list(found.items())[:3] == [("fair", 1), ("far", 1), ("sir", 1)]  # each seen once: alphabetical
    assert found["fear"] == 2
    assert list(found.values()) == sorted(found.values())
    assert edit_candidates("lord", INDEX)["lord"] == 0
    assert edit_candidates("zzzzzz", INDEX) == {}


def test_candidate_table_lists_every_candidate_of_every_position():
    table = candidate_table(["lrod", "qqqqqq", "lrod", "form"], VOCABULARY, INDEX)
    assert isinstance(table, CandidateTable)
    for i in (0, 2):
        rows = table.position == i
        assert dict(zip(VOCABULARY.decode(table.word[rows]), table.distance[rows].tolist())) == edit_candidates("lrod", INDEX)
    assert 1 not in table.position
    assert ("form", 0) in zip(VOCABULARY.decode(table.word[table.position == 3]), table.distance[table.position == 3])


@pytest.mark.parametrize("n_edits", [1, 2, 3])
def test_make_typo_is_exactly_n_edits_away_and_seeded(n_edits):
    rng = np.random.default_rng(n_edits)
    for word in ("a", "to", "lord", "gentleman"):
        for _ in range(20):
            assert edit_distance(word, make_typo(word, rng, n_edits)) == n_edits
    assert make_typo("gentleman", np.random.default_rng(7), n_edits) == make_typo("gentleman", np.random.default_rng(7), n_edits)


def test_add_typos_mistypes_the_chosen_share_of_eligible_words_only():
    words = ["lord", "good", "sir", "my"] * 2_500
    eligible = np.arange(len(words)) % 2 == 0
    typed, mistyped = add_typos(words, 0.2, np.random.default_rng(0), two_edit_share=0.25, eligible=eligible)
    assert not mistyped[~eligible].any()
    assert mistyped[eligible].mean() == pytest.approx(0.2, abs=0.02)
    distances = np.array([edit_distance(t, w) for t, w in zip(typed, words)])
    assert (distances[~mistyped] == 0).all() and set(distances[mistyped]) == {1, 2}
    assert np.mean(distances[mistyped] == 2) == pytest.approx(0.25, abs=0.04)
    again, _ = add_typos(words, 0.2, np.random.default_rng(0), two_edit_share=0.25, eligible=eligible)
    assert again == typed


def test_channel_prefers_no_slip_to_one_and_one_to_two():
    log_p = channel_log_probability(np.array([0, 1, 2]), 4)
    assert log_p[0] > log_p[1] > log_p[2]
    assert log_p[0] == pytest.approx(math.log(0.9))
    m = 2 * 26 * 4 + 26 + 4 - 1
    assert log_p[1] == pytest.approx(math.log(0.1 * 0.8 / m))
    assert log_p[2] == pytest.approx(math.log(0.1 * 0.2 / (m * m / 2)))
    # a longer word has more possible slips, so each one is less likely
    assert channel_log_probability(1, 9) < channel_log_probability(1, 3)
    # lowering the typo rate makes a change of a known word costlier
    gap = lambda rate: channel_log_probability(0, 4, rate) - channel_log_probability(1, 4, rate)  # noqa: E731
    assert gap(0.01) > gap(0.1)


def test_the_language_model_decides_between_candidates_at_the_same_distance():
    typed = ["frm"]  # 'form' and 'from' are both one slip (an inserted 'o') away
    table = candidate_table(typed, VOCABULARY, INDEX)
    words = VOCABULARY.decode(table.word)
    channel = channel_log_probability(table.distance, np.array([len(w) for w in words]))
    prefer = lambda favourite: np.log(np.where(np.array(words) == favourite, 0.5, 0.01))  # noqa: E731
    assert correct_words(typed, table, channel + prefer("form"), VOCABULARY) == ["form"]
    assert correct_words(typed, table, channel + prefer("from"), VOCABULARY) == ["from"]


def test_a_known_word_is_only_changed_when_the_context_strongly_prefers_a_neighbour():
    typed = ["form", "zzzzzz"]
    table = candidate_table(typed, VOCABULARY, INDEX)
    words = np.array(VOCABULARY.decode(table.word))
    channel = channel_log_probability(table.distance, np.char.str_len(words))
    mild = np.log(np.where(words == "from", 0.2, 0.05))  # 'from' 4 x likelier: not enough for a slip
    assert correct_words(typed, table, channel + mild, VOCABULARY) == ["form", "zzzzzz"]
    strong = np.log(np.where(words == "from", 0.9, 1e-6))
    assert correct_words(typed, table, channel + strong, VOCABULARY) == ["from", "zzzzzz"]


def test_correct_sentence_reads_the_corrected_words_before_each_word():
    seen = []

    def model(before):
        seen.append(VOCABULARY.decode(before))
        log_p = np.full(VOCABULARY.size, math.log(1e-4))
        favourite = "lord" if before.size and VOCABULARY.tokens[before[-1]] == "my" else "the"
        log_p[VOCABULARY.encode([favourite])[0]] = math.log(0.5)
        return log_p

    assert correct_sentence(["my", "lrd", "hte"], VOCABULARY, INDEX, model) == ["my", "lord", "the"]
    assert seen == [[], ["my"], ["my", "lord"]]


def test_the_table_corrector_and_the_sentence_corrector_agree():
    rng = np.random.default_rng(3)
    log_p = np.log(rng.dirichlet(np.ones(VOCABULARY.size)))
    typed, _ = add_typos(WORDS, 0.5, rng)
    table = candidate_table(typed, VOCABULARY, INDEX)
    words = VOCABULARY.decode(table.word)
    scores = channel_log_probability(table.distance, np.array([len(w) for w in words])) + log_p[table.word]
    assert correct_words(typed, table, scores, VOCABULARY) == correct_sentence(typed, VOCABULARY, INDEX,
                                                                                lambda before: log_p)


def test_correction_rates():
    true = ["my", "lord", "the", "good", "sir"]
    typed = ["my", "lrod", "teh", "good", "sir"]
    corrected = ["my", "lord", "tea", "food", "sir"]
    rates = correction_rates(true, typed, corrected)
    assert rates == {"accuracy on typos": 0.5, "false-correction rate": pytest.approx(1 / 3),
                     "words wrong after correction": 0.4, "typos": 2, "clean words": 3}
    assert math.isnan(correction_rates(["a"], ["a"], ["a"])["accuracy on typos"])


def test_spelling_errors():
    with clear_error("a must be a string"):
        edit_distance(3, "abc")
    with clear_error("words is empty", "tokens[1:]"):
        DeletionIndex.from_words([])
    with clear_error("'<unk>'", "tokens[1:]"):
        DeletionIndex.from_words(VOCABULARY.tokens)
    with clear_error("max_distance=5 is too large", "1 or 2"):
        DeletionIndex.from_words(["a"], max_distance=5)
    with clear_error("max_distance=2", "built for 1", "rebuild"):
        edit_candidates("lord", DeletionIndex.from_words(["lord"], max_distance=1), 2)
    with clear_error("index must be a DeletionIndex", "from_words"):
        edit_candidates("lord", ["lord"])
    with clear_error("typed must be a non-empty string", "tokenize_words"):
        edit_candidates("", INDEX)
    with clear_error("does not know", "same vocabulary"):
        candidate_table(["lord"], Vocabulary.from_tokens(["sir"]), INDEX)
    with clear_error("n_edits must be 1, 2 or 3"):
        make_typo("lord", np.random.default_rng(0), 4)
    with clear_error("rng must be a numpy Generator"):
        make_typo("lord", 0)
    with clear_error("rate must be a share between 0 and 1"):
        add_typos(["lord"], 1.5, np.random.default_rng(0))
    with clear_error("eligible must be a boolean mask", "shape (2,)"):
        add_typos(["my", "lord"], 0.1, np.random.default_rng(0), eligible=[1, 0])
    with clear_error("distance must hold edit distances 0, 1 or 2", "max_distance=2"):
        channel_log_probability(3, 4)
    with clear_error("typo_rate must be a share strictly between 0 and 1"):
        channel_log_probability(0, 4, typo_rate=0)
    table = candidate_table(["lrod"], VOCABULARY, INDEX)
    with clear_error("one score per (position, candidate) row"):
        correct_words(["lrod"], table, np.zeros(len(table.word) + 1), VOCABULARY)
    with clear_error("NaN or +inf", "log-probabilities"):
        correct_words(["lrod"], table, np.full(len(table.word), np.nan), VOCABULARY)
    with clear_error("expected (", "one log-probability per word"):
        correct_sentence(["lrod"], VOCABULARY, INDEX, lambda before: np.zeros(3))
    with clear_error("same length", "got 2, 1 and 1"):
        correction_rates(["a", "b"], ["a"], ["a"])
    assert UNKNOWN not in INDEX.words
