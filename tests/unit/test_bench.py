"""course_tools.bench: measuring notebooks, reading their results, the report; bench/tutorial_000_aapl.py."""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.bench import (BENCH_DIR, NotebookRun, check_targets, comparisons, main, render_report,
                                run_notebook)


def record(table, baselines=(), metric=None, higher_is_better=False):
    return {"table": table, "baselines": list(baselines), "metric": metric, "higher_is_better": higher_is_better}


RMSE_TABLE = record({"LSTM": {"RMSE": 1.8, "RMSE / noise floor": 1.1}, "linear": {"RMSE": 1.9},
                     "persistence": {"RMSE": 2.5}, "big LSTM": {"RMSE": 2.0}},
                    baselines=["persistence", "linear"], metric="RMSE")
ACCURACY_TABLE = record({"LSTM": {"accuracy": 0.52}, "always up": {"accuracy": 0.55}},
                        baselines=["always up"], metric="accuracy", higher_is_better=True)


def make_runs(fast_seconds=(20.0, 30.0), full_seconds=(100.0, 200.0)):
    runs = []
    for mode, seconds in [("fast", fast_seconds), ("full", full_seconds)]:
        runs.append(NotebookRun("01_sequences_and_rnns", mode, seconds[0], 900.0,
                                results={"next-step test RMSE (series units)": RMSE_TABLE}))
        runs.append(NotebookRun("06_case_study_aapl", mode, seconds[1], 1200.0,
                                results={"direction": ACCURACY_TABLE, "timing": record({"s": 3.0})}))
    return runs


def test_every_model_is_compared_with_the_best_baseline_of_its_table():
    found = {(c.notebook, c.model): c for c in comparisons(make_runs()[:2])}
    assert set(found) == {("01_sequences_and_rnns", "LSTM"), ("01_sequences_and_rnns", "big LSTM"),
                          ("06_case_study_aapl", "LSTM")}
    lstm = found["01_sequences_and_rnns", "LSTM"]
    assert (lstm.baseline, lstm.baseline_value) == ("linear", 1.9)  # the lower of the two baselines
    assert lstm.ratio == pytest.approx(1.8 / 1.9) and lstm.beats
    assert not found["01_sequences_and_rnns", "big LSTM"].beats  # 2.0 loses to linear's 1.9
    accuracy = found["06_case_study_aapl", "LSTM"]
    assert accuracy.baseline == "always up" and not accuracy.beats  # 0.52 < 0.55 with higher better


def test_targets_are_met_or_missed_by_the_numbers():
    verdicts = {target: (measured, verdict) for target, measured, verdict in check_targets(make_runs())}
    assert verdicts["FAST total <= 6 min"] == ("0.8 min", "met")
    assert verdicts["each notebook in FAST mode <= 60 s"] == ("slowest: 06_case_study_aapl, 30 s", "met")
    assert verdicts["full total <= 25 min"] == ("5.0 min", "met")
    assert verdicts["synthetic-series LSTM within 1.15 x the noise floor"] == ("1.10 x the noise floor (full mode)", "met")
    slow = {t: v for t, _, v in check_targets(make_runs(fast_seconds=(61.0, 400.0), full_seconds=(1000.0, 600.0)))}
    assert slow["FAST total <= 6 min"] == slow["each notebook in FAST mode <= 60 s"] == "missed"
    assert slow["full total <= 25 min"] == "missed"


def test_a_failed_notebook_misses_the_first_target():
    runs = make_runs() + [NotebookRun("09_x", "fast", 5.0, error="09_x.ipynb: a cell raised an error")]
    assert check_targets(runs)[0] == ("every notebook executes without an error", "09_x (fast)", "missed")


def test_the_report_has_a_table_per_mode_and_says_what_was_not_measured():
    report = render_report(make_runs(), {"CPU": "test CPU", "GPUs": "none"}, tutorial=None)
    assert "| CPU | test CPU |" in report
    assert "## FAST mode (`COURSE_FAST=1`): time and memory per notebook" in report
    assert "## Full run: time and memory per notebook" in report
    assert "| 01_sequences_and_rnns | 100.0 | 900 | ok |" in report
    assert "| big LSTM | RMSE | 2 | linear | 1.9 | 1.053 | **loses to** |" in report
    assert "Not run (`--no-tutorial`)." in report
    assert "No GPU on this machine" in report


