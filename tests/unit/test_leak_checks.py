"""course_utils.leak_checks: each check passes a leak-free pipeline and catches its own leak only."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.leak_checks import (check_chronological_split, check_scaler_fitted_on_training,
                                      check_targets_follow_windows, check_windows_inside_parts, run_pipeline)
from course_utils.windows import chronological_split, fit_scaler, make_windows

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


@pytest.mark.parametrize("leak, caught_by", [
    ("scale_all", check_scaler_fitted_on_training),
    ("shuffle", check_chronological_split),
    ("across", check_windows_inside_parts),
    ("off_by_one", check_targets_follow_windows),
])
def test_each_leak_is_caught_by_its_own_check_only(leak, caught_by):
    def pipeline(series, lookback, train=0.7, val=0.15):
        return leaky(series, lookback, train, val, **{leak: True})

    for check in CHECKS:
        if check is caught_by:
            with pytest.raises(AssertionError):
                check(pipeline)
        else:
            check(pipeline)


def test_a_scaler_that_is_reported_but_not_applied_is_caught():
    def lying(series, lookback, train=0.7, val=0.15):
        out = leaky(series, lookback, train, val, scale_all=True)
        training = chronological_split(np.asarray(series, dtype=float), train, val)[0]
        out["scaler_low"], out["scaler_high"] = training.min(), training.max()
        return out

    with pytest.raises(AssertionError, match="scale every part"):
        check_scaler_fitted_on_training(lying)


@pytest.mark.parametrize("result, message", [
    ([], "return a dict"),
    ({"X_train": 1}, "lacks the keys"),
])
def test_run_pipeline_checks_the_form(result, message):
    with pytest.raises(AssertionError, match=message):
        run_pipeline(lambda *a, **k: result, np.arange(50.0), 3)


def test_run_pipeline_checks_shapes_and_range():
    def flat(series, lookback, train=0.7, val=0.15):
        out = good(series, lookback, train, val)
        out["X_val"] = out["X_val"][:, :, 0]
        return out

    with pytest.raises(AssertionError, match="X_val should have shape"):
        run_pipeline(flat, np.arange(50.0), 3)

    def backwards(series, lookback, train=0.7, val=0.15):
        return {**good(series, lookback, train, val), "scaler_low": 2.0, "scaler_high": 1.0}

    with pytest.raises(AssertionError, match="low < high"):
        run_pipeline(backwards, np.arange(50.0), 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"pipeline": "not a function"}, "pipeline must be a function"),
    ({"lookback": 0}, "lookback must be an integer >= 1"),
    ({"n_steps": 2}, "n_steps must be an integer >= 3"),
    ({"n_steps": 20, "lookback": 5}, "too short"),
    ({"train": 0.95}, "leaves nothing"),
])
@pytest.mark.parametrize("check", CHECKS)
def test_invalid_arguments(check, kwargs, message):
    kwargs = {"pipeline": good, **kwargs}
    with pytest.raises(ValueError, match=message):
        check(**kwargs)
