"""The helper that checks error messages by their key phrases (tests/support/errors.py)."""
from __future__ import annotations

import pytest
from errors import clear_error

MESSAGE = "lookback=0 is too small:\n    use at least  1 time step (see make_windows)"


def _fail(message: str = MESSAGE, exception: type[BaseException] = ValueError):
    raise exception(message)


def test_passes_on_a_message_with_every_phrase_in_any_case_and_spacing():
    with clear_error("LOOKBACK", "use at least 1 time step", "(see make_windows)") as info:
        _fail()
    assert info.value.args == (MESSAGE,)


def test_phrases_are_plain_text_not_regular_expressions():
    with clear_error("x.y(", "[1]"):
        _fail("x.y( and [1]")
    with pytest.raises(AssertionError):
        with clear_error("x.y"):
            _fail("xzy")


def test_fails_on_a_missing_phrase_and_shows_the_message():
    with pytest.raises(AssertionError) as failure:
        with clear_error("lookback", "fit_scaler"):
            _fail()
    assert "'fit_scaler'" in str(failure.value) and MESSAGE in str(failure.value)
    assert "'lookback'" not in str(failure.value).split(";")[0]


def test_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match="nothing was raised"):
        with clear_error("lookback"):
            pass


def test_fails_on_another_exception_type():
    with pytest.raises(AssertionError, match="expected ValueError.*got TypeError") as failure:
        with clear_error("lookback"):
            _fail(exception=TypeError)
    assert isinstance(failure.value.__cause__, TypeError)


def test_another_exception_type_can_be_asked_for_and_subclasses_count():
    with clear_error("lookback", exception=RuntimeError):
        _fail(exception=NotImplementedError)
    with clear_error("lookback", exception=SystemExit):
        raise SystemExit(MESSAGE)
    with pytest.raises(AssertionError):
        with clear_error("lookback", exception=KeyError):
            _fail()


def test_needs_at_least_one_non_empty_phrase():
    with pytest.raises(TypeError):
        with clear_error():
            _fail()
    with pytest.raises(TypeError):
        with clear_error("  "):
            _fail()
