"""Text as sequences of token ids: vocabularies, next-token windows, baselines and scores.

A language model reads a text as a sequence of **token ids** (characters or words) and
predicts the next id. This module holds the pieces that are not the lesson itself::

    vocabulary = Vocabulary.from_tokens(train_text)        # ids by frequency, 0 = unknown
    ids = vocabulary.encode(text)                          # (T,) int32
    X, Y = next_token_windows(ids, length=100)             # (n, 100) inputs, (n, 100) next ids
    X, Y = stateful_batches(ids, batch_size=32, length=100)  # for stateful=True, shuffle=False
    p = unigram_probabilities(train_ids, vocabulary.size)  # (V,) baseline
    bits_per_token(p[test_ids])                            # cross-entropy in bits per token

Scores: :func:`bits_per_token` (cross-entropy in base 2), :func:`nats_to_bits` (Keras reports
the cross-entropy in nats), :func:`top_k` and :func:`top_k_accuracy` (did the true next token
appear among k suggestions?). Generation: :func:`apply_temperature` and
:func:`sample_with_temperature`. Autocomplete: :func:`suggest_next`.

Nothing here imports TensorFlow; a model is any callable that maps ids to logits.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ._validate import count

__all__ = [
    "UNKNOWN",
    "Vocabulary",
    "tokenize_words",
    "next_token_windows",
    "stateful_batches",
    "nats_to_bits",
    "bits_per_token",
    "target_probabilities",
    "unigram_probabilities",
    "bigram_probabilities",
    "bigram_suggestions",
    "top_k",
    "top_k_accuracy",
    "apply_temperature",
    "sample_with_temperature",
    "suggest_next",
]

#: The token that id 0 stands for: anything not in the vocabulary.
UNKNOWN = "<unk>"

#: Largest vocabulary for which :func:`bigram_probabilities` builds a dense table.
_MAX_DENSE_BIGRAM = 2_000

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def _ids(values: Any, name: str, vocab_size: int | None = None, ndim: int | None = 1) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        raise ValueError(f"{name} is empty; give at least one token id.")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer token ids (dtype {array.dtype} given): encode the text "
            "with Vocabulary.encode first."
        )
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {array.shape}.")
    if array.min() < 0 or (vocab_size is not None and array.max() >= vocab_size):
        raise ValueError(
            f"{name} holds ids outside 0 .. {'V - 1' if vocab_size is None else vocab_size - 1}; "
            "was it encoded with the same vocabulary?"
        )
    return array


@dataclass(frozen=True)
class Vocabulary:
    """A mapping between tokens (characters or words) and integer ids.

    Id 0 is reserved for :data:`UNKNOWN`, every token not in the vocabulary (for instance a
    character that occurs only in the test text). The other ids are given by decreasing
    frequency in the text the vocabulary was built from, ties in alphabetical order, so id 1
    is the most frequent token. The ids are *names*: their numerical order means nothing
    to a model, which is why a model should look them up in an ``Embedding``.

    Attributes
    ----------
    tokens
        ``tokens[i]`` is the token of id ``i``; ``tokens[0]`` is :data:`UNKNOWN`.
    """

    tokens: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tokens or self.tokens[0] != UNKNOWN:
            raise ValueError(f"tokens[0] must be {UNKNOWN!r} (id 0 is the unknown token).")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("tokens contains duplicates; every token needs exactly one id.")
        object.__setattr__(self, "_index", {token: i for i, token in enumerate(self.tokens)})

    @classmethod
    def from_tokens(cls, tokens: Iterable[str], max_size: int | None = None,
                    min_count: int = 1) -> "Vocabulary":
        """Build a vocabulary from training tokens only.

        Parameters
        ----------
        tokens
            The training tokens: a string (its characters are the tokens) or a sequence of
            words.
        max_size
            Keep at most this many ids, the unknown id included (the most frequent tokens).
        min_count
            Keep only tokens seen at least this many times.

        Raises
        ------
        ValueError
            If there are no tokens, a token is not a non-empty string, ``max_size < 2`` or
            ``min_count < 1``.
        """
        if max_size is not None:
            count(max_size, "max_size", least=2)
        count(min_count, "min_count")
        counts = Counter(tokens)
        if not counts:
            raise ValueError("tokens is empty: build the vocabulary from the training text.")
        bad = [token for token in counts if not isinstance(token, str) or not token]
        if bad:
            raise ValueError(f"Every token must be a non-empty string; got {bad[0]!r}.")
        counts.pop(UNKNOWN, None)
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - 1]
        return cls((UNKNOWN, *kept))

    @property
    def size(self) -> int:
        """Number of ids, the unknown id included (the ``input_dim`` of an ``Embedding``)."""
        return len(self.tokens)

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Token ids of ``tokens`` (a string or a sequence of words) as an ``(T,)`` int32 array.

        Tokens not in the vocabulary get id 0.
        """
        index = self._index
        return np.fromiter((index.get(token, 0) for token in tokens), dtype=np.int32)

    def decode(self, ids: Any) -> list[str]:
        """Tokens of ``ids`` (any shape, flattened), e.g. ``"".join(v.decode(ids))`` for text.

        Raises
        ------
        ValueError
            If an id is not an integer in ``0 .. size - 1``.
        """
        array = _ids(np.ravel(ids), "ids", self.size, ndim=1) if np.size(ids) else np.array([], int)
        return [self.tokens[i] for i in array]


