"""course_tools.sizing: the arithmetic of the sizing tables, its validation, and a small measurement."""
from __future__ import annotations

import math
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools import cli, sizing
from course_tools.settings import BENCH_DIR
from course_tools.sizing import (Assumptions, GradingRun, LessonRun, Measurements, capacity, ceil_to, footprint,
                                 grading_basis, grading_hours, heaviest_notebooks, peak_rate, peak_rss_table,
                                 pod_resources, render_report)
from errors import clear_error

RESULTS = """\
## FAST mode (`COURSE_FAST=1`): time and memory per notebook

| notebook | wall s | peak RSS MiB | status |
|---|---|---|---|
| 08_text_prediction | 11.9 | 9,999 | ok |

## Full run: time and memory per notebook

| notebook | wall s | peak RSS MiB | status |
|---|---|---|---|
| 00_welcome | 5.4 | 796 | ok |
| 05_architectures | 69.1 | 1,139 | ok |
| 08_text_prediction | 78.0 | 2,011 | ok |
| 09_tuning_and_evaluation | 90.1 | 1,568 | ok |
| **total** | **566** (9.4 min) |  |  |

### Full run: every model against the best baseline of its table
"""


def measurements(server=100.0, fast_peak=900.0, full_peak=1900.0) -> Measurements:
    return Measurements(
        machine={"CPU cores": "2"}, server_mib=server, server_with_kernel_mib=server + 50, idle_kernel_mib=50,
        lessons=[LessonRun("08_text", "fast", fast_peak, 20.0, 20.0, 1.2),   # 1 core busy
                 LessonRun("08_text", "full", full_peak, 150.0, 100.0, 1.9),  # 1.5 cores busy
                 LessonRun("09_tuning", "full", 1000.0, 90.0, 100.0, 1.0)],
        grading=[GradingRun("ps01", 1, 6, 60.0, 50.0, 800.0), GradingRun("ps01", 2, 6, 36.0, 55.0, 1600.0),
                 GradingRun("ps03", 1, 6, 120.0, 100.0, 900.0), GradingRun("ps03", 2, 6, 90.0, 110.0, 1800.0)])


def test_the_peak_memory_comes_from_the_full_run_table():
    assert peak_rss_table(RESULTS) == {"00_welcome": 796, "05_architectures": 1139, "08_text_prediction": 2011,
                                       "09_tuning_and_evaluation": 1568}
    assert peak_rss_table(RESULTS, "FAST mode")["08_text_prediction"] == 9999
    assert peak_rss_table((BENCH_DIR / "RESULTS.md").read_text())  # the committed report parses
    with clear_error("no 'full run: time and memory' table", "course bench", "--notebooks"):
        peak_rss_table("# Benchmark results\n\nnothing measured yet\n")


def test_the_heaviest_notebooks_are_the_largest_peaks_plus_notebook_11():
    peaks = peak_rss_table(RESULTS)
    available = ["00_welcome", "05_architectures", "08_text_prediction", "09_tuning_and_evaluation",
                 "11_decoding_and_autocorrect"]
    assert heaviest_notebooks(peaks, available) == ["08_text_prediction", "09_tuning_and_evaluation",
                                                    "11_decoding_and_autocorrect"]
    # a notebook no longer in notebooks/ is skipped; without an 11 nothing is added
    assert heaviest_notebooks(peaks, ["00_welcome", "05_architectures", "09_tuning_and_evaluation"], count=1) == [
        "09_tuning_and_evaluation"]
    with clear_error("count", "at least 0"):
        heaviest_notebooks(peaks, available, count=-1)


def test_the_peak_rate_is_the_busiest_second():
    steady = [(t * 0.25, t * 0.25 * 1.5) for t in range(20)]  # 1.5 cores for 5 s
    assert peak_rate(steady) == pytest.approx(1.5)
    burst = [(0.0, 0.0), (1.0, 0.2), (2.0, 2.2), (3.0, 2.4)]  # 2 cores in the second second only
    assert peak_rate(burst) == pytest.approx(2.0)
    assert peak_rate([(0.0, 0.0), (0.5, 1.0)]) == 0.0  # shorter than the window: nothing to say


