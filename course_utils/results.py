"""Record a notebook's headline metrics so that the benchmark (`make bench`) can collect them.

A notebook calls :func:`record_results` once per results table. When the environment variable
``COURSE_RESULTS_DIR`` names a folder, the metrics are written there as
``<notebook>.json``; otherwise nothing is written and the call only returns the record. A
learner's run is therefore unaffected.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__ = ["RESULTS_ENV", "record_results", "read_results"]

#: Environment variable naming the folder where results are written.
RESULTS_ENV = "COURSE_RESULTS_DIR"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise ValueError(f"Cannot record {value!r} of type {type(value).__name__}: use numbers or text.")


def record_results(notebook: str, name: str, results: pd.DataFrame | Mapping[str, Any],
                   environ: Mapping[str, str] | None = None) -> dict:
    """Record one table of results of ``notebook`` under ``name``.

    Parameters
    ----------
    notebook
        The notebook's stem, e.g. ``"01_sequences_and_rnns"``.
    name
        What the table measures, e.g. ``"next-step test RMSE"``.
    results
        A DataFrame with one row per model (such as :func:`course_utils.metrics.compare`
        returns) or a dict of plain values.
    environ
        Mapping to read ``COURSE_RESULTS_DIR`` from (default ``os.environ``).

    Returns
    -------
    dict
        The record as written: ``{name: {model: {column: value}}}`` for a DataFrame.
    """
    if not isinstance(notebook, str) or not notebook.strip() or "/" in notebook:
        raise ValueError(f"notebook must be a notebook's stem such as '01_sequences_and_rnns'; got {notebook!r}.")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name must say what the results measure, e.g. 'test RMSE (deg C)'.")
    if isinstance(results, pd.DataFrame):
        if results.empty:
            raise ValueError("results is an empty table: there is nothing to record.")
        record = {str(index): _plain(row.to_dict()) for index, row in results.iterrows()}
    elif isinstance(results, Mapping) and results:
        record = _plain(results)
    else:
        raise ValueError("results must be a non-empty DataFrame (one row per model) or dict.")
    env = os.environ if environ is None else environ
    folder = env.get(RESULTS_ENV)
    if folder:
        path = Path(folder) / f"{notebook}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = json.loads(path.read_text()) if path.is_file() else {}
        existing[name] = record
        path.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    return {name: record}


def read_results(folder: str | Path) -> dict[str, dict]:
    """Every notebook's recorded results in ``folder``: notebook -> {name: record}."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"No results folder at {folder}.")
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
