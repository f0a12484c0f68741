"""Getting tokens out of a next-token model: greedy, sampling, top-k, beam search, and their scores.

A language model gives, after a prefix of token ids, one score (logit) per token of the
vocabulary for the next position. *Which* token to emit is a separate choice, the decoding
rule, and this module holds four of them::

    next_scores = lambda ids: model(ids)                # (B, t) ids -> (B, V) or (B, t, V) scores
    greedy = greedy_decode(next_scores, prompts, n_new=20)
    sampled = sample_decode(next_scores, prompts, 20, rng, temperature=0.7)
    top = sample_decode(next_scores, prompts, 20, rng, top_k=10)
    beams = beam_search(next_scores, prompts, 20, width=5)
    beams.ids, beams.log_probability                    # (B, 20) ids, (B,) ln P(ids | prompt)

and ways to judge what they wrote: :func:`sequence_log_probability` (how probable the model
finds a continuation), :func:`repetition_rate` (share of repeated n-grams),
:func:`known_token_share` (share of tokens that are not the unknown token) and
:func:`perplexity` (``2 ** bits per token`` on held-out text).

A "model" here is any callable that maps a batch of prefixes, int ids of shape ``(B, t)``, to
scores of shape ``(B, V)`` for the next token, or ``(B, t, V)`` (a Keras model with
``return_sequences=True``), of which the last step is used. Scores may be logits or
log-probabilities (the softmax of a log-probability is the probability itself). Nothing here
imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ._validate import count
from .text import apply_temperature, bits_per_token
from .text import top_k as top_k_ids

__all__ = [
    "Decoded",
    "greedy_decode",
    "sample_decode",
    "beam_search",
    "sequence_log_probability",
    "repetition_rate",
    "known_token_share",
    "perplexity",
]

#: What a decoder calls: prefixes ``(B, t)`` of int ids -> next-token scores ``(B, V)`` or ``(B, t, V)``.
NextScores = Callable[[np.ndarray], Any]


@dataclass(frozen=True)
class Decoded:
    """What a decoder returns.

    Attributes
    ----------
    ids
        The new token ids, shape ``(B, n_new)`` (``(n_new,)`` for a single 1-D prompt).
    log_probability
        Natural log of the probability the model gives to those ids after the prompt, under
        its own distribution (temperature 1, nothing excluded), shape ``(B,)`` (a float for a
        single prompt). Higher is more probable; ``-log_probability / (n_new * ln 2)`` is the
        model's bits per generated token.
    """

    ids: np.ndarray
    log_probability: Any


def _prompts(prompts: Any) -> tuple[np.ndarray, bool]:
    """Prompts as an ``(B, t)`` int64 array, and whether a single 1-D prompt was given."""
    array = np.asarray(prompts)
    if array.size == 0 or array.ndim not in (1, 2):
        raise ValueError(f"prompts must be token ids of shape (t,) or (B, t) with t >= 1; got shape "
                         f"{array.shape}. Encode the prompt with Vocabulary.encode (one word at least).")
    if not np.issubdtype(array.dtype, np.integer) or array.min() < 0:
        raise ValueError(f"prompts must hold token ids, integers >= 0 (dtype {array.dtype} given): "
                         "encode the text with Vocabulary.encode first.")
    single = array.ndim == 1
    return (array[None, :] if single else array).astype(np.int64), single


def _next_scores(next_scores: NextScores, ids: np.ndarray) -> np.ndarray:
    """Call the model on prefixes ``(B, t)`` and return checked scores ``(B, V)`` as float64."""
    if not callable(next_scores):
        raise ValueError(f"next_scores must be a callable that maps ids (B, t) to scores (B, V); got "
                         f"{type(next_scores).__name__}. Pass e.g. lambda ids: model(ids) for a Keras model.")
    scores = np.asarray(next_scores(ids), dtype=np.float64)
    if scores.ndim == 3 and scores.shape[:2] == ids.shape:
        scores = scores[:, -1]
    if scores.ndim != 2 or scores.shape[0] != ids.shape[0] or scores.shape[1] < 1:
        raise ValueError(
            f"next_scores returned shape {scores.shape} for prefixes of shape {ids.shape}; a decoder needs "
            f"one row of scores over the vocabulary per prefix, ({ids.shape[0]}, V), or ({ids.shape[0]}, "
            f"{ids.shape[1]}, V) from a model with return_sequences=True."
        )
    if not np.isfinite(scores).all():
        raise ValueError("next_scores returned NaN or infinite scores: give finite logits or log-probabilities "
                         "(smooth a count-based model so that no probability is 0).")
    return scores


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _excluded(exclude: Sequence[int], size: int, needed: int, what: str) -> list[int]:
    """Check the excluded ids against a vocabulary of ``size`` and leave ``needed`` ids to choose from."""
    excluded = sorted({int(i) for i in exclude})
    outside = [i for i in excluded if not 0 <= i < size]
    if outside:
        raise ValueError(f"exclude holds ids outside 0 .. {size - 1}: {outside}. Give ids of the model's "
                         "vocabulary, e.g. exclude=[0] for the unknown token.")
    if size - len(excluded) < needed:
        raise ValueError(f"{what} needs at least {needed} id(s) to choose from, but the vocabulary has {size} "
                         f"and {len(excluded)} are excluded: use a smaller {what} or exclude fewer ids.")
    return excluded


def _result(new: np.ndarray, log_probability: np.ndarray, single: bool) -> Decoded:
    return Decoded(new[0] if single else new, float(log_probability[0]) if single else log_probability)


def greedy_decode(next_scores: NextScores, prompts: Any, n_new: int, exclude: Sequence[int] = ()) -> Decoded:
    """Emit the single most likely token at every step.

    Deterministic: the same prompt always gives the same text. Greedy decoding is sampling at
    a temperature that tends to 0, and beam search of width 1.

    Parameters
    ----------
    next_scores
        The model: ids ``(B, t)`` -> next-token scores ``(B, V)`` or ``(B, t, V)``.
    prompts
        Token ids of shape ``(t,)`` (one prompt) or ``(B, t)`` (a batch of prompts of equal length).
    n_new
        Number of tokens to emit.
    exclude
        Ids never emitted (e.g. ``[0]``, the unknown token).

    Returns
    -------
    Decoded
        The new ids and their log-probability under the model. Ties go to the smaller id.

    Raises
    ------
    ValueError
        If the prompts are not token ids, ``n_new`` is not a positive integer, the model's
        scores have the wrong shape or are not finite, or ``exclude`` leaves no id.
    """
    ids, single = _prompts(prompts)
    n_new = count(n_new, "n_new")
    start, rows, total = ids.shape[1], np.arange(len(ids)), np.zeros(len(ids))
    for _ in range(n_new):
        log_p = _log_softmax(_next_scores(next_scores, ids))
        chosen = top_k_ids(log_p, 1, exclude)[:, 0]
        total += log_p[rows, chosen]
        ids = np.concatenate([ids, chosen[:, None]], axis=1)
    return _result(ids[:, start:], total, single)


def sample_decode(next_scores: NextScores, prompts: Any, n_new: int, rng: np.random.Generator, *,
                  temperature: float = 1.0, top_k: int | None = None, exclude: Sequence[int] = ()) -> Decoded:
    """Draw every next token at random from the model's distribution, reshaped.

    At each step the scores ``z`` become ``softmax(z / temperature)`` (see
    :func:`course_utils.text.apply_temperature`); with ``top_k`` only the ``k`` most likely
    tokens keep their probability (renormalised), all others get 0. ``temperature=1`` and
    ``top_k=None`` is plain (ancestral) sampling from the model.

    Parameters
    ----------
    next_scores
        The model: ids ``(B, t)`` -> next-token scores ``(B, V)`` or ``(B, t, V)``.
    prompts
        Token ids of shape ``(t,)`` or ``(B, t)``.
    n_new
        Number of tokens to emit.
    rng
        A seeded ``numpy.random.Generator`` (``np.random.default_rng(seed)``): the same seed
        gives the same text.
    temperature
        A number > 0: below 1 sharpens the distribution, above 1 flattens it.
    top_k
        Sample among the ``k`` most likely tokens only (``None``: among all).
    exclude
        Ids never emitted (e.g. ``[0]``, the unknown token).

    Returns
    -------
    Decoded
        The new ids and their log-probability under the model's own distribution
        (temperature 1, nothing cut), so decoders can be compared on one scale.

    Raises
    ------
    ValueError
        If ``rng`` is not a numpy Generator, the temperature is not > 0, ``top_k`` is not a
        positive integer or exceeds the ids left after ``exclude``, or as :func:`greedy_decode`.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. np.random.default_rng(42), so that the "
                         "sampled text can be reproduced.")
    ids, single = _prompts(prompts)
    n_new = count(n_new, "n_new")
    if top_k is not None:
        top_k = count(top_k, "top_k")
    start, rows, total = ids.shape[1], np.arange(len(ids)), np.zeros(len(ids))
    for _ in range(n_new):
        scores = _next_scores(next_scores, ids)
        probabilities = apply_temperature(scores, temperature)
        if top_k is not None:
            keep = np.zeros(scores.shape, dtype=bool)
            keep[rows[:, None], top_k_ids(scores, top_k, exclude)] = True
            probabilities = np.where(keep, probabilities, 0.0)
        else:
            probabilities[:, _excluded(exclude, scores.shape[1], 1, "sampling")] = 0.0
        cumulative = np.cumsum(probabilities, axis=1)
        draws = rng.random(len(ids)) * cumulative[:, -1]          # inverse CDF, one draw per row
        chosen = (cumulative <= draws[:, None]).sum(axis=1)       # first id whose cumulative sum exceeds it
        total += _log_softmax(scores)[rows, chosen]
        ids = np.concatenate([ids, chosen[:, None]], axis=1)
    return _result(ids[:, start:], total, single)


