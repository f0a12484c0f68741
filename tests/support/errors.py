"""Checking error messages by their key phrases, not word for word.

The house rule: an error-message test pins what was wrong and what to do, not whole sentences,
so a message can be reworded without breaking its tests, and a message that says nothing useful
still fails them.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["clear_error"]


def _normalised(text: str) -> str:
    """``text`` in lower case with every run of whitespace collapsed to one space."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


@contextmanager
def clear_error(*phrases: str, exception: type[BaseException] = ValueError) -> Iterator[pytest.ExceptionInfo]:
    """Assert that the block raises ``exception`` with a message that contains every phrase.

    Parameters
    ----------
    *phrases : str
        Plain strings (not regular expressions) the message must contain: usually one naming
        what was wrong (a parameter, a value, "too short") and one saying what to do. Case
        does not matter and any run of whitespace counts as one space, in the phrase and in
        the message alike.
    exception : type of BaseException, default ValueError
        The exception the block must raise; a subclass counts, as in :func:`pytest.raises`.

    Yields
    ------
    pytest.ExceptionInfo
        The raised exception, filled in once the block has left, for further checks
        (``info.value``).

    Raises
    ------
    AssertionError
        If the block raises nothing, raises another type of exception (chained as the cause),
        or raises a message that lacks a phrase; the failure names the missing phrases and
        shows the full message.
    TypeError
        If no phrase is given, or a phrase is not a non-empty string.

    Examples
    --------
    >>> with clear_error("lookback", "at least"):
    ...     raise ValueError("lookback=0 is too small: use at least 1 time step")
    """
    __tracebackhide__ = True
    if not phrases:
        raise TypeError("clear_error needs at least one phrase: what was wrong (and what to do)")
    for phrase in phrases:
        if not isinstance(phrase, str) or not phrase.strip():
            raise TypeError(f"clear_error phrases are non-empty plain strings, got {phrase!r}")
    name, wanted = exception.__name__, ", ".join(map(repr, phrases))
    info: pytest.ExceptionInfo = pytest.ExceptionInfo.for_later()
    try:
        yield info
    except exception as raised:
        info.fill_unfilled(sys.exc_info())
        message = str(raised)
        text = _normalised(message)
        missing = [phrase for phrase in phrases if _normalised(phrase) not in text]
        if missing:
            raise AssertionError(f"the {name} message lacks {', '.join(map(repr, missing))}; "
                                 f"the full message:\n{message}") from None
    except Exception as other:  # noqa: BLE001 - any other type is the failure being reported
        raise AssertionError(f"expected {name} (with {wanted}), got {type(other).__name__}: {other}") from other
    else:
        raise AssertionError(f"expected {name} (with {wanted}), but nothing was raised")
