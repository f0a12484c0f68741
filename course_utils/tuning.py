"""Hyperparameter search with Keras Tuner, set up for the course.

* :func:`random_search` builds a ``keras_tuner.RandomSearch`` that writes its trial files to
  a fresh temporary folder (never into the course folder), starts from scratch every time
  (``overwrite=True``), and runs although TensorBoard is not installed;
* :func:`trials_table` turns the finished trials into a table, best first.

Keras Tuner 1.4.8 imports ``tensorboard`` before every trial when the TensorFlow backend is
used, even when no ``TensorBoard`` callback is given, and TensorFlow 2.21 no longer installs
TensorBoard. The tuner made here skips that step when TensorBoard is missing (all it does is
prepare TensorBoard's hyperparameter dashboard); with TensorBoard installed it behaves exactly
like ``keras_tuner.RandomSearch``.

``keras_tuner`` is imported inside the functions, so importing this module is light.
"""
from __future__ import annotations

import importlib.util
import math
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ._validate import count

__all__ = ["random_search", "trials_table"]


def _tuner_class() -> type:
    import keras_tuner

    class CourseRandomSearch(keras_tuner.RandomSearch):
        """``keras_tuner.RandomSearch`` that does not need TensorBoard unless it is installed."""

        def _configure_tensorboard_dir(self, callbacks, trial, execution=0):  # noqa: D401
            if importlib.util.find_spec("tensorboard") is not None:
                super()._configure_tensorboard_dir(callbacks, trial, execution)

    return CourseRandomSearch


def random_search(
    hypermodel: Callable[[Any], Any],
    max_trials: int,
    *,
    objective: str = "val_loss",
    seed: int = 42,
    directory: str | Path | None = None,
    project_name: str = "search",
) -> Any:
    """A Keras Tuner random search that keeps its files out of the course folder.

    Parameters
    ----------
    hypermodel
        Function ``build(hp) -> compiled keras.Model`` that draws its settings from ``hp``
        (``hp.Int``, ``hp.Choice``, ``hp.Float``, ...).
    max_trials
        Number of configurations to try, ``>= 1``.
    objective
        Quantity to minimise, e.g. ``"val_loss"`` (the loss on the validation data passed to
        ``search``).
    seed
        Seed of the random draws of configurations (not of the weights: call
        :func:`course_utils.config.set_seed` for those).
    directory
        Folder for the tuner's trial files; by default a new temporary folder
        (``tempfile.mkdtemp``), so that nothing is written into the repository.
    project_name
        Sub-folder name inside ``directory``.

    Returns
    -------
    keras_tuner.RandomSearch
        Call ``.search(X_train, y_train, validation_data=(X_val, y_val), epochs=..., verbose=0)``.

    Raises
    ------
    ValueError
        If ``hypermodel`` is not callable, ``max_trials`` is not a positive integer, or
        ``objective`` or ``project_name`` is empty.
    """
    if not callable(hypermodel):
        raise ValueError("hypermodel must be a function build(hp) that returns a compiled Keras model.")
    count(max_trials, "max_trials")
    if not isinstance(objective, str) or not objective:
        raise ValueError(f"objective must name a quantity to minimise, such as 'val_loss'; got {objective!r}.")
    if not isinstance(project_name, str) or not project_name.strip():
        raise ValueError("project_name must be a non-empty folder name such as 'search'.")
    folder = tempfile.mkdtemp(prefix="keras_tuner_") if directory is None else str(directory)
    return _tuner_class()(hypermodel, objective=objective, max_trials=int(max_trials), seed=seed,
                          directory=folder, project_name=project_name, overwrite=True)


def trials_table(tuner: Any) -> pd.DataFrame:
    """The completed trials of a tuner as a table, best score first.

    Parameters
    ----------
    tuner
        A Keras Tuner tuner after ``search``.

    Returns
    -------
    pandas.DataFrame
        One row per completed trial (index ``trial``): one column per hyperparameter, then
        ``score`` (the objective, e.g. the best validation loss of the trial) and
        ``best epoch`` (1-based epoch at which that score was reached).

    Raises
    ------
    ValueError
        If the object is not a tuner or no trial has completed.
    """
    oracle = getattr(tuner, "oracle", None)
    if oracle is None or not hasattr(oracle, "trials"):
        raise ValueError("trials_table needs a Keras Tuner tuner (e.g. from random_search) after search().")
    rows = []
    for trial_id, trial in oracle.trials.items():
        score = getattr(trial, "score", None)
        if str(getattr(trial, "status", "")) != "COMPLETED" or score is None or not math.isfinite(score):
            continue
        step = getattr(trial, "best_step", None)
        rows.append({"trial": str(trial_id), **trial.hyperparameters.values, "score": float(score),
                     "best epoch": int(step) + 1 if step is not None else None})
    if not rows:
        raise ValueError("No trial has completed: run tuner.search(...) first (and check its error messages).")
    return pd.DataFrame(rows).set_index("trial").sort_values("score", kind="stable")
