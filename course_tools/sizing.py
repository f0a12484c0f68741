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
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .settings import ASSIGNMENTS_DIR, BENCH_DIR, LESSON_CELL_TIMEOUT, NOTEBOOK_DIR, REPO_ROOT

__all__ = ["Assumptions", "LessonRun", "GradingRun", "Measurements", "TreeSampler", "peak_rss_table",
           "heaviest_notebooks", "peak_rate", "footprint", "capacity", "ceil_to", "pod_resources",
           "grading_basis", "grading_hours", "render_report", "measure_server", "measure_lesson",
           "measure_grading", "main"]

_MODES = ("fast", "full")
_RAW = re.compile(r"<!-- sizing-raw\n(.*?)\n-->", re.S)


@dataclass(frozen=True)
class Assumptions:
    """What the tables assume beyond the measurements (every field is printed in the report).

    Parameters
    ----------
    headroom
        Factor on a student's measured memory (a second notebook open, a larger plot, the
        JupyterLab UI loaded in a browser). At least 1.
    gib_per_core
        Memory of a server per core (cloud general-purpose machines: 4 GiB).
    active_share
        Homework: the share of the class with a running server at once (the idle culler stops
        the others). In (0, 1].
    slowdown
        How much slower than on an idle machine the heaviest lesson may run when every active
        student runs it at once: a student needs ``cores busy / slowdown`` cores (CPU is shared,
        not lost; 1 sizes for no slowdown at all). At least 1.
    server_reserve_gib, server_reserve_cores
        What a single server keeps for the OS, the hub and the proxy.
    node_reserve_share
        The share of a Kubernetes node's memory and cores not allocatable to users (kubelet,
        system pods, eviction threshold; about 10 % on GKE and EKS nodes of this size).
    server_cores, node_shapes, class_sizes
        The machines and classes in the tables; a node shape is ``(cores, GiB)``.
    """

    headroom: float = 1.25
    gib_per_core: float = 4.0
    active_share: float = 0.25
    slowdown: float = 2.0
    server_reserve_gib: float = 1.0
    server_reserve_cores: float = 0.25
    node_reserve_share: float = 0.10
    server_cores: tuple[int, ...] = (2, 8, 32)
    node_shapes: tuple[tuple[int, int], ...] = ((8, 32), (16, 64))
    class_sizes: tuple[int, ...] = (50, 300, 1000)

    def __post_init__(self) -> None:
        if not self.headroom >= 1:
            raise ValueError(f"headroom is a factor on measured memory, at least 1 (e.g. 1.25); got {self.headroom}.")
        if not 0 < self.active_share <= 1:
            raise ValueError(f"active_share is the share of the class active at once, in (0, 1] (e.g. 0.25); "
                             f"got {self.active_share}.")
        if not self.slowdown >= 1:
            raise ValueError(f"slowdown is how much slower a lesson may run when all run it at once, at least 1 "
                             f"(1: no slowdown); got {self.slowdown}.")
        if not 0 <= self.node_reserve_share < 1:
            raise ValueError(f"node_reserve_share must be in [0, 1) (e.g. 0.1); got {self.node_reserve_share}.")
        if not (self.gib_per_core > 0 and self.server_reserve_gib >= 0 and self.server_reserve_cores >= 0):
            raise ValueError("gib_per_core must be positive and the server reserves at least 0; "
                             f"got {self.gib_per_core}, {self.server_reserve_gib}, {self.server_reserve_cores}.")
        sizes = [*self.server_cores, *self.class_sizes, *(n for shape in self.node_shapes for n in shape)]
        if not sizes or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes) or any(
                len(shape) != 2 for shape in self.node_shapes):
            raise ValueError("server_cores and class_sizes are positive integers and node_shapes (cores, GiB) pairs "
                             f"of them; got {self.server_cores}, {self.node_shapes}, {self.class_sizes}.")


