"""Run-mode switches shared by every notebook: FAST mode, seeding and size picking.

FAST mode (``COURSE_FAST=1`` in the environment) shrinks data and epochs so a notebook
executes in well under a minute; tests and CI set it. Without it a learner gets the full,
meaningful run. Notebooks call the same code in both modes and only choose sizes with
:func:`pick`.
"""
from __future__ import annotations

import os
import random
from typing import TypeVar

import numpy as np

__all__ = ["FAST", "is_fast", "pick", "set_seed"]

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_fast(environ: dict[str, str] | None = None) -> bool:
    """Return True when the environment asks for FAST mode (``COURSE_FAST=1``).

    Parameters
    ----------
    environ
        Mapping to read instead of ``os.environ`` (for tests).

    Raises
    ------
    ValueError
        If ``COURSE_FAST`` holds something other than 1/0/true/false/yes/no/on/off.
    """
    env = os.environ if environ is None else environ
    value = env.get("COURSE_FAST", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"COURSE_FAST={value!r} is not understood: set COURSE_FAST=1 for the fast run "
        "or leave it unset (or 0) for the full run."
    )


#: True when this process was started with ``COURSE_FAST=1``.
FAST: bool = is_fast()


def pick(full: T, fast: T, *, fast_mode: bool | None = None) -> T:
    """Choose a size, an epoch count or any setting by run mode.

    Parameters
    ----------
    full
        Value for the full, meaningful run a learner gets by default.
    fast
        Value for FAST mode (tests and CI).
    fast_mode
        Override the mode (defaults to :data:`FAST`).

    Examples
    --------
    >>> epochs = pick(full=20, fast=2)
    """
    if full is None or fast is None:
        raise ValueError("pick(full, fast) needs both values; got None for one of them.")
    if type(full) is not type(fast) and not (
        isinstance(full, (int, float)) and isinstance(fast, (int, float))
    ):
        raise ValueError(
            f"pick(full={full!r}, fast={fast!r}): both values should be of the same kind "
            "(two numbers, two strings, ...) so both modes run the same code."
        )
    use_fast = FAST if fast_mode is None else fast_mode
    return fast if use_fast else full


def set_seed(seed: int = 42) -> None:
    """Seed Python, numpy, Keras and TensorFlow, and make TensorFlow ops deterministic.

    Calls ``random.seed``, ``numpy.random.seed``, ``keras.utils.set_random_seed`` and
    ``tf.config.experimental.enable_op_determinism()`` so a notebook gives the same numbers
    on every run on the same machine.

    Parameters
    ----------
    seed
        A non-negative integer.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_seed needs a non-negative integer such as 42; got {seed!r}.")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras  # imported here so that importing course_utils stays light
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
