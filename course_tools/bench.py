"""The course benchmark (`make bench`): how fast the notebooks run and how good their models are.

    course bench                       # FAST and full mode, then the tutorial comparison
    course bench --modes fast --no-tutorial --only 00 01

Every notebook of :func:`course_utils.navigation.lessons` is executed top to bottom, one kernel
at a time, once in FAST mode and once in the full run. For each run the benchmark records the
wall time (kernel start to last cell), the peak resident memory of the kernel, and the tables the
notebook recorded with :func:`course_utils.results.record_results`. Then it runs
``bench/tutorial_000_aapl.py``, the AAPL training of source tutorial ``000`` as written, beside
the numbers of notebook 06's full run. It writes ``bench/RESULTS.md`` (the report) and the raw
measurements under ``bench/out/`` (ignored by git).

A benchmark, not a test: nothing here fails because a number is slow or poor; the report says
which targets were met.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from course_utils.navigation import lessons
from course_utils.results import RESULTS_ENV, read_results

from course_tools.execute import NotebookExecutionError, execute_notebook
from course_tools.settings import BENCH_DIR, LESSON_CELL_TIMEOUT, REPO_ROOT

__all__ = ["BENCH_DIR", "TARGETS", "NotebookRun", "Comparison", "run_notebook", "comparisons",
           "machine_info", "check_targets", "render_report", "run_tutorial", "main"]

#: Folder of the benchmark: the tutorial script, the report and (ignored by git) raw output.

#: The targets the report checks, from the benchmark's issue.
TARGETS = {
    "fast_total_s": 6 * 60,
    "fast_notebook_s": 60,
    "full_total_s": 25 * 60,
    "noise_floor_ratio": 1.15,
}

_MODES = ("fast", "full")
#: Seconds one cell may run, by mode.
# Appended to each notebook: reports the kernel's peak resident memory (ru_maxrss is in
# kilobytes on Linux and in bytes on macOS).
_MEMORY_PROBE = (
    "import json as _json, resource as _resource, sys as _sys\n"
    "_peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss\n"
    "print(_json.dumps({'peak_rss_mb': _peak / (2**20 if _sys.platform == 'darwin' else 2**10)}))"
)
# The table of notebook 01 that holds the synthetic-series model and its noise-floor column.
_NOISE_FLOOR = ("01_sequences_and_rnns", "next-step test RMSE (series units)", "LSTM", "RMSE / noise floor")
_AAPL_NOTEBOOK = "06_case_study_aapl"


@dataclass
class NotebookRun:
    """One execution of one notebook.

    Attributes
    ----------
    notebook, mode
        The notebook's stem and ``"fast"`` or ``"full"``.
    seconds
        Wall-clock seconds from starting the kernel to the end of the last cell.
    peak_rss_mb
        Peak resident memory of the kernel in MiB (``None`` if the notebook did not finish).
    error
        What went wrong, or ``None``.
    results
        The tables the notebook recorded: name -> record (see ``record_results``).
    """

    notebook: str
    mode: str
    seconds: float
    peak_rss_mb: float | None = None
    error: str | None = None
    results: dict[str, Any] = field(default_factory=dict)


@dataclass
class Comparison:
    """One model of one recorded table against the best baseline of that table."""

    notebook: str
    table: str
    model: str
    metric: str
    value: float
    baseline: str
    baseline_value: float
    higher_is_better: bool

    @property
    def ratio(self) -> float:
        """The model's metric divided by the best baseline's."""
        return self.value / self.baseline_value if self.baseline_value else float("nan")

    @property
    def beats(self) -> bool:
        return self.value > self.baseline_value if self.higher_is_better else self.value < self.baseline_value


def run_notebook(path: Path, *, mode: str, out: Path, timeout: int | None = None) -> NotebookRun:
    """Execute one notebook in ``mode`` and measure it.

    Parameters
    ----------
    path
        The ``.ipynb`` file (not modified).
    mode
        ``"fast"`` (``COURSE_FAST=1``) or ``"full"``.
    out
        Folder for this mode's recorded results (``<out>/<stem>.json``, replaced).
    timeout
        Seconds one cell may run (default 600 in FAST mode, 3600 in the full run).

    Returns
    -------
    NotebookRun
        With ``error`` set, rather than raised, when a cell fails.
    """
    import nbformat
    from nbformat.v4 import new_code_cell


    if mode not in _MODES:
        raise ValueError(f"mode must be 'fast' or 'full'; got {mode!r}.")
    path = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{path.stem}.json").unlink(missing_ok=True)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(new_code_cell(_MEMORY_PROBE))
    start = time.perf_counter()
    try:
        execute_notebook(path, fast=mode == "fast", timeout=timeout or LESSON_CELL_TIMEOUT[mode], notebook=notebook,
                         env={RESULTS_ENV: str(out.resolve())}, kernel_log=out / "kernel-stderr.log")
    except NotebookExecutionError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        error = lines[0] if len(lines) < 2 else f"{lines[0]} {lines[-1]}"  # where, then the exception
        return NotebookRun(path.stem, mode, time.perf_counter() - start, error=error)
    seconds = time.perf_counter() - start
    probe = json.loads(notebook.cells[-1].outputs[-1]["text"])
    recorded = read_results(out).get(path.stem, {})
    return NotebookRun(path.stem, mode, seconds, round(probe["peak_rss_mb"], 1), results=recorded)


def comparisons(runs: Iterable[NotebookRun]) -> list[Comparison]:
    """Every model of every recorded comparison table against that table's best baseline.

    A table counts when it was recorded with ``baselines=`` and ``metric=``; the best baseline
    is the one with the lowest metric (the highest with ``higher_is_better``). Rows whose
    metric is missing are left out.
    """
    found = []
    for run in runs:
        for name, record in run.results.items():
            baselines, metric = record.get("baselines") or [], record.get("metric")
            if not baselines or metric is None:
                continue
            table, better = record["table"], record.get("higher_is_better", False)
            scored = {row: values.get(metric) for row, values in table.items()
                      if isinstance(values.get(metric), (int, float))}
            ranked = [(scored[row], row) for row in baselines if row in scored]
            if not ranked:
                continue
            best_value, best = max(ranked) if better else min(ranked)
            for row, value in scored.items():
                if row not in baselines:
                    found.append(Comparison(run.notebook, name, row, metric, value, best, best_value, better))
    return found


def machine_info() -> dict[str, str]:
    """What the benchmark ran on: processor, cores, memory, Python and the main packages."""
    from course_utils.system import package_versions

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    info = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "platform": platform.platform(),
            "CPU": cpu, "CPU cores": str(os.cpu_count())}
    if hasattr(os, "sched_getaffinity"):
        info["cores this process may use"] = str(len(os.sched_getaffinity(0)))
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total_kb = int(meminfo.read_text().split()[1])
        info["memory"] = f"{total_kb / 2**20:.1f} GiB"
    info["python"] = platform.python_version()
    for name, version in package_versions(("tensorflow", "tensorflow-cpu", "keras", "numpy")).items():
        if version != "not installed":
            info[name] = version
    info["GPUs"] = _gpus()
    return info


def _gpus() -> str:
    """GPUs TensorFlow sees, asked in a child process so that this one stays light."""
    code = "import tensorflow as tf; print(', '.join(g.name for g in tf.config.list_physical_devices('GPU')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return done.stdout.strip() or "none"


def _total(runs: list[NotebookRun], mode: str) -> float:
    return sum(run.seconds for run in runs if run.mode == mode)


def _noise_floor_ratio(runs: list[NotebookRun], mode: str) -> float | None:
    notebook, table, model, column = _NOISE_FLOOR
    for run in runs:
        if run.mode == mode and run.notebook == notebook:
            return run.results.get(table, {}).get("table", {}).get(model, {}).get(column)
    return None


def check_targets(runs: list[NotebookRun]) -> list[tuple[str, str, str]]:
    """Each target of the benchmark as ``(target, measured, verdict)``, for the modes that ran."""
    rows = []
    modes = {run.mode for run in runs}
    failed = [f"{run.notebook} ({run.mode})" for run in runs if run.error]
    rows.append(("every notebook executes without an error", ", ".join(failed) or "all did",
                 "missed" if failed else "met"))
    if "fast" in modes:
        total = _total(runs, "fast")
        rows.append((f"FAST total <= {TARGETS['fast_total_s'] / 60:.0f} min", f"{total / 60:.1f} min",
                     "met" if total <= TARGETS["fast_total_s"] else "missed"))
        slowest = max((run for run in runs if run.mode == "fast"), key=lambda run: run.seconds)
        rows.append((f"each notebook in FAST mode <= {TARGETS['fast_notebook_s']} s",
                     f"slowest: {slowest.notebook}, {slowest.seconds:.0f} s",
                     "met" if slowest.seconds <= TARGETS["fast_notebook_s"] else "missed"))
    if "full" in modes:
        total = _total(runs, "full")
        rows.append((f"full total <= {TARGETS['full_total_s'] / 60:.0f} min", f"{total / 60:.1f} min",
                     "met" if total <= TARGETS["full_total_s"] else "missed"))
    found = comparisons(runs)
    models = len({(c.notebook, c.table, c.model) for c in found})
    tables = len({(c.notebook, c.table) for c in found})
    rows.append(("every forecasting model reported with its ratio to the best baseline",
                 f"{models} model rows in {tables} tables", "met" if found else "missed"))
    for mode in ("full", "fast"):
        if mode in modes:
            ratio = _noise_floor_ratio(runs, mode)
            measured = "not recorded" if ratio is None else f"{ratio:.2f} x the noise floor ({mode} mode)"
            verdict = "missed" if ratio is None or ratio > TARGETS["noise_floor_ratio"] else "met"
            rows.append((f"synthetic-series LSTM within {TARGETS['noise_floor_ratio']} x the noise floor",
                         measured, verdict))
            break
    return rows


def _table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _tutorial_section(tutorial: Mapping[str, Any] | None, runs: list[NotebookRun]) -> list[str]:
    lines = ["## Source tutorial 000's AAPL training as written vs the course's notebook 06", ""]
    course = next((run for run in runs if run.notebook == _AAPL_NOTEBOOK and run.mode == "full" and not run.error),
                  None)
    if tutorial is None:
        return lines + ["Not run (`--no-tutorial`).", ""]
    if "error" in tutorial:
        return lines + [f"The tutorial script failed: {tutorial['error']}", ""]
    own = tutorial["own test period"]
    common = tutorial.get("course test period")
    rows = [("what is trained", "2 x LSTM(50) + dropout, Dense(25), Dense(1)", "LSTM(32), Dense(1)"),
            ("data", own["data"], "closes from 2010, 70/15/15 split in time"),
            ("scaler fitted on", "all prices, test years included", "training rows only (windows relative to the last price)")]
    training = course.results.get("relative-window LSTM training", {}).get("table", {}) if course else {}
    prices = course.results.get("test close forecast (US$)", {}).get("table", {}) if course else {}
    rows.append(("training", f"{tutorial['epochs']} epochs at batch_size=1, {tutorial['training windows']:,} windows",
                 f"{training.get('epochs', '?')} epochs (early stopping) at batch_size=64, "
                 f"{training.get('training windows', 0):,} windows" if training else "not measured (needs the full run of 06)"))
    rows.append(("training time", f"{tutorial['training s']:.0f} s",
                 f"{training['training s']:.0f} s" if training else "?"))
    if training:
        rows.append(("training time ratio (tutorial / course)",
                     f"**{tutorial['training s'] / training['training s']:.1f} x**", ""))
    rows.append(("test RMSE on its own test period (US$)",
                 f"{own['RMSE']:.2f} ({own['from']} to {own['to']}, {own['days']:,} days; persistence {own['persistence RMSE']:.2f})",
                 f"{prices['LSTM on relative windows']['RMSE']:.2f} (persistence {prices['persistence']['RMSE']:.2f})"
                 if prices else "?"))
    if common and prices:
        rows.append(("test RMSE on the course's test days (US$)",
                     f"{common['RMSE']:.2f} ({common['days']} days; persistence {common['persistence RMSE']:.2f})",
                     f"{prices['LSTM on relative windows']['RMSE']:.2f} (persistence {prices['persistence']['RMSE']:.2f})"))
        rows.append(("RMSE / persistence on the course's test days",
                     f"{common['RMSE'] / common['persistence RMSE']:.3f}",
                     f"{prices['LSTM on relative windows']['RMSE'] / prices['persistence']['RMSE']:.3f}"))
    lines.append(_table(["", "tutorial 000 as written (`bench/tutorial_000_aapl.py`)", "course, notebook 06 (full run)"], rows))
    lines += ["", "Both ran on this machine in this run. " + _tutorial_verdict(tutorial, common, prices), ""]
    return lines


def _tutorial_verdict(tutorial: Mapping[str, Any], common: Mapping[str, Any] | None, prices: Mapping[str, Any]) -> str:
    """What the tutorial comparison shows, worded from the numbers (never assumed)."""
    why = ("The tutorial's scaler was fitted on every price, test years included, so its test targets "
           "lie inside the range it was scaled to; the course's honest pipeline cannot use that "
           "information. ")
    if not (common and prices):
        return why + "Without notebook 06's full run there is no like-for-like comparison in this report."
    course = prices["LSTM on relative windows"]["RMSE"]
    if common["RMSE"] < course:
        return why + ("On the same test days the leaky tutorial reports the lower error: the leak flatters it, "
                      "which is why a lower number from a leaky pipeline is not evidence of a better model.")
    own = tutorial["own test period"]
    ranges = ""
    if "largest scaled training target" in tutorial:
        ranges = (f" On the scaler's 0-1 scale its training targets reach at most "
                  f"{tutorial['largest scaled training target']:.2f} and its test targets "
                  f"{tutorial['largest scaled test target']:.2f}: a network fitted to one range is asked for "
                  "values in another, the problem notebook 06 measures with an honest min-max scaler and "
                  "avoids with windows relative to their last price.")
    return why + (f"The leak did not save it: on its own test period its RMSE is "
                  f"{own['RMSE'] / own['persistence RMSE']:.1f} times that of persistence.{ranges} "
                  "The ratio to persistence on the same days is the measure that makes the two comparable.")


def _gpu_section(runs: list[NotebookRun], info: Mapping[str, str]) -> list[str]:
    lines = ["## GPU: the fused cuDNN LSTM kernel against `activation=\"relu\"`", ""]
    timing = next((run.results.get("seconds per training epoch", {}).get("table") for run in runs
                   if run.notebook == "04_training_lstms" and run.mode == "full" and not run.error), None)
    if info.get("GPUs", "none") == "none":
        lines.append("No GPU on this machine, so the cuDNN comparison was not measured.")
        if timing:
            lines.append(f"On this CPU both layers run the same generic loop: one epoch at batch_size=32 took "
                         f"{timing['batch_size=32 (tanh)']:.2f} s with tanh and {timing['batch_size=32 (relu)']:.2f} s "
                         f"with relu (ratio {timing['relu / tanh']:.2f}; notebook 04, full run).")
    elif timing:
        lines.append(f"Notebook 04's full run on {info['GPUs']}: one epoch at batch_size=32 took "
                     f"{timing['batch_size=32 (tanh)']:.2f} s with tanh (cuDNN) and {timing['batch_size=32 (relu)']:.2f} s "
                     f"with relu (generic loop): the fused kernel is **{timing['relu / tanh']:.1f} x** faster.")
    else:
        lines.append("Notebook 04's full run did not record its epoch timings.")
    return lines + [""]


def render_report(runs: list[NotebookRun], info: Mapping[str, str],
                  tutorial: Mapping[str, Any] | None = None) -> str:
    """The benchmark report (markdown) for ``bench/RESULTS.md``."""
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`course bench`); do not edit by hand. "
             "The targets are for 2 CPU cores: compare the machine below.", "",
             "## Machine", "", _table(["", ""], info.items()), "",
             "## Targets", "", _table(["target", "measured", ""], check_targets(runs)), ""]
    for mode in _MODES:
        mode_runs = [run for run in runs if run.mode == mode]
        if not mode_runs:
            continue
        title = "FAST mode (`COURSE_FAST=1`)" if mode == "fast" else "Full run"
        rows = [(run.notebook, f"{run.seconds:.1f}", f"{run.peak_rss_mb:,.0f}" if run.peak_rss_mb else "-",
                 run.error or "ok") for run in mode_runs]
        rows.append(("**total**", f"**{_total(runs, mode):.0f}** ({_total(runs, mode) / 60:.1f} min)", "", ""))
        lines += [f"## {title}: time and memory per notebook", "",
                  _table(["notebook", "wall s", "peak RSS MiB", "status"], rows), ""]
        found = comparisons(mode_runs)
        if found:
            rows = [(c.notebook, c.table, c.model, c.metric, _number(c.value), c.baseline, _number(c.baseline_value),
                     f"{c.ratio:.3f}", "beats" if c.beats else "**loses to**") for c in found]
            lines += [f"### {title}: every model against the best baseline of its table", "",
                      "The ratio is the model's metric over the best baseline's: below 1 beats it for an "
                      "error, above 1 for an accuracy.", "",
                      _table(["notebook", "table", "model", "metric", "model", "best baseline", "baseline",
                              "ratio", "verdict"], rows), ""]
    lines += _tutorial_section(tutorial, runs)
    lines += _gpu_section(runs, info)
    return "\n".join(lines).rstrip() + "\n"


def run_tutorial(out: Path, runs: list[NotebookRun], extra_args: list[str] | None = None) -> dict[str, Any]:
    """Run ``bench/tutorial_000_aapl.py`` in its own process and return what it measured.

    The test days of notebook 06's full run (when it ran) are passed on, so that both are also
    scored on the same days.
    """
    args = [sys.executable, str(BENCH_DIR / "tutorial_000_aapl.py"), "--json", str(out / "tutorial_000_aapl.json")]
    course = next((run for run in runs if run.notebook == _AAPL_NOTEBOOK and run.mode == "full" and not run.error),
                  None)
    training = course.results.get("relative-window LSTM training", {}).get("table") if course else None
    if training:
        args += ["--common-from", training["test from"], "--common-to", training["test to"]]
    done = subprocess.run(args + list(extra_args or []), capture_output=True, text=True, cwd=REPO_ROOT,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["exit status %d" % done.returncode])[-1]}
    return json.loads((out / "tutorial_000_aapl.json").read_text())


def _render_from(out: Path, report: Path) -> int:
    """Write the report from the raw measurements of an earlier run (``--render-only``)."""
    try:
        runs = [NotebookRun(**run) for run in json.loads((out / "runs.json").read_text())]
        info = json.loads((out / "machine.json").read_text())
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: no complete measurements in {out} ({exc}); run the benchmark first.", file=sys.stderr)
        return 1
    tutorial_path = out / "tutorial_000_aapl.json"
    tutorial = json.loads(tutorial_path.read_text()) if tutorial_path.is_file() else None
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render_report(runs, info, tutorial))
    print(f"wrote {report} from the measurements in {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course bench", description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="fast,full", help="comma-separated: fast, full (default both)")
    parser.add_argument("--only", nargs="+", metavar="NN", help="only these notebooks (numbers or stems)")
    parser.add_argument("--no-tutorial", action="store_true", help="skip the tutorial 000 comparison")
    parser.add_argument("--tutorial-args", default="", help="extra arguments for bench/tutorial_000_aapl.py")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out", help="raw measurements (default bench/out)")
    parser.add_argument("--report", type=Path, default=BENCH_DIR / "RESULTS.md", help="the report (default bench/RESULTS.md)")
    parser.add_argument("--render-only", action="store_true",
                        help="run nothing: write the report again from the measurements in --out")
    args = parser.parse_args(argv)
    from course_tools.site import select_lessons

    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    try:
        unknown = [mode for mode in modes if mode not in _MODES]
        if unknown or not modes:
            raise ValueError(f"--modes takes fast and/or full, comma-separated; got {args.modes!r}.")
        chosen = select_lessons(lessons(), args.only)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.render_only:
        return _render_from(args.out, args.report)
    info = machine_info()
    print("machine: " + ", ".join(f"{key} {value}" for key, value in info.items()), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "machine.json").write_text(json.dumps(info, indent=2) + "\n")
    (args.out / "tutorial_000_aapl.json").unlink(missing_ok=True)
    runs = []
    for mode in modes:
        for lesson in chosen:
            run = run_notebook(lesson.path, mode=mode, out=args.out / mode)
            runs.append(run)
            status = run.error or f"peak {run.peak_rss_mb:.0f} MiB"
            print(f"{mode:4s} {run.notebook:28s} {run.seconds:7.1f} s  {status}", flush=True)
    (args.out / "runs.json").write_text(json.dumps([asdict(run) for run in runs], indent=2) + "\n")
    tutorial = None
    if not args.no_tutorial:
        print("tutorial 000's AAPL training as written (batch_size=1, 10 epochs): this takes a while", flush=True)
        tutorial = run_tutorial(args.out, runs, args.tutorial_args.split())
        print("tutorial: " + (tutorial.get("error") or f"{tutorial['training s']:.0f} s of training"), flush=True)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(render_report(runs, info, tutorial))
    print(f"wrote {args.report}")
    for target, measured, verdict in check_targets(runs):
        print(f"  {verdict:6s} {target}: {measured}")
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
