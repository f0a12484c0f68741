"""A noisy-channel spelling corrector: candidates within a few edits, ranked by a language model.

A typed word ``x`` is corrected to the word ``w`` of a lexicon that maximises

    ln P(x | w)  +  ln P(w | the words before it)
    channel model   language model

The **channel** says how likely it is to type ``x`` when meaning ``w`` (here: by edit
distance, so one slip is far likelier than two); the **language model** says how likely ``w``
is at this point of the sentence (word frequency, a bigram, or an LSTM). ``w = x`` is a
candidate too whenever ``x`` is a known word, so a correct word is only changed when the
context makes a neighbour far more likely::

    index = DeletionIndex.from_words(vocabulary.tokens[1:])           # the lexicon, once
    edit_candidates("lrod", index)                                      # {'lord': 1, 'load': 2, ...}
    table = candidate_table(typed_words, vocabulary, index)             # every (position, candidate)
    score = channel_log_probability(table.distance, lengths) + lm_log_p  # one score per row
    corrected = correct_words(typed_words, table, score, vocabulary)
    correction_rates(true_words, typed_words, corrected)

:func:`add_typos` makes seeded synthetic typos to test a corrector with;
:func:`correct_sentence` corrects a sentence left to right with any next-word model.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ._validate import count
from .text import UNKNOWN, Vocabulary

__all__ = [
    "LETTERS",
    "edit_distance",
    "DeletionIndex",
    "edit_candidates",
    "CandidateTable",
    "candidate_table",
    "make_typo",
    "add_typos",
    "channel_log_probability",
    "correct_words",
    "correct_sentence",
    "correction_rates",
]

#: The letters synthetic typos insert and substitute (the words of ``tokenize_words`` are lower case).
LETTERS = string.ascii_lowercase


def _word(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string (one word); got {value!r}. Split text into words "
                         "with course_utils.text.tokenize_words first.")
    return value


def _distance_limit(value: Any) -> int:
    limit = count(value, "max_distance")
    if limit > 3:
        raise ValueError(f"max_distance={limit} is too large: candidates 4 or more edits away are rarely what was "
                         "meant and there are very many of them. Use 1 or 2.")
    return limit


def edit_distance(a: str, b: str) -> int:
    """The fewest single-letter edits that turn ``a`` into ``b``.

    An edit deletes, inserts or substitutes one letter, or swaps two adjacent letters
    (the optimal string alignment distance, a restricted Damerau-Levenshtein distance):
    ``edit_distance("form", "from") == 1``, ``edit_distance("kitten", "sitting") == 3``.

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is not a string.
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string; got {type(value).__name__}.")
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@dataclass(frozen=True)
class DeletionIndex:
    """A lexicon indexed for fast look-up of the words within a few edits of a typed word.

    Two words are at most ``d`` edits apart only if deleting at most ``d`` letters from each
    can make them equal (the "symmetric delete" idea), so every word is filed under all its
    deletions once; a look-up then needs only the typed word's deletions, not the hundreds of
    thousands of strings two edits away. Build it with :meth:`from_words`.

    Attributes
    ----------
    words
        The lexicon, in the order given.
    max_distance
        The largest edit distance :func:`edit_candidates` can look up.
    """

    words: tuple[str, ...]
    max_distance: int
    _by_deletion: dict[str, tuple[str, ...]] = field(repr=False, compare=False)

    @classmethod
    def from_words(cls, words: Iterable[str], max_distance: int = 2) -> "DeletionIndex":
        """Index ``words`` (e.g. ``vocabulary.tokens[1:]``, the vocabulary without ``<unk>``).

        Raises
        ------
        ValueError
            If there are no words, one is not a non-empty string or is the unknown token, or
            ``max_distance`` is not 1, 2 or 3.
        """
        max_distance = _distance_limit(max_distance)
        if isinstance(words, str):
            raise ValueError("words must be a list of words, not one string: pass e.g. vocabulary.tokens[1:].")
        lexicon = tuple(dict.fromkeys(words))
        if not lexicon:
            raise ValueError("words is empty: build the lexicon from the training vocabulary, vocabulary.tokens[1:].")
        for word in lexicon:
            _word(word, "every word of the lexicon")
        if UNKNOWN in lexicon:
            raise ValueError(f"the lexicon holds {UNKNOWN!r}, which is no word anyone types: pass "
                             "vocabulary.tokens[1:] (without id 0).")
        by_deletion: dict[str, list[str]] = {}
        for word in lexicon:
            for key in _deletions(word, max_distance):
                by_deletion.setdefault(key, []).append(word)
        return cls(lexicon, max_distance, {key: tuple(found) for key, found in by_deletion.items()})