def beam_search(next_scores: NextScores, prompts: Any, n_new: int, width: int,
                exclude: Sequence[int] = ()) -> Decoded:
    """Keep the ``width`` most probable continuations at every step; return the best one.

    Step by step, every kept continuation (beam) is extended by every token, each extension
    is scored by the sum of its log-probabilities, and the ``width`` best extensions over all
    beams are kept. Width 1 is greedy decoding; a larger width can find a continuation that
    greedy misses because its first token was not the most likely one. All continuations
    have ``n_new`` tokens, so no length normalisation is needed. Beam search is not exact:
    only a width of ``V ** (n_new - 1)`` or more is guaranteed to find the most probable
    continuation.

    Parameters
    ----------
    next_scores
        The model: ids ``(B, t)`` -> next-token scores ``(B, V)`` or ``(B, t, V)``; it is called
        on ``B * width`` prefixes at once.
    prompts
        Token ids of shape ``(t,)`` or ``(B, t)``.
    n_new
        Number of tokens to emit.
    width
        Number of beams kept. A width beyond the number of possible continuations keeps
        impossible beams (log-probability ``-inf``) that never win.
    exclude
        Ids never emitted.

    Returns
    -------
    Decoded
        The most probable beam per prompt and its log-probability (ties go to the smaller ids).

    Raises
    ------
    ValueError
        If ``width`` is not a positive integer, ``exclude`` leaves no id, or as
        :func:`greedy_decode`.
    """
    ids, single = _prompts(prompts)
    n_new, width = count(n_new, "n_new"), count(width, "width")
    n_prompts, start = ids.shape
    beams = np.repeat(ids[:, None, :], width, axis=1)               # (B, W, t)
    scores = np.full((n_prompts, width), -np.inf)
    scores[:, 0] = 0.0                                              # one live beam per prompt at first
    for _ in range(n_new):
        flat = beams.reshape(n_prompts * width, -1)
        log_p = _log_softmax(_next_scores(next_scores, flat)).reshape(n_prompts, width, -1)
        size = log_p.shape[-1]
        log_p[..., _excluded(exclude, size, 1, "beam search")] = -np.inf
        total = (scores[..., None] + log_p).reshape(n_prompts, width * size)
        best = np.argsort(-total, axis=1, kind="stable")[:, :width]   # (B, W) over all beams' extensions
        parent, token = best // size, best % size
        beams = np.concatenate([np.take_along_axis(beams, parent[..., None], axis=1), token[..., None]], axis=2)
        scores = np.take_along_axis(total, best, axis=1)
    return _result(beams[:, 0, start:], scores[:, 0], single)