@dataclass(frozen=True)
class LessonRun:
    """One lesson executed in one mode: its kernel tree's peak RSS, CPU and wall seconds."""

    notebook: str
    mode: str
    peak_rss_mib: float
    cpu_seconds: float
    wall_seconds: float
    peak_cores: float = 0.0
    others_cores: float | None = None  # cores busy with other work on the machine meanwhile

    @property
    def cores_busy(self) -> float:
        """Average cores busy: CPU seconds per wall second."""
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass(frozen=True)
class GradingRun:
    """``course autograde --jobs J`` of N submissions of one assignment."""

    assignment: str
    jobs: int
    submissions: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    others_cores: float | None = None

    def __post_init__(self) -> None:
        if self.jobs < 1 or self.submissions < 1 or self.wall_seconds <= 0:
            raise ValueError(f"A grading run needs jobs >= 1, submissions >= 1 and a positive time; got jobs="
                             f"{self.jobs}, submissions={self.submissions}, wall_seconds={self.wall_seconds}.")

    @property
    def seconds_per_submission(self) -> float:
        return self.wall_seconds / self.submissions

    @property
    def core_seconds_per_submission(self) -> float:
        """Wall seconds times the jobs, per submission: what one submission costs a core."""
        return self.wall_seconds * self.jobs / self.submissions


@dataclass
class Measurements:
    """Everything measured: the machine, the idle server, the lessons and the grading runs."""

    machine: dict[str, str] = field(default_factory=dict)
    server_mib: float = 0.0
    server_with_kernel_mib: float = 0.0
    idle_kernel_mib: float = 0.0
    lessons: list[LessonRun] = field(default_factory=list)
    grading: list[GradingRun] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Measurements:
        raw = json.loads(text)
        return cls(raw["machine"], raw["server_mib"], raw["server_with_kernel_mib"], raw["idle_kernel_mib"],
                   [LessonRun(**r) for r in raw["lessons"]], [GradingRun(**r) for r in raw["grading"]])


# --- pure parts: the arithmetic of the tables ---------------------------------------------

def peak_rss_table(results_md: str, section: str = "Full run") -> dict[str, float]:
    """Peak RSS (MiB) per notebook from the table under ``## <section>: time and memory`` of bench/RESULTS.md.

    Raises
    ------
    ValueError
        If the report has no such table (run ``course bench`` first, or name the notebooks).
    """
    match = re.search(rf"^## {re.escape(section)}[^\n]*time and memory[^\n]*\n(.*?)(?=^#|\Z)", results_md, re.M | re.S)
    rows = re.findall(r"^\|\s*(\d\d_\w+)\s*\|\s*[\d.,]+\s*\|\s*([\d,]+)\s*\|", match.group(1), re.M) if match else []
    if not rows:
        raise ValueError(f"No '{section}: time and memory' table with peak RSS in the benchmark report: run "
                         "`course bench`, or give the notebooks with --notebooks.")
    return {name: float(peak.replace(",", "")) for name, peak in rows}


def heaviest_notebooks(peaks: dict[str, float], available: list[str], count: int = 2,
                       always: tuple[str, ...] = ("11",)) -> list[str]:
    """The ``count`` available notebooks of largest peak memory, plus those whose number is in ``always``."""
    if count < 0:
        raise ValueError(f"count is how many notebooks to take, at least 0; got {count}.")
    ranked = sorted((n for n in peaks if n in available), key=lambda n: -peaks[n])[:count]
    extra = [n for n in available if n.split("_")[0] in always and n not in ranked]
    return sorted(ranked + extra)


def peak_rate(samples: list[tuple[float, float]], window: float = 1.0) -> float:
    """The largest CPU seconds per wall second over any ``window`` seconds of ``(time, cpu)`` samples."""
    best, start = 0.0, 0
    for end in range(1, len(samples)):
        while start < end - 1 and samples[end][0] - samples[start + 1][0] >= window:
            start += 1
        span = samples[end][0] - samples[start][0]
        if span >= window:
            best = max(best, (samples[end][1] - samples[start][1]) / span)
    return best


