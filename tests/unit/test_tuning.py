"""course_utils.tuning: a random search that writes to a temporary folder, and its trials as a table."""
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

from course_utils.config import set_seed
from course_utils.tuning import random_search, trials_table
from errors import clear_error


def tiny_hypermodel(hp):
    model = keras.Sequential([keras.Input(shape=(4, 1)),
                              keras.layers.Dense(hp.Choice("units", [2, 3]), activation="tanh"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 1e-3, 1e-2, sampling="log")))
    return model


def test_search_runs_in_a_temporary_folder_and_lists_trials_best_first(tmp_path):
    set_seed(0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4, 1)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")
    tuner = random_search(tiny_hypermodel, max_trials=2, seed=1, directory=tmp_path, project_name="tiny")
    tuner.search(X[:30], y[:30], validation_data=(X[30:], y[30:]), epochs=2, verbose=0)
    table = trials_table(tuner)
    assert len(table) == 2 and list(table.columns) == ["units", "learning_rate", "score", "best epoch"]
    assert table["score"].is_monotonic_increasing
    assert table["best epoch"].between(1, 2).all()
    assert (tmp_path / "tiny").is_dir()
    best = tuner.get_best_hyperparameters(1)[0].values
    assert best["units"] == table["units"].iloc[0]


def test_default_directory_is_temporary():
    tuner = random_search(tiny_hypermodel, max_trials=1)
    folder = Path(tuner.project_dir).parent
    assert folder.name.startswith("keras_tuner_") and Path(tempfile.gettempdir()) in folder.parents
    shutil.rmtree(folder)


def test_errors_say_what_to_change(tmp_path):
    with clear_error("hypermodel", "build(hp)"):
        random_search("not a function", max_trials=2)
    with clear_error("max_trials", ">= 1"):
        random_search(tiny_hypermodel, max_trials=0)
    with clear_error("objective", "'val_loss'"):
        random_search(tiny_hypermodel, max_trials=1, objective="")
    with clear_error("project_name", "non-empty folder name"):
        random_search(tiny_hypermodel, max_trials=1, project_name=" ")
    with clear_error("trials_table", "Keras Tuner tuner"):
        trials_table(object())
    with clear_error("no trial has completed", "tuner.search("):
        trials_table(random_search(tiny_hypermodel, max_trials=1, directory=tmp_path))