def sequence_log_probability(next_scores: NextScores, prompts: Any, continuations: Any) -> Any:
    """Natural log of the probability the model gives to ``continuations`` after ``prompts``.

    ``ln P(c_1 .. c_n | prompt) = sum_j ln P(c_j | prompt, c_1 .. c_{j-1})``: the score beam
    search maximises. Divide by ``-(n * ln 2)`` for the model's bits per token of the
    continuation (lower is more probable).

    Parameters
    ----------
    next_scores
        The model: ids ``(B, t)`` -> next-token scores ``(B, V)`` or ``(B, t, V)``.
    prompts
        Token ids of shape ``(t,)`` or ``(B, t)``.
    continuations
        Token ids of shape ``(n,)`` or ``(B, n)``, one row per prompt.

    Returns
    -------
    float or numpy.ndarray
        A float for a single prompt, else shape ``(B,)``.

    Raises
    ------
    ValueError
        If prompts and continuations do not have one row each for the same prompts, a
        continuation id is outside the model's vocabulary, or as :func:`greedy_decode`.
    """
    ids, single = _prompts(prompts)
    new, single_new = _prompts(continuations)
    if single != single_new or len(new) != len(ids):
        raise ValueError(f"continuations has shape {np.shape(continuations)} but prompts {np.shape(prompts)}: "
                         "give one continuation per prompt, both 1-D or both 2-D with the same number of rows.")
    rows, total = np.arange(len(ids)), np.zeros(len(ids))
    for j in range(new.shape[1]):
        log_p = _log_softmax(_next_scores(next_scores, np.concatenate([ids, new[:, :j]], axis=1)))
        if new[:, j].max() >= log_p.shape[1]:
            raise ValueError(f"continuations hold ids up to {new.max()} but the model scores only {log_p.shape[1]} "
                             "ids: were they encoded with the model's vocabulary?")
        total += log_p[rows, new[:, j]]
    return float(total[0]) if single else total


