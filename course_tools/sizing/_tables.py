"""The arithmetic of the sizing tables and the report (pure: no measuring)."""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any


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


