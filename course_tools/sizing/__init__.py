"""``course sizing``: measure what one student costs and size a class's servers from it.

Measured on this machine: the resident memory (RSS) of an idle JupyterLab server of the
course's environment, alone and with one idle kernel; the heaviest lessons executed in FAST
and full mode (peak RSS, CPU seconds and wall seconds of the kernel's process tree, sampled
every 0.25 s); and ``course autograde --jobs J`` on solution submissions in a scratch copy of
the course (seconds per submission, with every score checked to be full). From these numbers
and stated assumptions, :func:`render_report` computes how many students a 2-, 8- or 32-core
server holds and what a Kubernetes node pool needs, and writes ``deploy/SIZING.md``::

    course sizing                                  # measure everything (about 20 minutes)
    course sizing --from deploy/SIZING.md --headroom 1.5   # recompute the tables, measure nothing

The raw measurements are kept in the report (a JSON comment at its end) for ``--from``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from ..settings import BENCH_DIR, NOTEBOOK_DIR, REPO_ROOT

from ._measure import TreeSampler, _machine, measure_grading, measure_lesson, measure_server
from ._tables import (_MODES, _RAW, Assumptions, GradingRun, LessonRun, Measurements, capacity, ceil_to, footprint,
                      grading_basis, grading_hours, heaviest_notebooks, peak_rate, peak_rss_table, pod_resources,
                      render_report)

__all__ = ["Assumptions", "LessonRun", "GradingRun", "Measurements", "TreeSampler", "peak_rss_table",
           "heaviest_notebooks", "peak_rate", "footprint", "capacity", "ceil_to", "pod_resources",
           "grading_basis", "grading_hours", "render_report", "measure_server", "measure_lesson",
           "measure_grading", "main"]



def main(argv: list[str] | None = None) -> int:
    """``course sizing [--notebooks NAME ...] [--modes fast full] [--submissions N] [--jobs 1 2] [--out FILE]``."""
    parser = argparse.ArgumentParser(prog="course sizing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="+", default=None, help="lessons to measure (default: the heaviest "
                        "two in bench/RESULTS.md's full run, and notebook 11)")
    parser.add_argument("--modes", nargs="+", default=list(_MODES), help="fast and/or full (default both)")
    parser.add_argument("--assignments", nargs="+", default=["ps01_lstm_cell", "ps03_forecasting_project"])
    parser.add_argument("--submissions", type=int, default=6, help="solution submissions per assignment (default 6)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to time (default 1 2)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "deploy" / "SIZING.md")
    parser.add_argument("--from", dest="source", type=Path, default=None,
                        help="measure nothing: recompute the tables from the raw measurements in this report")
    parser.add_argument("--headroom", type=float, default=Assumptions.headroom)
    parser.add_argument("--active-share", type=float, default=Assumptions.active_share)
    parser.add_argument("--gib-per-core", type=float, default=Assumptions.gib_per_core)
    parser.add_argument("--slowdown", type=float, default=Assumptions.slowdown,
                        help="how much slower the heaviest lesson may run when all run it at once (default 2)")
    args = parser.parse_args(argv)
    try:
        assumptions = Assumptions(headroom=args.headroom, active_share=args.active_share,
                                  gib_per_core=args.gib_per_core, slowdown=args.slowdown)
        if args.source is not None:
            text = args.source.read_text() if args.source.is_file() else ""
            found = text if args.source.suffix == ".json" else (_RAW.search(text) or [None, None])[1]
            if not found:
                raise ValueError(f"{args.source} holds no raw measurements (a '<!-- sizing-raw' comment): give a "
                                 "report written by `course sizing`, or its raw .json.")
            args.out.write_text(render_report(Measurements.from_json(found), assumptions))
            print(f"wrote {args.out}")
            return 0
        if set(args.modes) - set(_MODES) or args.submissions < 1 or min(args.jobs) < 1:
            raise ValueError(f"--modes takes fast and/or full, --submissions and --jobs at least 1; got "
                             f"{args.modes}, {args.submissions}, {args.jobs}.")
        available = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
        if args.notebooks:
            names = [n.removesuffix(".ipynb") for n in args.notebooks]
            unknown = sorted(set(names) - set(available))
            if unknown:
                raise ValueError(f"No notebook {unknown} in {NOTEBOOK_DIR}; they are: {', '.join(available)}.")
        else:
            names = heaviest_notebooks(peak_rss_table((BENCH_DIR / "RESULTS.md").read_text()), available)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = Measurements(machine=_machine())
    m.machine["measured"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    raw = Path(tempfile.gettempdir()) / "sizing.partial.json"  # what was measured, should a later step fail
    print(f"measuring an idle JupyterLab server; then {', '.join(names)} in {' and '.join(args.modes)} mode; then "
          f"grading {args.submissions} submissions of {', '.join(args.assignments)} with --jobs {args.jobs}", flush=True)
    m.server_mib, m.server_with_kernel_mib, m.idle_kernel_mib = measure_server()
    print(f"  idle server {m.server_mib:.0f} MiB, with a kernel {m.server_with_kernel_mib:.0f} MiB", flush=True)
    for mode in [mode for mode in _MODES if mode in args.modes]:
        for name in names:
            run = measure_lesson(NOTEBOOK_DIR / f"{name}.ipynb", mode)
            m.lessons.append(run)
            raw.write_text(m.to_json())
            print(f"  {mode:4} {name}: peak {run.peak_rss_mib:,.0f} MiB, {run.cpu_seconds:.0f} CPU s in "
                  f"{run.wall_seconds:.0f} s ({run.cores_busy:.2f} cores busy, other work {run.others_cores:.2f})",
                  flush=True)
    with tempfile.TemporaryDirectory(prefix="sizing-grading-") as tmp:
        m.grading = measure_grading(args.assignments, args.submissions, args.jobs, Path(tmp))
    raw.write_text(m.to_json())
    args.out.write_text(render_report(m, assumptions))
    raw.unlink(missing_ok=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