def repetition_rate(tokens: Any, n: int = 2) -> float:
    """Share of the n-grams of a generated text that already occurred earlier in the same text.

    For ``a b a b a b`` and ``n=2`` the bigrams are ``ab ba ab ba ab``; the last three repeat
    an earlier one, so the rate is 3/5. A text that loops scores near 1, one without any
    repeated n-gram 0.

    Parameters
    ----------
    tokens
        One text, shape ``(T,)`` (ids or words), or one text per row, shape ``(B, T)``: the
        mean over the rows is returned.
    n
        Length of the n-grams (2: word pairs).

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer, or a text has fewer than ``n`` tokens.
    """
    n = count(n, "n")
    array = np.asarray(tokens)
    if array.ndim not in (1, 2):
        raise ValueError(f"tokens must be one text (T,) or one text per row (B, T); got shape {array.shape}.")
    texts = array[None, :] if array.ndim == 1 else array
    if texts.shape[1] < n:
        raise ValueError(f"a text of {texts.shape[1]} token(s) has no {n}-gram: generate at least {n} tokens "
                         "or use a smaller n.")
    rates = []
    for text in texts.tolist():
        grams = [tuple(text[i:i + n]) for i in range(len(text) - n + 1)]
        rates.append(1.0 - len(set(grams)) / len(grams))
    return float(np.mean(rates))


def known_token_share(ids: Any, unknown_id: int = 0) -> float:
    """Share of ids that are not the unknown token: the words a reader can actually read.

    Parameters
    ----------
    ids
        Generated ids, any shape.
    unknown_id
        The id of the unknown token (0 in :class:`course_utils.text.Vocabulary`).

    Raises
    ------
    ValueError
        If there are no ids or they are not integers.
    """
    array = np.asarray(ids)
    if array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"ids must be a non-empty array of integer token ids (got dtype {array.dtype}, "
                         f"{array.size} values): pass what a decoder returned, e.g. decoded.ids.")
    return float(np.mean(array != unknown_id))


def perplexity(target_probabilities: Any) -> float:
    """Perplexity ``2 ** (bits per token)``: the number of equally likely tokens the model hesitates between.

    A model that spreads its probability evenly over ``V`` tokens has perplexity ``V``; a
    perfect model 1. Computed on held-out text from the probability the model gave to every
    true next token (see :func:`course_utils.text.target_probabilities`).

    Raises
    ------
    ValueError
        If there are no probabilities or one is not in ``(0, 1]`` (a decoder that gives a
        held-out token probability 0, such as greedy or top-k, has infinite perplexity).
    """
    return float(2.0 ** bits_per_token(target_probabilities))
