"""Measuring on this machine: a JupyterLab server, lessons, grading."""
from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from ..settings import ASSIGNMENTS_DIR, LESSON_CELL_TIMEOUT, REPO_ROOT
from ._tables import _MODES, GradingRun, LessonRun, peak_rate

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
    """Call the REST API of the JupyterLab server this module started on 127.0.0.1 (never the network)."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise ValueError(f"_api only talks to the local server it started; got {url}.")
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    try:
        connection.request(method, parts.path, body=json.dumps(body) if body is not None else None,
                           headers={"Authorization": f"token {token}"})
        response = connection.getresponse()
        text = response.read()
        if response.status >= 400:
            raise OSError(f"{method} {parts.path} answered {response.status}: {text[:200]!r}")
    finally:
        connection.close()
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
    from ..execute import execute_notebook

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

    from ..apps.collect import collect
    from ..apps.grades import scores
    from ..apps.release import release
    from ..corpus import solution_notebook
    from ..sandbox import sandbox_problem

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
    from ..bench import machine_info

    return machine_info()