def footprint(m: Measurements, mode: str, a: Assumptions) -> tuple[float, float, float, str]:
    """``(memory MiB, cores, peak cores, heaviest notebook)`` of one student in ``mode``.

    Memory is ``headroom * (idle server + largest kernel peak)``; cores are the largest average
    cores busy of the lessons measured in that mode, divided by the accepted ``slowdown``.

    Raises
    ------
    ValueError
        If no lesson or no idle server was measured in that mode.
    """
    runs = [r for r in m.lessons if r.mode == mode]
    if mode not in _MODES or not runs or m.server_mib <= 0:
        raise ValueError(f"No {mode!r} lesson run or no idle server measured: measure with --modes {mode} "
                         f"(modes are {', '.join(_MODES)}).")
    heaviest = max(runs, key=lambda r: r.peak_rss_mib)
    cores = max(r.cores_busy for r in runs)
    return (a.headroom * (m.server_mib + heaviest.peak_rss_mib), cores / a.slowdown,
            max(max(r.peak_cores for r in runs), cores), heaviest.notebook)


def capacity(cores: float, gib: float, student_mib: float, student_cores: float) -> tuple[int, str]:
    """Students that fit at once on ``cores`` and ``gib`` left for users: ``(count, 'memory' or 'CPU')``.

    Raises
    ------
    ValueError
        If a student's memory or cores are not positive.
    """
    if student_mib <= 0 or student_cores <= 0:
        raise ValueError(f"A student's memory and cores must be positive (measure first); got {student_mib} MiB, "
                         f"{student_cores} cores.")
    by_memory = math.floor(max(gib, 0) * 1024 / student_mib)
    by_cpu = math.floor(max(cores, 0) / student_cores + 1e-9)
    return (by_memory, "memory") if by_memory <= by_cpu else (by_cpu, "CPU")