def edit_candidates(typed: str, index: DeletionIndex, max_distance: int = 2) -> dict[str, int]:
    """Words of the lexicon within ``max_distance`` edits of ``typed``, with their distance.

    ``typed`` itself is a candidate (distance 0) when it is in the lexicon.

    Returns
    -------
    dict
        ``{word: distance}``, by distance and then in lexicon order (most frequent first for a
        :class:`~course_utils.text.Vocabulary`).

    Raises
    ------
    ValueError
        If ``typed`` is not a non-empty string, ``index`` is not a :class:`DeletionIndex`, or
        ``max_distance`` exceeds the index's.
    """
    _word(typed, "typed")
    if not isinstance(index, DeletionIndex):
        raise ValueError(f"index must be a DeletionIndex; got {type(index).__name__}. Build it once with "
                         "DeletionIndex.from_words(vocabulary.tokens[1:]).")
    max_distance = _distance_limit(max_distance)
    if max_distance > index.max_distance:
        raise ValueError(f"max_distance={max_distance} but the index was built for {index.max_distance}: rebuild it "
                         f"with DeletionIndex.from_words(words, max_distance={max_distance}).")
    seen = {word for key in _deletions(typed, max_distance) for word in index._by_deletion.get(key, ())}
    found = {word: edit_distance(typed, word) for word in seen}
    rank = {word: i for i, word in enumerate(index.words)}
    return {word: d for word, d in sorted(found.items(), key=lambda item: (item[1], rank[item[0]]))
            if d <= max_distance}


@dataclass(frozen=True)
class CandidateTable:
    """Every (typed position, candidate word) pair, one row each, for vectorised scoring.

    Attributes
    ----------
    position
        ``(M,)`` int64: index of the typed word the row is a candidate for.
    word
        ``(M,)`` int64: the candidate's id in the vocabulary.
    distance
        ``(M,)`` int64: its edit distance from the typed word (0 = the typed word itself).
    """

    position: np.ndarray
    word: np.ndarray
    distance: np.ndarray


def _words(values: Any, name: str) -> list[str]:
    if isinstance(values, str):
        raise ValueError(f"{name} must be a list of words, not one string: split it with tokenize_words first.")
    words = list(values)
    for word in words:
        _word(word, f"every entry of {name}")
    return words


def candidate_table(typed_words: Sequence[str], vocabulary: Vocabulary, index: DeletionIndex,
                    max_distance: int = 2) -> CandidateTable:
    """The candidates of every typed word, as one long table (see :class:`CandidateTable`).

    Score row ``r`` as the channel for ``distance[r]`` plus the language model's
    log-probability of ``word[r]`` at ``position[r]``, then pick with :func:`correct_words`.
    A typed word with no candidate has no row (it is left as typed).

    Raises
    ------
    ValueError
        If ``typed_words`` is not a list of non-empty strings, or as :func:`edit_candidates`.
    """
    typed_words = _words(typed_words, "typed_words")
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"vocabulary must be a course_utils.text.Vocabulary; got {type(vocabulary).__name__}.")
    cache: dict[str, tuple[list[int], list[int]]] = {}
    position, word, distance = [], [], []
    for i, typed in enumerate(typed_words):
        if typed not in cache:
            found = edit_candidates(typed, index, max_distance)
            ids = vocabulary.encode(list(found)).tolist()
            missing = [w for w, k in zip(found, ids) if k == 0]
            if missing:
                raise ValueError(f"the index holds words the vocabulary does not know, e.g. {missing[0]!r}: build "
                                 "the index from the same vocabulary, DeletionIndex.from_words(vocabulary.tokens[1:]).")
            cache[typed] = (ids, list(found.values()))
        ids, distances = cache[typed]
        position += [i] * len(ids)
        word += ids
        distance += distances
    as_array = lambda values: np.asarray(values, dtype=np.int64)  # noqa: E731
    return CandidateTable(as_array(position), as_array(word), as_array(distance))