def test_a_students_footprint_is_server_plus_heaviest_kernel_with_headroom():
    m = measurements()
    memory, cores, peak, notebook = footprint(m, "full", Assumptions(headroom=1.25, slowdown=1))
    assert memory == pytest.approx(1.25 * (100 + 1900)) and notebook == "08_text"
    assert cores == pytest.approx(1.5) and peak == pytest.approx(1.9)
    assert footprint(m, "full", Assumptions(slowdown=2))[1] == pytest.approx(0.75)
    assert footprint(m, "fast", Assumptions(headroom=1))[0] == pytest.approx(1000)
    with clear_error("no 'full' lesson run", "--modes full"):
        footprint(Measurements(server_mib=100, lessons=m.lessons[:1]), "full", Assumptions())
    with clear_error("no idle server", "measure"):
        footprint(Measurements(lessons=m.lessons), "fast", Assumptions())


def test_capacity_is_the_smaller_of_memory_and_cpu():
    assert capacity(8, 32, 4096, 1.0) == (8, "memory")      # 8 by memory, 8 by CPU: memory named on a tie
    assert capacity(8, 32, 2048, 1.0) == (8, "CPU")         # 16 by memory
    assert capacity(30, 6, 2048, 1.0) == (3, "memory")
    assert capacity(0.3 * 10, 100, 1024, 0.3) == (10, "CPU")  # 3.0 / 0.3 is 9.999... in floating point
    assert capacity(1.75, 7, 2500, 1.8) == (0, "CPU")
    with clear_error("must be positive", "measure first"):
        capacity(8, 32, 0, 1.0)


def test_kubernetes_settings_are_rounded_up():
    assert ceil_to(2.6, 0.25) == pytest.approx(2.75) and ceil_to(2.5, 0.25) == pytest.approx(2.5)
    pod = pod_resources(2670, 0.75, 1.9)
    assert pod == {"memory.guarantee": 2.75, "memory.limit": 2.75, "cpu.guarantee": pytest.approx(0.8),
                   "cpu.limit": 2.0}
    assert pod_resources(1000, 0.3, 0.5)["cpu.limit"] == 1.0  # at least one core
    with clear_error("step", "positive"):
        ceil_to(1, 0)


@pytest.mark.parametrize("field, value, phrases", [
    ("headroom", 0.9, ("headroom", "at least 1")),
    ("active_share", 0, ("active_share", "(0, 1]")),
    ("active_share", 1.5, ("active_share", "(0, 1]")),
    ("slowdown", 0.5, ("slowdown", "at least 1")),
    ("node_reserve_share", 1.0, ("node_reserve_share", "[0, 1)")),
    ("gib_per_core", 0, ("gib_per_core", "positive")),
    ("server_cores", (0, 8), ("server_cores", "positive integers")),
    ("node_shapes", ((8,),), ("node_shapes", "(cores, gib) pairs")),
    ("class_sizes", (50, 2.5), ("class_sizes", "positive integers")),
])
def test_bad_assumptions_are_refused(field, value, phrases):
    with clear_error(*phrases):
        Assumptions(**{field: value})


def test_grading_is_sized_by_the_slowest_assignment_at_the_most_jobs():
    m = measurements()
    run = grading_basis(m.grading)
    assert (run.assignment, run.jobs) == ("ps03", 2)
    assert run.seconds_per_submission == pytest.approx(15) and run.core_seconds_per_submission == pytest.approx(30)
    hours, jobs = grading_hours(300, 8, 31, run, headroom=1.25)  # 1800 MiB for 2 jobs: 900 per job, 1125 with headroom
    assert jobs == 8 and hours == pytest.approx(300 * 30 / 8 / 3600)
    assert grading_hours(300, 32, 7, run, headroom=1.25)[1] == 6  # memory allows 7 * 1024 / 1125 = 6.4 jobs
    with clear_error("no grading run", "--submissions"):
        grading_basis([])
    with clear_error("jobs >= 1", "submissions >= 1"):
        GradingRun("ps01", 0, 6, 10.0, 10.0, 100.0)