def tokenize_words(text: str) -> list[str]:
    """Lower-case words of ``text`` (letters and inner apostrophes, as in ``know't``).

    Punctuation, digits and line breaks are dropped, so ``"Speak, speak."`` gives
    ``["speak", "speak"]``.

    Raises
    ------
    ValueError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {type(text).__name__}.")
    return _WORD.findall(text.lower())


def next_token_windows(ids: Any, length: int, stride: int | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Cut a sequence of ids into input windows and their next-token targets.

    Window ``i`` starts at ``s = i * stride``: ``X[i] = ids[s : s + length]`` and
    ``Y[i] = ids[s + 1 : s + length + 1]``, so ``Y[i, j]`` is the token that follows
    ``X[i, j]``. A model with ``return_sequences=True`` predicts every ``Y[i, j]`` from
    ``X[i, :j + 1]``: one window trains ``length`` next-token predictions at once. With the
    default ``stride = length`` every target is used exactly once.

    Parameters
    ----------
    ids
        Token ids of shape ``(T,)``.
    length
        Steps per window.
    stride
        Distance between window starts (default ``length``: windows do not overlap).

    Returns
    -------
    X, Y
        int32 arrays of shape ``(n, length)`` with ``n = (T - length - 1) // stride + 1``.
        Targets are sparse ids, not one-hot rows, which keeps memory small.

    Raises
    ------
    ValueError
        If ``ids`` are not 1-D integers, ``length`` or ``stride`` is not a positive integer,
        or the sequence is shorter than ``length + 1``.
    """
    array = _ids(ids, "ids")
    length = count(length, "length")
    stride = length if stride is None else count(stride, "stride")
    if len(array) < length + 1:
        raise ValueError(
            f"ids has {len(array)} tokens; a window of length {length} and its targets need "
            f"at least {length + 1}. Use a shorter length or more text."
        )
    n = (len(array) - length - 1) // stride + 1
    starts = np.arange(n)[:, None] * stride + np.arange(length)[None, :]
    return array[starts].astype(np.int32), array[starts + 1].astype(np.int32)