def make_typo(word: str, rng: np.random.Generator, n_edits: int = 1, alphabet: str = LETTERS) -> str:
    """``word`` with exactly ``n_edits`` random slips: a letter deleted, inserted, substituted, or two swapped.

    Each slip is one of the four kinds, chosen with equal chance among those possible, at a
    random place; the result is drawn again until it lies exactly ``n_edits`` edits from
    ``word`` (two slips can undo each other).

    Raises
    ------
    ValueError
        If ``word`` is not a non-empty string, ``n_edits`` is not 1, 2 or 3, ``rng`` is not a
        numpy Generator, or no such typo is found (an alphabet of one letter, say).
    """
    _word(word, "word")
    n_edits = count(n_edits, "n_edits")
    if n_edits > 3:
        raise ValueError(f"n_edits must be 1, 2 or 3; got {n_edits}: a word with more slips is rarely recognisable.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. np.random.default_rng(0), so that the typos can "
                         "be reproduced.")
    if not isinstance(alphabet, str) or len(set(alphabet)) < 2:
        raise ValueError(f"alphabet must be a string of at least two different letters; got {alphabet!r}.")
    for _ in range(100):
        typo = word
        for _ in range(n_edits):
            kinds = ["insert", "substitute"] + (["delete", "swap"] if len(typo) > 1 else [])
            kind, i = kinds[rng.integers(len(kinds))], int(rng.integers(len(typo)))
            letter = alphabet[rng.integers(len(alphabet))]
            if kind == "delete":
                typo = typo[:i] + typo[i + 1:]
            elif kind == "insert":
                i = int(rng.integers(len(typo) + 1))
                typo = typo[:i] + letter + typo[i:]
            elif kind == "substitute":
                typo = typo[:i] + letter + typo[i + 1:]
            else:
                i = min(i, len(typo) - 2)
                typo = typo[:i] + typo[i + 1] + typo[i] + typo[i + 2:]
        if edit_distance(word, typo) == n_edits:
            return typo
    raise ValueError(f"no typo {n_edits} edit(s) away from {word!r} was found with the alphabet {alphabet!r}; "
                     "use more letters.")