def test_the_tutorial_section_sets_both_pipelines_side_by_side():
    runs = make_runs()
    runs[3].results.update({
        "relative-window LSTM training": record({"training s": 20.0, "epochs": 12, "training windows": 2000,
                                                 "test from": "2020-10-01", "test to": "2022-09-28"}),
        "test close forecast (US$)": record({"LSTM on relative windows": {"RMSE": 2.73}, "persistence": {"RMSE": 2.74}},
                                            baselines=["persistence"], metric="RMSE")})
    tutorial = {"epochs": 10, "training windows": 8370, "training s": 900.0,
                "largest scaled training target": 0.14, "largest scaled test target": 1.0,
                "own test period": {"RMSE": 3.5, "persistence RMSE": 1.9, "days": 2106, "from": "2014-05-01",
                                    "to": "2022-09-27", "data": "all closes"},
                "course test period": {"RMSE": 6.1, "persistence RMSE": 2.74, "days": 500}}
    report = render_report(runs, {"GPUs": "none"}, tutorial)
    assert "| training time ratio (tutorial / course) | **45.0 x** |  |" in report
    assert "| RMSE / persistence on the course's test days | 2.226 | 0.996 |" in report
    assert "The leak did not save it: on its own test period its RMSE is 1.8 times that of persistence." in report
    assert "its training targets reach at most 0.14 and its test targets 1.00" in report
    tutorial["course test period"]["RMSE"] = 2.5  # now the leaky pipeline reports the lower error
    assert "the leak flatters it" in render_report(runs, {"GPUs": "none"}, tutorial)


def test_the_report_can_be_written_again_from_the_raw_measurements(tmp_path, capsys):
    from dataclasses import asdict

    (tmp_path / "runs.json").write_text(json.dumps([asdict(run) for run in make_runs()]))
    (tmp_path / "machine.json").write_text(json.dumps({"CPU": "saved CPU", "GPUs": "none"}))
    assert main(["--render-only", "--out", str(tmp_path), "--report", str(tmp_path / "R.md")]) == 0
    report = (tmp_path / "R.md").read_text()
    assert "| CPU | saved CPU |" in report and "| 06_case_study_aapl | 200.0 | 1,200 | ok |" in report
    assert main(["--render-only", "--out", str(tmp_path / "none"), "--report", str(tmp_path / "R.md")]) == 1
    assert "run the benchmark first" in capsys.readouterr().err


def test_run_notebook_measures_time_memory_and_results(tmp_path):
    path = tmp_path / "03_tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        "import os\nimport pandas as pd\nfrom course_utils.results import record_results\n"
        "fast = os.environ['COURSE_FAST']\n"
        "record_results('03_tiny', 'scores', pd.DataFrame({'RMSE': [1.0, 2.0]}, index=['model', 'naive']),\n"
        "               baselines=['naive'], metric='RMSE')\n"
        "record_results('03_tiny', 'mode', {'fast': fast})")]), path)
    run = run_notebook(path, mode="fast", out=tmp_path / "out")
    assert run.error is None and run.seconds > 0 and run.peak_rss_mb > 10
    assert run.results["mode"]["table"] == {"fast": "1"}
    assert [c.ratio for c in comparisons([run])] == [0.5]
    assert not nbformat.read(path, as_version=4).cells[0].outputs  # the file is not touched


def test_run_notebook_reports_an_error_instead_of_raising(tmp_path):
    path = tmp_path / "04_broken.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 / 0")]), path)
    run = run_notebook(path, mode="full", out=tmp_path / "out")
    assert run.error.startswith("04_broken.ipynb: a cell raised an error")
    assert run.error.endswith("ZeroDivisionError: division by zero") and run.peak_rss_mb is None


@pytest.mark.parametrize("argv, message", [
    (["--modes", "quick"], "--modes takes fast and/or full"),
    (["--only", "77"], "--only '77' matches no notebook"),
])
def test_bad_arguments_say_what_to_do(argv, message, capsys):
    assert main(argv + ["--out", "/nonexistent/out"]) == 1
    assert message in capsys.readouterr().err


def test_the_tutorial_script_runs_as_written_on_a_short_stretch(tmp_path):
    out = tmp_path / "t.json"
    done = subprocess.run([sys.executable, str(BENCH_DIR / "tutorial_000_aapl.py"), "--json", str(out),
                           "--epochs", "1", "--last-rows", "300", "--common-from", "2022-08-01",
                           "--common-to", "2022-12-31"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    # 300 rows: 240 for training -> 240 - 60 - 1 = 179 windows (the loop drops one); 60 test rows -> 59 targets
    assert result["training windows"] == 179 and result["own test period"]["days"] == 59
    assert result["own test period"]["to"] == "2022-09-27"  # the newest close is lost by the loop
    assert 0 < result["course test period"]["days"] < 59
    assert 0 < result["largest scaled training target"] <= 1 and 0 < result["largest scaled test target"] <= 1
    assert result["training s"] > 0 and result["own test period"]["RMSE"] > 0


def test_the_tutorial_script_refuses_bad_sizes(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH_DIR / "tutorial_000_aapl.py"), "--json", str(tmp_path / "t.json"),
                           "--epochs", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--epochs must be >= 1" in done.stderr