def ceil_to(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step``."""
    if step <= 0:
        raise ValueError(f"step must be positive; got {step}.")
    return math.ceil(value / step - 1e-9) * step


def pod_resources(student_mib: float, cores: float, peak_cores: float) -> dict[str, float]:
    """Zero to JupyterHub's ``singleuser`` settings: memory in GiB (a multiple of 0.25), CPU in cores.

    The memory guarantee equals the limit (memory cannot be taken back, and a live lab reaches the
    peak in every pod at once); the CPU guarantee is a student's cores (a multiple of 0.1), the
    limit the peak cores busy, at least one core.
    """
    memory = ceil_to(student_mib / 1024, 0.25)
    return {"memory.guarantee": memory, "memory.limit": memory, "cpu.guarantee": ceil_to(cores, 0.1),
            "cpu.limit": max(1.0, float(math.ceil(peak_cores - 1e-9)))}


def grading_basis(runs: list[GradingRun]) -> GradingRun:
    """The run that sizes grading: the slowest assignment, at the most jobs measured for it."""
    if not runs:
        raise ValueError("No grading run measured: measure with --submissions N --jobs 1 2.")
    slowest = max({r.assignment for r in runs},
                  key=lambda name: max(r.core_seconds_per_submission for r in runs if r.assignment == name))
    return max((r for r in runs if r.assignment == slowest), key=lambda r: r.jobs)


def grading_hours(students: int, cores: int, gib: float, run: GradingRun, headroom: float) -> tuple[float, int]:
    """``(hours, jobs)`` to grade ``students`` submissions on one machine, jobs = cores as memory allows."""
    jobs = max(1, min(cores, math.floor(gib * 1024 / (headroom * run.peak_rss_mib / run.jobs))))
    return students * run.core_seconds_per_submission / jobs / 3600, jobs


def _duration(hours: float) -> str:
    return f"{hours * 60:.1f} min" if hours < 1 / 6 else f"{hours * 60:.0f} min" if hours < 2 else f"{hours:.1f} h"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(str(c) for c in row) + " |" for row in rows), ""]


def render_report(m: Measurements, a: Assumptions) -> str:
    """The Markdown of deploy/SIZING.md: tables computed from ``m`` and ``a``, formulas, raw data."""
    modes = [mode for mode in _MODES if any(r.mode == mode for r in m.lessons)]
    feet = {mode: footprint(m, mode, a) for mode in modes}
    pct = f"{a.active_share:.0%}"
    out = ["# Sizing a class: measured", "",
           "Written by `course sizing` (`python -m course_tools.sizing`); do not edit by hand. Recompute the "
           "tables with other assumptions without measuring again: `course sizing --from deploy/SIZING.md "
           "--headroom 1.5 --active-share 0.3`. See deploy/README.md for the deployment itself.", "",
           "## What one student costs", ""]
    out += _table(["mode", "heaviest lesson", "memory (with headroom)", "average cores busy", "peak cores",
                   f"cores (slowdown {a.slowdown:g})"],
                  [[mode, f[3], f"{f[0]:,.0f} MiB", f"{f[1] * a.slowdown:.2f}", f"{f[2]:.2f}", f"{f[1]:.2f}"]
                   for mode, f in feet.items()])
    out += [f"Live lab: the whole class runs the heaviest lesson at once, each lesson at most {a.slowdown:g} times "
            f"slower than on an idle machine. Homework: {pct} of the class has a running server at once (the idle "
            "culler stops the others), each sized as in the lab.", "",
            f"## Students per server ({a.gib_per_core:g} GiB per core)", ""]
    rows = []
    for cores in a.server_cores:
        gib = cores * a.gib_per_core
        row: list[Any] = [f"{cores} cores, {gib:g} GiB"]
        for mode in modes:
            n, bound = capacity(cores - a.server_reserve_cores, gib - a.server_reserve_gib, *feet[mode][:2])
            row += [f"{n} ({bound})", math.floor(n / a.active_share)]
        rows.append(row)
    out += _table(["server", *(f"{h} ({mode})" for mode in modes for h in ("live lab", "homework"))], rows)
    out += ["(bound): what runs out first. Memory is a hard limit (a kernel past it is killed); the CPU bound "
            f"keeps each lesson within {a.slowdown:g} times its time here, and more students only slow it down "
            "further.", "",
            "## Kubernetes (Zero to JupyterHub)", "", "Per user (`singleuser:` in the chart's values):", ""]
    pods = {mode: pod_resources(feet[mode][0], feet[mode][1], feet[mode][2]) for mode in modes}
    out += _table(["setting", *modes], [[key, *(f"{pods[mode][key]:g}" + ("G" if "memory" in key else "")
                                                for mode in modes)] for key in pods[modes[0]]])
    header, rows = ["node", "mode", "users per node"], []
    for cores, gib in a.node_shapes:
        for mode in modes:
            p = pods[mode]
            n, bound = capacity((1 - a.node_reserve_share) * cores, (1 - a.node_reserve_share) * gib,
                                p["memory.guarantee"] * 1024, p["cpu.guarantee"])
            row = [f"{cores} cores, {gib} GiB", mode, f"{n} ({bound})"]
            for size in a.class_sizes:
                row += [math.ceil(size / n) if n else "-", math.ceil(math.ceil(size * a.active_share) / n) if n else "-"]
            rows.append(row)
    header += [f"nodes, {s:,}: {kind}" for s in a.class_sizes for kind in ("lab", "homework")]
    out += ["Nodes of the user pool (the hub and proxy run on a small node of their own):", "", *_table(header, rows)]
    if m.grading:
        basis = grading_basis(m.grading)
        out += ["## Grading the class", "",
                f"`course autograde --jobs J` in FAST mode, sized by the slowest assignment measured ({basis.assignment}, "
                f"{basis.core_seconds_per_submission:.1f} core-seconds per submission at --jobs {basis.jobs}); "
                "J = the cores, fewer where memory (peak per job x headroom) runs out. Pass --jobs: the default "
                "allows 6 GiB (the sandbox's address-space limit) per job.", ""]
        rows = []
        for cores in a.server_cores:
            hours = [grading_hours(s, cores, cores * a.gib_per_core - a.server_reserve_gib, basis, a.headroom)
                     for s in a.class_sizes]
            rows.append([f"{cores} cores, {cores * a.gib_per_core:g} GiB", hours[0][1],
                         *(_duration(h) for h, _ in hours)])
        out += _table(["server", "--jobs", *(f"{s:,} submissions" for s in a.class_sizes)], rows)
    out += ["## Formulas and assumptions", "",
            f"* student memory = {a.headroom:g} (headroom) x (idle JupyterLab server + peak RSS of the heaviest "
            "lesson's kernel); the headroom covers a second kernel or the UI being served.",
            "* average cores busy = CPU seconds / wall seconds of the kernel's process tree (the largest of the "
            f"lessons measured); student cores = that / {a.slowdown:g} (the accepted slowdown; `--slowdown 1` "
            "sizes for none); peak cores = the most over any 1 s.",
            f"* a server of c cores has {a.gib_per_core:g} x c GiB; it keeps {a.server_reserve_gib:g} GiB and "
            f"{a.server_reserve_cores:g} cores for the OS, hub and proxy. Students at once = min(floor(memory left / "
            "student memory), floor(cores left / student cores)); homework = that / active share.",
            f"* a Kubernetes node gives users {1 - a.node_reserve_share:.0%} of its memory and cores; users per node = "
            "min(floor(memory / memory.guarantee), floor(cores / cpu.guarantee)); nodes = ceil(users at once / users "
            "per node), users at once = the class (lab) or ceil(active share x class) (homework).",
            "* grading hours = submissions x core-seconds per submission / jobs / 3600; core-seconds per submission "
            "= wall seconds x jobs / submissions of the measured run. One writer merges the scores, so many more "
            "jobs than measured scale less than linearly.", "",
            "## Measured here, and extrapolated", "", *_table(["", ""], [[k, v] for k, v in m.machine.items()]),
            f"Idle JupyterLab server (the student's Jupyter configuration, no browser): **{m.server_mib:,.0f} MiB**; "
            f"with one idle kernel started through the REST API: {m.server_with_kernel_mib:,.0f} MiB "
            f"(the kernel: {m.idle_kernel_mib:,.0f} MiB).", ""]
    others = lambda value: "-" if value is None else f"{value:.2f}"  # noqa: E731
    out += _table(["lesson", "mode", "peak RSS MiB", "CPU s", "wall s", "average cores busy", "peak cores",
                   "other work, cores"],
                  [[r.notebook, r.mode, f"{r.peak_rss_mib:,.0f}", f"{r.cpu_seconds:.1f}", f"{r.wall_seconds:.1f}",
                    f"{r.cores_busy:.2f}", f"{r.peak_cores:.2f}", others(r.others_cores)] for r in m.lessons])
    out += _table(["assignment", "--jobs", "submissions", "wall s", "s per submission", "core-s per submission",
                   "per hour per core", "CPU s", "peak RSS MiB", "other work, cores"],
                  [[g.assignment, g.jobs, g.submissions, f"{g.wall_seconds:.0f}", f"{g.seconds_per_submission:.1f}",
                    f"{g.core_seconds_per_submission:.1f}", f"{3600 / g.core_seconds_per_submission:.0f}",
                    f"{g.cpu_seconds:.0f}", f"{g.peak_rss_mib:,.0f}", others(g.others_cores)] for g in m.grading])
    busiest = max((r.others_cores for r in [*m.lessons, *m.grading] if r.others_cores is not None), default=None)
    if busiest is not None:
        out += [f"Other work on the machine kept at most {busiest:.2f} cores busy during these runs"
                + (", so their wall seconds are close to an idle machine's." if busiest < 0.25 else
                   ": their wall seconds are longer than an idle machine's."), ""]
    out += ["Every graded submission was a full solution and scored full marks (checked in the gradebook). "
            "The lessons ran through nbclient (as `course bench` runs them); the idle server was measured "
            "separately, with no browser connected.", "",
            f"Measured on this {m.machine.get('CPU cores', '?')}-core machine: memory (RSS), CPU seconds and the "
            "grading runs. RSS and CPU seconds hardly depend on other work on the machine; wall seconds, and so "
            "cores busy and grading throughput, do: other work may have run on the same cores during the "
            "measurement (the column 'other work': the machine's busy cores minus the measured tree's). Where "
            "it did, wall seconds are longer than on an idle machine: the grading times above are pessimistic, "
            "and the average cores busy of a lesson lower, so its CPU bound optimistic. Extrapolated: everything about larger "
            "machines. TensorFlow may use more threads on more cores (more cores busy, not more total work; "
            "`cpu.limit` caps it on Kubernetes), "
            "many students on one machine share memory bandwidth and disk, and --jobs beyond 2 was not "
            "measured.", "", "<!-- sizing-raw", m.to_json(), "-->", ""]
    return "\n".join(out)


# --- measuring ------------------------------------------------------------------------------

class TreeSampler:
    """Samples a process tree every ``interval`` s in a thread: peak RSS (MiB) and CPU seconds.

    ``TreeSampler(pid)`` samples that process and its descendants; with ``children_only`` the
    descendants alone (the kernels started by this process).
    """

    def __init__(self, pid: int | None = None, interval: float = 0.25, children_only: bool = False) -> None:
        import psutil

        self._root, self._interval, self._children_only = psutil.Process(pid), interval, children_only
        self._cpu: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self.peak_mib, self.samples, self.machine_cores = 0.0, [], 0.0  # samples: (time, cpu seconds so far)
        self._start = (time.monotonic(), 0.0)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> float:
        """Take one sample now; return the tree's RSS in MiB."""
        import psutil

        try:
            procs = self._root.children(recursive=True) + ([] if self._children_only else [self._root])
        except psutil.Error:
            procs = []
        rss = 0
        for proc in procs:
            try:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
                    self._cpu[(proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                continue
        self.peak_mib = max(self.peak_mib, rss / 2**20)
        self.samples.append((time.monotonic(), self.cpu_seconds))
        return rss / 2**20

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def __enter__(self) -> TreeSampler:
        self._start = (time.monotonic(), _machine_busy())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        wall = time.monotonic() - self._start[0]
        self.machine_cores = (_machine_busy() - self._start[1]) / wall if wall > 0 else 0.0

    def others_cores(self, cpu_seconds: float) -> float:
        """Cores busy with work outside this tree while it was sampled (after leaving the block)."""
        wall = self.samples[-1][0] - self._start[0] if self.samples else 0.0
        return max(0.0, self.machine_cores - cpu_seconds / wall) if wall > 0 else 0.0


def _machine_busy() -> float:
    """CPU seconds all cores of the machine have spent busy since boot."""
    import psutil

    t = psutil.cpu_times()
    return sum(getattr(t, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _api(url: str, token: str, method: str = "GET", body: dict | None = None) -> Any:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"},
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def _settle(sampler: TreeSampler, seconds: float = 3.0, count: int = 8) -> float:
    """The median of ``count`` samples 0.25 s apart, taken after ``seconds`` of rest."""
    time.sleep(seconds)
    values = []
    for _ in range(count):
        values.append(sampler.sample())
        time.sleep(0.25)
    return sorted(values)[count // 2]


def measure_server(timeout: float = 120.0) -> tuple[float, float, float]:
    """``(idle server MiB, server with an idle kernel MiB, the kernel MiB)`` of a JupyterLab of this environment.

    The server runs in a temporary folder as the current user with the student's Jupyter
    configuration (as the class hub starts it) and is stopped afterwards.
    """
    bin_dir = Path(sys.executable).parent
    token, port = secrets.token_hex(16), _free_port()
    base = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_CONFIG_PATH": f"{REPO_ROOT / 'tools' / 'jupyter' / 'learner'}{os.pathsep}{REPO_ROOT / 'deploy' / 'jupyter'}"}
    with tempfile.TemporaryDirectory(prefix="sizing-server-") as tmp:
        env["JUPYTER_RUNTIME_DIR"] = str(Path(tmp) / "runtime")
        command = [str(bin_dir / "jupyter-lab"), "--no-browser", f"--ServerApp.token={token}", f"--port={port}",
                   "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={tmp}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        with open(Path(tmp) / "server.log", "w") as log:
            server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    _api(base, token)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not answer on /api: "
                                           + (Path(tmp) / "server.log").read_text()[-2000:]) from None
                    time.sleep(0.5)
            idle = _settle(TreeSampler(server.pid))
            kernel = _api(f"{base}/kernels", token, "POST", {"name": "python3"})
            # with no client connected the kernel reports no "idle": wait until its memory stops growing
            seen, kernels = [0.0], TreeSampler(server.pid, children_only=True)
            while seen[-1] <= 0 or max(seen[-6:]) - min(seen[-6:]) > 1 or len(seen) < 6:
                if time.monotonic() > deadline + timeout:
                    raise RuntimeError("The kernel started through /api/kernels never settled.")
                time.sleep(0.5)
                seen.append(kernels.sample())
            with_kernel = _settle(TreeSampler(server.pid))
            kernel_mib = _settle(kernels, seconds=0)
            _api(f"{base}/kernels/{kernel['id']}", token, "DELETE")
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return idle, with_kernel, kernel_mib


def measure_lesson(path: Path | str, mode: str, timeout: float | None = None) -> LessonRun:
    """Execute one notebook in ``mode`` ('fast' or 'full') and sample its kernel's process tree.

    CPU seconds are the larger of the sampled ones and this process's reaped children's (the
    kernel's, once it has exited), so a last burst between two samples is not lost.
    """
    from .execute import execute_notebook

    if mode not in _MODES:
        raise ValueError(f"mode is 'fast' or 'full'; got {mode!r}.")
    path = Path(path)
    before = _children_cpu()
    with TreeSampler(children_only=True) as sampler:
        _, seconds = execute_notebook(path, fast=mode == "fast", timeout=timeout or LESSON_CELL_TIMEOUT[mode],
                                      kernel_log=Path(tempfile.gettempdir()) / "sizing-kernels.log")
    cpu = max(sampler.cpu_seconds, _children_cpu() - before)
    return LessonRun(path.stem, mode, round(sampler.peak_mib, 1), round(cpu, 2), round(seconds, 2),
                     round(peak_rate(sampler.samples), 2), round(sampler.others_cores(cpu), 2))


def measure_grading(assignments: list[str], submissions: int, jobs: list[int], workdir: Path,
                    course: Path = ASSIGNMENTS_DIR) -> list[GradingRun]:
    """Release ``assignments`` in a copy of ``course``, collect solution submissions, time ``course autograde``.

    Raises
    ------
    ValueError
        On bad arguments or a course without sandbox.
    RuntimeError
        If a grading run failed or a solution did not score full marks.
    """
    import nbformat

    from .apps.collect import collect
    from .apps.grades import scores
    from .apps.release import release
    from .corpus import solution_notebook
    from .sandbox import sandbox_problem

    if submissions < 1 or not jobs or min(jobs) < 1:
        raise ValueError(f"Give at least one submission and jobs of at least 1; got {submissions}, {jobs}.")
    problem = sandbox_problem()
    if problem:
        raise ValueError(f"Grading is measured in its sandbox, and none runs here: {problem}")
    root = workdir / "course"
    shutil.copytree(course, root, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "gradebook.db*", "logs", "downloaded", "grades.csv"))
    release(root, assignments)
    folder = workdir / "submissions"
    for assignment in assignments:
        source = nbformat.read(str(root / "source" / assignment / f"{assignment}.ipynb"), 4)
        released = nbformat.read(str(root / "release" / assignment / f"{assignment}.ipynb"), 4)
        for i in range(1, submissions + 1):
            (folder / f"s{i:02d}").mkdir(parents=True, exist_ok=True)
            nbformat.write(solution_notebook(source, released), str(folder / f"s{i:02d}" / f"{assignment}.ipynb"))
    collect(folder, root)
    runs = []
    for assignment in assignments:
        for k, j in enumerate(jobs):
            command = [sys.executable, "-m", "course_tools.cli", "autograde", "--course", str(root),
                       "--assignment", assignment, "--jobs", str(j), *(["--force"] if k else [])]
            before, start = _children_cpu(), time.perf_counter()
            with TreeSampler(children_only=True) as sampler:
                done = subprocess.run(command, capture_output=True, text=True)
            wall, cpu = time.perf_counter() - start, max(sampler.cpu_seconds, _children_cpu() - before)
            rows = scores(root, [assignment])
            short = [r for r in rows if not (r["autograded"] and r["auto_max"] > 0 and r["score"] >= r["auto_max"] - 1e-6)]
            if done.returncode or len(rows) != submissions or short:
                raise RuntimeError(f"autograde of {assignment} with --jobs {j} failed (exit {done.returncode}, "
                                   f"{len(rows)} scores, not full: {short}):\n{(done.stdout + done.stderr)[-3000:]}")
            runs.append(GradingRun(assignment, j, submissions, round(wall, 2), round(cpu, 2), round(sampler.peak_mib, 1),
                                   round(sampler.others_cores(cpu), 2)))
            print(f"  {assignment} --jobs {j}: {wall:.0f} s for {submissions} ({wall / submissions:.1f} s each), "
                  f"peak {sampler.peak_mib:,.0f} MiB", flush=True)
    return runs


def _machine() -> dict[str, str]:
    from .bench import machine_info

    return machine_info()


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