def add_typos(words: Sequence[str], rate: float, rng: np.random.Generator, *, two_edit_share: float = 0.2,
              eligible: Any = None) -> tuple[list[str], np.ndarray]:
    """Mistype a random share of ``words``: each chosen word gets one slip, or two with chance ``two_edit_share``.

    Parameters
    ----------
    words
        The true words.
    rate
        Chance that an eligible word is mistyped, in ``[0, 1]``.
    rng
        A seeded ``numpy.random.Generator``: the same seed gives the same typos.
    two_edit_share
        Chance that a mistyped word gets two slips instead of one, in ``[0, 1]``.
    eligible
        Boolean mask ``(len(words),)`` of the words that may be mistyped (default: all).

    Returns
    -------
    typed, mistyped
        The words as typed, and the boolean mask of the positions that got a typo.

    Raises
    ------
    ValueError
        If ``words`` is not a list of words, a share is outside ``[0, 1]``, or ``eligible``
        is not one boolean per word.
    """
    words = _words(words, "words")
    for name, value in (("rate", rate), ("two_edit_share", two_edit_share)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a share between 0 and 1 (e.g. 0.1); got {value!r}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. np.random.default_rng(0).")
    allowed = np.ones(len(words), dtype=bool) if eligible is None else np.asarray(eligible)
    if allowed.dtype != bool or allowed.shape != (len(words),):
        raise ValueError(f"eligible must be a boolean mask with one entry per word, shape ({len(words)},); got "
                         f"dtype {allowed.dtype} and shape {allowed.shape}.")
    mistyped = allowed & (rng.random(len(words)) < rate)
    typed = list(words)
    for i in np.flatnonzero(mistyped):
        typed[i] = make_typo(words[i], rng, 2 if rng.random() < two_edit_share else 1)
    return typed, mistyped


def channel_log_probability(distance: Any, word_length: Any, typo_rate: float = 0.1,
                            two_edit_share: float = 0.2, alphabet_size: int = 26) -> np.ndarray:
    """``ln P(typed | meant)`` of a simple channel that knows only the edit distance.

    A word is typed right with probability ``1 - typo_rate``. A mistyped word got one slip
    (share ``1 - two_edit_share``) or two; the slips of a word of length ``L`` are spread
    evenly over its ``m = 2 * a * L + a + L - 1`` single edits (``a`` letters: ``L``
    deletions, ``L - 1`` swaps, ``(a - 1) * L`` substitutions, ``a * (L + 1)`` insertions), and over
    ``m ** 2 / 2`` double edits::

        distance 0: ln(1 - typo_rate)
        distance 1: ln(typo_rate * (1 - two_edit_share) / m)
        distance 2: ln(typo_rate * two_edit_share / (m ** 2 / 2))

    so one slip is far more likely than two, and typing the word right more likely than
    either. ``typo_rate`` sets how readily a known word is changed: lower it and fewer
    correct words are "corrected" (and fewer real-word typos fixed).

    Parameters
    ----------
    distance
        Edit distances, 0, 1 or 2, any shape.
    word_length
        Length of the candidate (meant) word, broadcastable to ``distance``.
    typo_rate, two_edit_share
        Shares strictly between 0 and 1.
    alphabet_size
        Number of letters a slip can insert or substitute.

    Returns
    -------
    numpy.ndarray
        float64 log-probabilities of the shape of ``distance``.

    Raises
    ------
    ValueError
        If a distance is not 0, 1 or 2, a length is below 1, or a share is not strictly
        between 0 and 1.
    """
    for name, value in (("typo_rate", typo_rate), ("two_edit_share", two_edit_share)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"{name} must be a share strictly between 0 and 1 (e.g. 0.1); got {value!r}.")
    alphabet_size = count(alphabet_size, "alphabet_size")
    d = np.asarray(distance)
    if d.size and (not np.issubdtype(d.dtype, np.integer) or d.min() < 0 or d.max() > 2):
        raise ValueError("distance must hold edit distances 0, 1 or 2 (the channel has no probability for more): "
                         "look candidates up with max_distance=2 or less.")
    length = np.asarray(word_length)
    if length.size and (not np.issubdtype(length.dtype, np.integer) or length.min() < 1):
        raise ValueError("word_length must hold word lengths, integers >= 1.")
    d, length = np.broadcast_arrays(d, length)
    m = 2.0 * alphabet_size * length + alphabet_size + length - 1   # single edits of a word of this length
    one = math.log(typo_rate * (1 - two_edit_share)) - np.log(m)
    two = math.log(typo_rate * two_edit_share) - (2 * np.log(m) - math.log(2))
    return np.where(d == 0, math.log(1 - typo_rate), np.where(d == 1, one, two)).astype(np.float64)


def correct_words(typed_words: Sequence[str], table: CandidateTable, scores: Any,
                  vocabulary: Vocabulary) -> list[str]:
    """Replace every typed word by its best-scoring candidate; a word without candidates stays as typed.

    Parameters
    ----------
    typed_words
        The words as typed, the positions of ``table``.
    table
        Their candidates, from :func:`candidate_table`.
    scores
        ``(M,)`` one score per row of ``table`` (channel + language model log-probabilities).
        Ties go to the earlier row (the smaller distance, then the more frequent word).
    vocabulary
        The vocabulary the candidate ids refer to.

    Raises
    ------
    ValueError
        If ``scores`` does not have one finite value (or -inf) per row of the table, or the
        table does not fit the typed words.
    """
    typed_words = _words(typed_words, "typed_words")
    values = np.asarray(scores, dtype=np.float64)
    if values.shape != table.position.shape:
        raise ValueError(f"scores has shape {values.shape} but the table has {len(table.position)} rows: give one "
                         "score per (position, candidate) row, e.g. channel + lm_log_p[table.position, table.word].")
    if np.isnan(values).any() or np.isposinf(values).any():
        raise ValueError("scores contain NaN or +inf: add log-probabilities (<= 0), not probabilities or ratios.")
    if table.position.size and table.position.max() >= len(typed_words):
        raise ValueError(f"the table refers to position {table.position.max()} but only {len(typed_words)} words "
                         "were typed: build the table from the same typed_words.")
    order = np.lexsort((np.arange(len(values)), -values, table.position))  # by position, best score first
    positions, first = np.unique(table.position[order], return_index=True)
    corrected = list(typed_words)
    for i, row in zip(positions.tolist(), order[first].tolist()):
        corrected[i] = vocabulary.tokens[int(table.word[row])]
    return corrected


def correct_sentence(typed_words: Sequence[str], vocabulary: Vocabulary, index: DeletionIndex,
                     next_log_probabilities: Callable[[np.ndarray], Any], *, typo_rate: float = 0.1,
                     two_edit_share: float = 0.2, max_distance: int = 2) -> list[str]:
    """Correct a sentence word by word, left to right, each word in the context of the corrected ones before it.

    Parameters
    ----------
    typed_words
        The sentence as typed, e.g. ``tokenize_words("my lrod, i pray yuo")``.
    vocabulary, index
        The language model's vocabulary and the lexicon built from it.
    next_log_probabilities
        The language model: the ids of the words before, shape ``(t,)`` (``t`` may be 0), ->
        log-probabilities of the next word, shape ``(V,)``.
    typo_rate, two_edit_share
        The channel's settings (see :func:`channel_log_probability`).
    max_distance
        Largest edit distance of a candidate.

    Raises
    ------
    ValueError
        If the model does not return ``vocabulary.size`` log-probabilities, or as
        :func:`edit_candidates`.
    """
    corrected: list[str] = []
    for typed in _words(typed_words, "typed_words"):
        found = edit_candidates(typed, index, max_distance)
        if found:
            log_p = np.asarray(next_log_probabilities(vocabulary.encode(corrected)), dtype=np.float64)
            if log_p.shape != (vocabulary.size,):
                raise ValueError(f"next_log_probabilities returned shape {log_p.shape}; expected ({vocabulary.size},), "
                                 "one log-probability per word of the vocabulary.")
            words = list(found)
            channel = channel_log_probability(np.array(list(found.values())), np.array([len(w) for w in words]),
                                              typo_rate, two_edit_share)
            scores = channel + log_p[vocabulary.encode(words)]
            typed = words[int(np.argmax(scores))]
        corrected.append(typed)
    return corrected


def correction_rates(true_words: Sequence[str], typed_words: Sequence[str],
                     corrected_words: Sequence[str]) -> dict[str, float]:
    """How well a corrector did: fixed typos, and correct words it broke.

    Returns
    -------
    dict
        ``"accuracy on typos"``: share of mistyped words (typed != true) whose correction is
        the true word; ``"false-correction rate"``: share of correctly typed words that the
        corrector changed; ``"words wrong after correction"``: share of all words that differ
        from the true word after correction; ``"typos"`` and ``"clean words"``: their
        counts. A share over no words is NaN.

    Raises
    ------
    ValueError
        If the three lists differ in length or are empty.
    """
    true, typed, corrected = (_words(w, n) for w, n in ((true_words, "true_words"), (typed_words, "typed_words"),
                                                        (corrected_words, "corrected_words")))
    if not true or not len(true) == len(typed) == len(corrected):
        raise ValueError(f"true_words, typed_words and corrected_words must be non-empty and of the same length "
                         f"(one entry per word); got {len(true)}, {len(typed)} and {len(corrected)}.")
    true_a, typed_a, corrected_a = (np.array(w, dtype=object) for w in (true, typed, corrected))
    typo, right = typed_a != true_a, corrected_a == true_a
    share = lambda mask: float(np.mean(mask)) if mask.size else float("nan")  # noqa: E731
    return {"accuracy on typos": share(right[typo]), "false-correction rate": share(~right[~typo]),
            "words wrong after correction": share(~right), "typos": int(typo.sum()), "clean words": int((~typo).sum())}
