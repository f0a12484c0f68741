"""course_utils.grading: hidden tests notice replaced library functions, builtins and Keras code."""
from __future__ import annotations

import builtins
import sys

import numpy as np
import numpy.testing
import pytest

import course_utils.grading as grading
from course_utils.grading import (CHECKED_MODULES, assert_untampered, fingerprint, keras_problems,
                                  pristine_fingerprint, tampering)
from errors import clear_error


def test_a_clean_process_is_untampered():
    assert tampering() == []
    assert_untampered()


def test_fingerprint_describes_public_attributes():
    prints = fingerprint(["math", "numpy.testing"])
    assert "math.sqrt" in prints and "numpy.testing.assert_allclose" in prints
    assert not any(key.startswith("math._") for key in prints)
    assert fingerprint(["math"]) == pristine_fingerprint(["math"])


def test_every_checked_module_imports_without_keras():
    # (this process may have imported more submodules, which become extra attributes: not tampering)
    assert set(pristine_fingerprint()) <= set(fingerprint())
    assert "keras" not in CHECKED_MODULES


@pytest.mark.parametrize("module, name, replacement", [
    (numpy.testing, "assert_allclose", print),  # another genuine function
    (numpy.testing, "assert_allclose", lambda *a, **k: None),
    (np, "allclose", lambda *a, **k: True),
    (builtins, "divmod", lambda a, b: (0, 0)),  # (replacing isinstance or abs would break pytest itself)
    (builtins, "pow", max),
    (grading, "keras_problems", lambda *a, **k: []),
])
def test_a_replaced_function_is_reported(monkeypatch, module, name, replacement):
    monkeypatch.setattr(module, name, replacement)
    found = tampering()
    assert f"{module.__name__}.{name} was replaced" in found
    with clear_error(f"{module.__name__}.{name} was replaced", "remove the code", exception=AssertionError):
        assert_untampered()


@pytest.mark.parametrize("module_name, name", [
    ("course_utils.baselines", "persistence_forecast"),  # what a "beats persistence" hidden test compares with
    ("course_utils.datasets", "_bundled"),  # a private helper: where the data come from
    ("course_utils.datasets", "load_japanese_vowels"),
    ("course_utils.sequences", "summary_features"),
    ("course_utils.leak_checks", "_OFFSET"),
])
def test_the_course_modules_hidden_tests_rely_on_are_checked_private_names_included(monkeypatch, module_name, name):
    module = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
    monkeypatch.setattr(module, name, lambda *a, **k: None)
    assert f"{module_name}.{name} was replaced" in tampering()


def test_a_replaced_constant_and_a_deleted_function_are_reported(monkeypatch):
    import math

    monkeypatch.setattr(math, "pi", 3.0)
    monkeypatch.delattr(np, "isclose")
    found = tampering()
    assert "math.pi was replaced" in found and "numpy.isclose was deleted" in found


def test_keras_code_replaced_in_a_class_or_module_is_reported(monkeypatch):
    import keras

    assert keras_problems() == []
    monkeypatch.setattr(keras.layers.LSTM, "call", lambda self, *a, **k: None)
    assert any("call was replaced" in p for p in keras_problems())
    monkeypatch.undo()

    class LSTM:  # a look-alike defined here, not in Keras
        pass

    monkeypatch.setattr(keras.layers, "LSTM", LSTM)
    assert "keras.layers.LSTM was replaced by" in keras_problems()[0]
    monkeypatch.setattr(keras.layers, "LSTM", keras.layers.GRU)
    assert "keras.layers.LSTM was replaced by" in keras_problems()[0]
    monkeypatch.delattr(keras.layers, "LSTM")
    assert keras_problems() == ["keras.layers.LSTM is missing"]


def test_keras_problems_is_empty_when_keras_is_not_loaded(monkeypatch):
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    assert keras_problems() == []


@pytest.mark.parametrize("names", [[], [""], [".relative"], [3]])
def test_module_names_are_checked(names):
    with clear_error("module_names", "such as 'numpy'"):
        fingerprint(names)
    with clear_error("module_names", "such as 'numpy'"):
        pristine_fingerprint(names)


def test_a_missing_module_is_reported():
    with clear_error("cannot import module 'no_such_module_here'", "give the name of an installed module"):
        fingerprint(["no_such_module_here"])
    with clear_error("fresh interpreter", "['no_such_module_here']", "modules that import in `python -I`"):
        pristine_fingerprint(["no_such_module_here"])


def test_keras_names_are_checked():
    with clear_error("keras.layers.LSTM", "['layers.LSTM']"):
        keras_problems(["layers.LSTM"])