def stateful_batches(ids: Any, batch_size: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrange ids for a stateful RNN: row ``i`` of batch ``k + 1`` continues row ``i`` of batch ``k``.

    A Keras layer with ``stateful=True`` keeps the final state of row ``i`` of a batch as the
    initial state of row ``i`` of the next batch. That only helps if the next batch's row
    ``i`` is the text that follows. So the text is split into ``batch_size`` contiguous
    **streams** of ``s = (T - 1) // batch_size`` inputs each (stream ``i`` starts at
    ``i * s``), every stream is cut into ``n_batches = s // length`` consecutive windows, and
    the windows are ordered batch by batch::

        X[k * batch_size + i] = ids[i * s + k * length : i * s + (k + 1) * length]
        Y[k * batch_size + i] = ids[i * s + k * length + 1 : i * s + (k + 1) * length + 1]

    Fit with ``batch_size=batch_size`` and ``shuffle=False`` (and predict with the same batch
    size) so that Keras sees the rows in this order. The last ``s - n_batches * length``
    inputs of each stream, and the last ``(T - 1) % batch_size`` ids, are not used.

    Parameters
    ----------
    ids
        Token ids of shape ``(T,)``.
    batch_size
        Rows per batch: the number of parallel streams (the stateful model's fixed batch size).
    length
        Steps per window: how far back the gradients flow in truncated backpropagation
        through time.

    Returns
    -------
    X, Y
        int32 arrays of shape ``(n_batches * batch_size, length)``; ``Y`` is ``X`` shifted by
        one token, so ``Y[r, j]`` is the token that follows ``X[r, j]``.

    Raises
    ------
    ValueError
        If ``ids`` are not 1-D integer ids, ``batch_size`` or ``length`` is not a positive
        integer, or the sequence is too short for one batch (it needs at least
        ``batch_size * length + 1`` ids).
    """
    array = _ids(ids, "ids")
    batch_size = count(batch_size, "batch_size")
    length = count(length, "length")
    needed = batch_size * length + 1
    if len(array) < needed:
        raise ValueError(
            f"ids has {len(array)} tokens, too short for batch_size={batch_size} streams of windows "
            f"of length={length}: one batch and its targets need at least {needed} tokens "
            "(batch_size * length + 1). Use a smaller batch_size or length, or more text."
        )
    stream = (len(array) - 1) // batch_size      # inputs per stream
    n_batches = stream // length                 # windows per stream
    starts = (np.arange(n_batches)[:, None] * length                     # window k of ...
              + np.arange(batch_size)[None, :] * stream).reshape(-1)     # ... stream i, row k * b + i
    positions = starts[:, None] + np.arange(length)[None, :]             # (n_batches * b, length)
    return array[positions].astype(np.int32), array[positions + 1].astype(np.int32)


def nats_to_bits(nats: Any) -> Any:
    """Convert a cross-entropy from nats (natural log, what Keras reports) to bits: ``/ ln 2``."""
    values = np.asarray(nats, dtype=np.float64)
    bad = values[~np.isfinite(values) | (values < 0)]
    if bad.size:
        shown = ", ".join(f"{value:g}" for value in bad[:5]) + (f" and {bad.size - 5} more" if bad.size > 5 else "")
        raise ValueError(
            f"A cross-entropy in nats is a finite number >= 0; got {shown}. Pass the loss Keras "
            "reports (e.g. history.history['val_loss'] or model.evaluate), not a log-probability "
            "(which is <= 0); a NaN or infinite loss means the training diverged: rerun it with "
            "a lower learning rate or gradient clipping."
        )
    result = values / math.log(2.0)
    return float(result) if result.ndim == 0 else result


def bits_per_token(target_probabilities: Any) -> float:
    """Cross-entropy in bits per token: the mean of ``-log2 p`` over the true next tokens.

    Parameters
    ----------
    target_probabilities
        The probability each model gave to the token that actually came next, any shape
        (e.g. ``(n,)`` or ``(n_windows, length)``).

    Returns
    -------
    float
        Bits per token; a model that spreads its probability evenly over ``V`` tokens
        scores ``log2 V``, a perfect model 0.

    Raises
    ------
    ValueError
        If there are no values or one is not in ``(0, 1]`` (a zero probability would give an
        infinite cross-entropy: smooth the baseline).
    """
    p = np.asarray(target_probabilities, dtype=np.float64)
    if p.size == 0:
        raise ValueError("target_probabilities is empty: there is nothing to average. Pass the "
                         "probability of each true next token, e.g. target_probabilities(logits, "
                         "targets) for at least one window.")
    if not np.isfinite(p).all() or (p <= 0).any() or (p > 1 + 1e-9).any():
        raise ValueError(
            "target_probabilities must lie in (0, 1]; a probability of 0 makes the cross-entropy "
            "infinite. Use smoothing > 0 for count-based baselines, or pass probabilities, "
            "not logits (see target_probabilities)."
        )
    return float(-np.mean(np.log2(p)))


def target_probabilities(logits: Any, targets: Any) -> np.ndarray:
    """Softmax probability of each target under ``logits``.

    Parameters
    ----------
    logits
        Unnormalised scores of shape ``(..., V)`` (a ``Dense(V)`` layer without softmax).
    targets
        Ids of shape ``(...)``, the same leading shape as ``logits``.

    Returns
    -------
    numpy.ndarray
        float64 probabilities of shape ``(...)``.

    Raises
    ------
    ValueError
        If the shapes do not match or a target is not an id in ``0 .. V - 1``.
    """
    scores = np.asarray(logits, dtype=np.float64)
    if scores.ndim < 1 or scores.shape[-1] < 1:
        raise ValueError(f"logits must have shape (..., V); got {scores.shape}.")
    target = _ids(targets, "targets", scores.shape[-1], ndim=None)
    if target.shape != scores.shape[:-1]:
        raise ValueError(
            f"targets has shape {target.shape} but logits has {scores.shape}: they need the same "
            "leading shape (one target per row of logits)."
        )
    shifted = scores - scores.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    chosen = np.take_along_axis(shifted, target[..., None].astype(np.int64), axis=-1)[..., 0]
    return np.exp(chosen - log_norm)


def unigram_probabilities(ids: Any, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """Frequency of every id in the training ids: the model that ignores all context.

    ``p[v] = (count[v] + smoothing) / (T + smoothing * V)`` (add-``smoothing``, so a token
    never seen in training still has a small, non-zero probability).

    Returns
    -------
    numpy.ndarray
        ``(V,)`` probabilities summing to 1.

    Raises
    ------
    ValueError
        If ``ids`` are not 1-D ids below ``vocab_size`` or ``smoothing`` is negative.
    """
    vocab_size = count(vocab_size, "vocab_size")
    array = _ids(ids, "ids", vocab_size)
    if not smoothing >= 0:
        raise ValueError(f"smoothing must be >= 0 (1 is add-one smoothing); got {smoothing!r}.")
    counts = np.bincount(array, minlength=vocab_size).astype(np.float64) + smoothing
    return counts / counts.sum()


def bigram_probabilities(ids: Any, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """Next-token probabilities given only the previous token, counted in the training ids.

    ``P[a, b] = (count(a followed by b) + smoothing) / (count(a followed by anything) + smoothing * V)``.

    Returns
    -------
    numpy.ndarray
        ``(V, V)`` table: row ``a`` is the distribution of the token after ``a``; score a
        text with ``P[ids[:-1], ids[1:]]``.

    Raises
    ------
    ValueError
        If ``ids`` are not 1-D ids below ``vocab_size``, there are fewer than two of them,
        ``smoothing`` is negative, or ``vocab_size`` exceeds 2,000 (the dense table would be
        too large: use :func:`bigram_suggestions` for word vocabularies).
    """
    vocab_size = count(vocab_size, "vocab_size")
    if vocab_size > _MAX_DENSE_BIGRAM:
        raise ValueError(
            f"vocab_size={vocab_size} would need a {vocab_size} x {vocab_size} table; dense bigram "
            f"tables are limited to {_MAX_DENSE_BIGRAM} tokens. For words use bigram_suggestions."
        )
    array = _ids(ids, "ids", vocab_size)
    if len(array) < 2:
        raise ValueError("ids needs at least two tokens to count a pair.")
    if not smoothing >= 0:
        raise ValueError(f"smoothing must be >= 0 (1 is add-one smoothing); got {smoothing!r}.")
    pairs = array[:-1].astype(np.int64) * vocab_size + array[1:]
    counts = np.bincount(pairs, minlength=vocab_size * vocab_size).reshape(vocab_size, vocab_size)
    counts = counts.astype(np.float64) + smoothing
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = counts / totals
    # a row never seen with smoothing 0 falls back to the uniform distribution
    table[(totals[:, 0] == 0)] = 1.0 / vocab_size
    return table


def top_k(scores: Any, k: int = 3, exclude: Sequence[int] = ()) -> np.ndarray:
    """Ids of the ``k`` highest scores along the last axis, best first.

    Parameters
    ----------
    scores
        Probabilities, logits or counts of shape ``(..., V)``.
    k
        Number of suggestions.
    exclude
        Ids never suggested (e.g. ``[0]``, the unknown token: "<unk>" is no suggestion).

    Returns
    -------
    numpy.ndarray
        int64 ids of shape ``(..., k)``. Ties go to the smaller id.

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer or more than the ids left after ``exclude``.
    """
    values = np.array(scores, dtype=np.float64)  # a copy: exclusions must not touch the input
    if values.ndim < 1:
        raise ValueError("scores must have shape (..., V); got a scalar.")
    k = count(k, "k")
    excluded = sorted({int(i) for i in exclude})
    size = values.shape[-1]
    outside = [i for i in excluded if i < 0 or i >= size]
    if outside:
        raise ValueError(f"exclude holds ids outside 0 .. {size - 1}: {outside}. Give ids of the "
                         f"vocabulary the scores are over ({size} ids), e.g. exclude=[0] for the "
                         "unknown token.")
    available = size - len(excluded)
    if k > available:
        fix = f"use a smaller k, at most {available}" if available else "exclude fewer ids"
        raise ValueError(f"k={k} but only {available} ids can be suggested ({size} ids, "
                         f"{len(excluded)} excluded): {fix}.")
    values[..., excluded] = -np.inf
    return np.argsort(-values, axis=-1, kind="stable")[..., :k]


def top_k_accuracy(suggestions: Any, targets: Any) -> float:
    """Fraction of targets that appear among their suggestions.

    Parameters
    ----------
    suggestions
        Ids of shape ``(..., k)`` (from :func:`top_k`).
    targets
        True ids of shape ``(...)``.

    Raises
    ------
    ValueError
        If the leading shapes differ or there are no targets.
    """
    suggested = np.asarray(suggestions)
    true = np.asarray(targets)
    if true.size == 0:
        raise ValueError("targets is empty: there is nothing to score. Give at least one true id, "
                         "with one row of k suggested ids per target.")
    if suggested.ndim != true.ndim + 1 or suggested.shape[:-1] != true.shape:
        raise ValueError(
            f"suggestions has shape {suggested.shape} and targets {true.shape}: suggestions needs "
            "one row of k ids per target, shape (..., k)."
        )
    return float(np.mean((suggested == true[..., None]).any(axis=-1)))


def bigram_suggestions(ids: Any, vocab_size: int, k: int = 3, exclude: Sequence[int] = (0,)
                       ) -> np.ndarray:
    """The ``k`` tokens that most often followed each token in the training ids.

    Works for large (word) vocabularies: only the pairs that occur are counted. A token seen
    with fewer than ``k`` distinct followers is topped up with the most frequent tokens
    overall, so every row has ``k`` distinct suggestions.

    Returns
    -------
    numpy.ndarray
        ``(V, k)`` int64 table: suggestions after token ``a`` are row ``a``; for a text,
        ``table[ids[:-1]]`` suggests every next token.

    Raises
    ------
    ValueError
        If ``ids`` are not 1-D ids below ``vocab_size``, there are fewer than two, or ``k`` is
        too large for the ids left after ``exclude``.
    """
    vocab_size = count(vocab_size, "vocab_size")
    array = _ids(ids, "ids", vocab_size).astype(np.int64)
    if len(array) < 2:
        raise ValueError("ids needs at least two tokens to count a pair.")
    k = count(k, "k")
    excluded = {int(i) for i in exclude}
    available = vocab_size - len(excluded & set(range(vocab_size)))
    if k > available:
        raise ValueError(f"k={k} but only {available} ids can be suggested; use a smaller k.")
    # the most frequent tokens overall, enough to top up any row that has fewer than k followers
    fallback = top_k(np.bincount(array, minlength=vocab_size), min(2 * k, available), exclude).tolist()
    pairs, counts = np.unique(array[:-1] * vocab_size + array[1:], return_counts=True)
    previous, following = pairs // vocab_size, pairs % vocab_size
    order = np.lexsort((following, -counts, previous))  # by previous, then most frequent first
    chosen: list[list[int]] = [[] for _ in range(vocab_size)]
    for a, b in zip(previous[order].tolist(), following[order].tolist()):
        if len(chosen[a]) < k and b not in excluded:
            chosen[a].append(b)
    table = np.empty((vocab_size, k), dtype=np.int64)
    for a, row in enumerate(chosen):
        row += [t for t in fallback if t not in row][: k - len(row)]
        table[a] = row
    return table


def apply_temperature(logits: Any, temperature: float) -> np.ndarray:
    """Softmax of ``logits / temperature``: the sampling distribution at that temperature.

    ``temperature < 1`` sharpens the distribution towards the most likely token,
    ``temperature = 1`` leaves the model's probabilities unchanged, ``> 1`` flattens them.

    Parameters
    ----------
    logits
        Scores of shape ``(..., V)``.
    temperature
        A number > 0.

    Returns
    -------
    numpy.ndarray
        float64 probabilities of shape ``(..., V)``, summing to 1 along the last axis.

    Raises
    ------
    ValueError
        If ``temperature`` is not a finite number > 0 or the logits are not finite.
    """
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)) \
            or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(
            f"temperature must be a number > 0 (e.g. 0.5, 1.0, 1.5); got {temperature!r}. "
            "For the single most likely token use top_k(logits, 1) instead of temperature 0."
        )
    scores = np.asarray(logits, dtype=np.float64)
    if scores.ndim < 1 or scores.shape[-1] == 0 or not np.isfinite(scores).all():
        raise ValueError(f"logits must be finite with shape (..., V); got shape {scores.shape}.")
    scaled = scores / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def sample_with_temperature(logits: Any, temperature: float, rng: np.random.Generator) -> int:
    """Draw one id from ``softmax(logits / temperature)``.

    Parameters
    ----------
    logits
        Scores of shape ``(V,)`` for the next token.
    temperature
        A number > 0 (see :func:`apply_temperature`).
    rng
        A seeded ``numpy.random.Generator`` (``np.random.default_rng(seed)``), so that the
        generated text is reproducible.

    Raises
    ------
    ValueError
        If the logits are not 1-D, the temperature is not > 0, or ``rng`` is not a Generator.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. np.random.default_rng(42).")
    scores = np.asarray(logits)
    if scores.ndim != 1:
        raise ValueError(f"logits must have shape (V,) for one next token; got {scores.shape}.")
    probabilities = apply_temperature(scores, temperature)
    return int(rng.choice(len(probabilities), p=probabilities))


def suggest_next(model: Callable[[np.ndarray], Any], vocabulary: Vocabulary,
                 prefix: Sequence[str], k: int = 3) -> list[str]:
    """The ``k`` most likely next tokens after a typed prefix, as an autocomplete would show.

    Parameters
    ----------
    model
        Callable mapping ids of shape ``(1, n)`` to logits or probabilities of shape
        ``(1, n, V)`` (a Keras model trained with ``return_sequences=True``), or ``(1, V)``.
    vocabulary
        The vocabulary the model was trained with.
    prefix
        The tokens typed so far, e.g. ``tokenize_words("to be or not to")``. Unknown words
        are read as :data:`UNKNOWN`.
    k
        Number of suggestions. The unknown token is never suggested.

    Raises
    ------
    ValueError
        If ``prefix`` is empty or the model's output does not have ``vocabulary.size``
        scores per step.
    """
    if isinstance(prefix, str):
        raise ValueError("prefix must be a list of tokens; split text with tokenize_words first.")
    if len(prefix) == 0:
        raise ValueError("prefix is empty: type at least one word.")
    ids = vocabulary.encode(prefix)[None, :]
    output = np.asarray(model(ids))
    if output.shape[-1] != vocabulary.size or output.ndim not in (2, 3):
        raise ValueError(
            f"The model returned shape {output.shape}; expected (1, n, {vocabulary.size}) or "
            f"(1, {vocabulary.size}) scores over the vocabulary. Pass the vocabulary the model was "
            f"trained with (its last layer needs {vocabulary.size} units, Dense(vocabulary.size)), "
            "or rebuild the model for this vocabulary."
        )
    last = output[0, -1] if output.ndim == 3 else output[0]
    return vocabulary.decode(top_k(last, k, exclude=[0]))
