"""course_utils.leak_checks: each check passes a leak-free pipeline and catches its own leak only."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.leak_checks import (check_chronological_split, check_scaler_fitted_on_training,
                                      check_targets_follow_windows, check_windows_inside_parts, run_pipeline)
from course_utils.windows import chronological_split, fit_scaler, make_windows
from errors import clear_error

CHECKS = [check_scaler_fitted_on_training, check_chronological_split, check_windows_inside_parts,
          check_targets_follow_windows]


def good(series, lookback, train=0.7, val=0.15):
    parts = chronological_split(np.asarray(series, dtype=float), train, val)
    scaler = fit_scaler(parts[0])
    out = {"scaler_low": scaler.offset[0], "scaler_high": scaler.offset[0] + scaler.scale[0]}
    for name, part in zip(("train", "val", "test"), parts):
        out[f"X_{name}"], out[f"y_{name}"] = make_windows(scaler.transform(part), lookback)
    return out


def leaky(series, lookback, train=0.7, val=0.15, scale_all=False, shuffle=False, across=False, off_by_one=False):
    series = np.asarray(series, dtype=float)
    parts = chronological_split(series, train, val)
    fitted = series if scale_all else parts[0]
    low, high = fitted.min(), fitted.max()
    scaled = [(p - low) / (high - low) for p in parts]
    out = {"scaler_low": low, "scaler_high": high}
    if across:
        whole = np.concatenate(scaled)
        X, y = make_windows(whole, lookback)
        n = len(X)
        cuts = np.cumsum([round(n * train), round(n * val)])
        pieces = np.split(np.arange(n), cuts)
    for i, name in enumerate(("train", "val", "test")):
        if across:
            X_part, y_part = X[pieces[i]], y[pieces[i]]
        else:
            X_part, y_part = make_windows(scaled[i], lookback)
        if off_by_one:
            y_part = X_part[:, -1, :1]
        if shuffle:
            order = np.random.default_rng(i).permutation(len(X_part))
            X_part, y_part = X_part[order], y_part[order]
        out[f"X_{name}"], out[f"y_{name}"] = X_part, y_part
    return out


def test_a_leak_free_pipeline_passes_every_check():
    for check in CHECKS:
        check(good)
        check(good, n_steps=57, lookback=3, train=0.5, val=0.25)
        check(good, n_steps=120, lookback=1, train=0.6, val=0.2)


@pytest.mark.parametrize("leak, caught_by, phrases", [
    ("scale_all", check_scaler_fitted_on_training, ("scaler's range", "fit the scaler on the training part only")),
    ("shuffle", check_chronological_split, ("not in time order", "do not shuffle")),
    ("across", check_windows_inside_parts, ("outside the train part", "split the series first")),
    ("off_by_one", check_targets_follow_windows, ("target", "should be the next value")),
])
def test_each_leak_is_caught_by_its_own_check_only(leak, caught_by, phrases):
    def pipeline(series, lookback, train=0.7, val=0.15):
        return leaky(series, lookback, train, val, **{leak: True})

    for check in CHECKS:
        if check is caught_by:
            with clear_error(*phrases, exception=AssertionError):
                check(pipeline)
        else:
            check(pipeline)


def test_a_scaler_that_is_reported_but_not_applied_is_caught():
    def lying(series, lookback, train=0.7, val=0.15):
        out = leaky(series, lookback, train, val, scale_all=True)
        training = chronological_split(np.asarray(series, dtype=float), train, val)[0]
        out["scaler_low"], out["scaler_high"] = training.min(), training.max()
        return out

    with clear_error("scale every part", "training range", exception=AssertionError):
        check_scaler_fitted_on_training(lying)


@pytest.mark.parametrize("result, phrases", [
    ([], ("should return a dict", "returned list")),
    ({"X_train": 1}, ("lacks the keys", "'X_test'")),
])
def test_run_pipeline_checks_the_form(result, phrases):
    with clear_error(*phrases, exception=AssertionError):
        run_pipeline(lambda *a, **k: result, np.arange(50.0), 3)


def test_run_pipeline_checks_shapes_and_range():
    def flat(series, lookback, train=0.7, val=0.15):
        out = good(series, lookback, train, val)
        out["X_val"] = out["X_val"][:, :, 0]
        return out

    with clear_error("X_val should have shape", "(n, 3, 1)", exception=AssertionError):
        run_pipeline(flat, np.arange(50.0), 3)

    def backwards(series, lookback, train=0.7, val=0.15):
        return {**good(series, lookback, train, val), "scaler_low": 2.0, "scaler_high": 1.0}

    with clear_error("scaler_low and scaler_high", "low < high", exception=AssertionError):
        run_pipeline(backwards, np.arange(50.0), 3)


@pytest.mark.parametrize("kwargs, phrases", [
    ({"pipeline": "not a function"}, ("pipeline", "function pipeline(series, lookback, train, val)")),
    ({"lookback": 0}, ("lookback", ">= 1")),
    ({"n_steps": 2}, ("n_steps", ">= 3")),
    ({"n_steps": 20, "lookback": 5}, ("too short", "longer probe series")),
    ({"train": 0.95}, ("leaves nothing", "sum to less than 1")),
])
@pytest.mark.parametrize("check", CHECKS)
def test_invalid_arguments(check, kwargs, phrases):
    kwargs = {"pipeline": good, **kwargs}
    with clear_error(*phrases):
        check(**kwargs)