def test_the_report_is_computed_from_the_measurements():
    a = Assumptions(headroom=1.25, gib_per_core=4, active_share=0.25, slowdown=2, server_cores=(8,),
                    server_reserve_gib=1, server_reserve_cores=0.25, node_shapes=((16, 64),), class_sizes=(300,))
    report = render_report(measurements(), a)
    # full: 1.25 * 2000 = 2500 MiB and 0.75 cores; 8 cores: 31 GiB -> 12 by memory, 7.75 / 0.75 -> 10 by CPU
    assert "| 8 cores, 32 GiB | 15 (CPU) | 60 | 10 (CPU) | 40 |" in report  # fast: 1250 MiB, 0.5 cores
    assert "| memory.limit | 1.25G | 2.5G |" in report
    # a 16/64 node gives 57.6 GiB and 14.4 cores: full pods (2.5G, 0.8) -> 18 by CPU; 300 in a lab -> 17 nodes,
    # homework 75 at once -> 5 nodes
    assert "| 16 cores, 64 GiB | full | 18 (CPU) | 17 | 5 |" in report
    assert "ps03, 30.0 core-seconds per submission at --jobs 2" in report
    assert "| 8 cores, 32 GiB | 8 | 19 min |" in report  # 300 * 30 / 8 s
    # a heavier server needs more memory: fewer students where memory binds
    heavier = render_report(measurements(server=2000), a)
    assert "| 8 cores, 32 GiB | 8 (memory) | 32 | 6 (memory) | 24 |" in heavier
    assert "Other work on the machine" not in report  # not measured: nothing claimed
    busy = measurements()
    busy.grading[0] = GradingRun("ps01", 1, 6, 60.0, 50.0, 800.0, others_cores=0.6)
    assert "kept at most 0.60 cores busy during these runs: their wall seconds are longer" in render_report(busy, a)


def test_the_raw_measurements_travel_with_the_report(tmp_path, capsys):
    m = measurements()
    report = tmp_path / "SIZING.md"
    report.write_text(render_report(m, Assumptions()))
    assert Measurements.from_json(sizing._RAW.search(report.read_text()).group(1)) == m
    out = tmp_path / "again.md"
    assert sizing.main(["--from", str(report), "--out", str(out), "--slowdown", "1"]) == 0
    assert "cores (slowdown 1)" in out.read_text() and "cores (slowdown 2)" in report.read_text()
    (tmp_path / "other.md").write_text("# not a sizing report\n")
    assert sizing.main(["--from", str(tmp_path / "other.md"), "--out", str(out)]) == 2
    assert "no raw measurements" in capsys.readouterr().err


@pytest.mark.parametrize("argv, phrase", [
    (["--modes", "slow"], "--modes takes fast and/or full"),
    (["--jobs", "0"], "at least 1"),
    (["--notebooks", "99_nothing"], "no notebook ['99_nothing']"),
    (["--headroom", "0.5"], "headroom"),
])
def test_bad_arguments_are_refused_before_measuring(argv, phrase, capsys):
    assert sizing.main(argv) == 2
    assert phrase.casefold() in capsys.readouterr().err.casefold()


def test_course_sizing_is_a_command():
    assert cli.COMMANDS["sizing"][0] == "course_tools.sizing"
    assert cli._main_of("course_tools.sizing") is sizing.main


def test_a_lesson_is_measured_on_its_kernel(tmp_path):
    """A tiny notebook holding 200 MiB and spinning a second: seen in the kernel's RSS and CPU seconds."""
    nb = new_notebook(cells=[new_code_cell(
        "import time\nblock = bytearray(200 * 2**20)\nstart = time.process_time()\n"
        "while time.process_time() - start < 1: pass")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    run = sizing.measure_lesson(tmp_path / "tiny.ipynb", "fast", timeout=60)
    assert (run.notebook, run.mode) == ("tiny", "fast")
    assert run.peak_rss_mib > 200 and run.cpu_seconds >= 1 and run.wall_seconds > 1
    assert 0 < run.cores_busy <= len(os.sched_getaffinity(0)) + 0.5
    assert not math.isnan(run.peak_cores) and run.others_cores is not None and run.others_cores >= 0
    with clear_error("mode", "'fast' or 'full'"):
        sizing.measure_lesson(tmp_path / "tiny.ipynb", "quick")
