"""Record a notebook's headline metrics so that the benchmark (`make bench`) can collect them.

A notebook calls :func:`record_results` once per results table. When the environment variable
``COURSE_RESULTS_DIR`` names a folder, the metrics are written there as
``<notebook>.json``; otherwise nothing is written and the call only returns the record. A
learner's run is therefore unaffected.

A table that compares models with baselines says which rows are the baselines and which
column decides (``baselines=[...]``, ``metric="RMSE"``), so that the benchmark can report
every model against the best baseline of the same table without guessing from row names.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

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


def _check_comparison(table: pd.DataFrame, baselines: Sequence[str], metric: str | None) -> list[str]:
    if isinstance(baselines, str):
        raise ValueError(f"baselines must be a list of row names, e.g. [{baselines!r}]; got a string.")
    baselines = [str(name) for name in baselines]
    if not baselines and metric is None:
        return []
    if not baselines:
        raise ValueError(f"metric={metric!r} was given without baselines: name the baseline rows "
                         "(baselines=['persistence', ...]) that the models are compared with.")
    if metric is None:
        raise ValueError("baselines were given without metric: name the column that decides, "
                         "e.g. metric='RMSE'.")
    rows = [str(index) for index in table.index]
    missing = [name for name in baselines if name not in rows]
    if missing:
        raise ValueError(f"baselines {missing} are not rows of the table; its rows are {rows}.")
    if len(set(baselines)) == len(rows):
        raise ValueError("every row is a baseline: a comparison needs at least one model besides them.")
    if metric not in [str(column) for column in table.columns]:
        raise ValueError(f"metric {metric!r} is not a column of the table; its columns are "
                         f"{[str(c) for c in table.columns]}.")
    return baselines


def record_results(notebook: str, name: str, results: pd.DataFrame | Mapping[str, Any], *,
                   baselines: Sequence[str] = (), metric: str | None = None,
                   higher_is_better: bool = False,
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
    baselines
        For a DataFrame that compares models with baselines: the rows that are baselines
        (e.g. ``["persistence", "linear (least squares)"]``); every other row is a model.
    metric
        The column that decides the comparison (e.g. ``"RMSE"``); needed with ``baselines``.
    higher_is_better
        True for a score such as accuracy, False (the default) for an error.
    environ
        Mapping to read ``COURSE_RESULTS_DIR`` from (default ``os.environ``).

    Returns
    -------
    dict
        The record as written: ``{name: {"table": ..., "baselines": [...], "metric": ...,
        "higher_is_better": ...}}``, where ``"table"`` is ``{model: {column: value}}`` for a
        DataFrame and the plain dict otherwise.

    Raises
    ------
    ValueError
        If the names are empty, the table is empty, a value is not a number or text, or the
        baselines or metric are not rows and a column of the table.
    """
    if not isinstance(notebook, str) or not notebook.strip() or "/" in notebook:
        raise ValueError(f"notebook must be a notebook's stem such as '01_sequences_and_rnns'; got {notebook!r}.")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name must say what the results measure, e.g. 'test RMSE (deg C)'.")
    if isinstance(results, pd.DataFrame):
        if results.empty:
            raise ValueError(f"results is an empty table (shape {results.shape}): there is nothing "
                             "to record. Pass the table with one row per scored model, e.g. what "
                             "compare(y_true, predictions) returns.")
        rows = [str(index) for index in results.index]
        if len(set(rows)) < len(rows):
            repeated = sorted({row for row in rows if rows.count(row) > 1})
            raise ValueError(f"row names {repeated} appear more than once: give every row its own name.")
        baselines = _check_comparison(results, baselines, metric)
        table = {str(index): _plain(row.to_dict()) for index, row in results.iterrows()}
    elif isinstance(results, Mapping) and results:
        if baselines or metric is not None:
            raise ValueError("baselines and metric describe a table: pass a DataFrame with one row per model.")
        baselines = []
        table = _plain(results)
    else:
        raise ValueError("results must be a non-empty DataFrame (one row per model) or dict.")
    record = {"table": table, "baselines": baselines, "metric": metric,
              "higher_is_better": bool(higher_is_better)}
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
    """Every notebook's recorded results in ``folder``: notebook -> {name: record}.

    Raises
    ------
    ValueError
        If ``folder`` does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"No results folder at {folder}: run the notebooks with {RESULTS_ENV}={folder} first.")
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
