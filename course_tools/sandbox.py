"""Run untrusted code (a learner's notebook kernel) in a bubblewrap sandbox with resource limits.

What the sandboxed process sees and may do:

* the system's programs and libraries (``/usr``), the Python installation and virtual
  environment of the course, and the learner package ``course_utils``, all **read-only**;
* a private home folder (``/home/student``, its working directory) and ``/tmp``, both
  memory-backed and size-limited, holding only the assignment's data files;
* nothing of the course directory (no ``source/``, ``gradebook.db``, ``release/``, other
  students' folders), no instructor home, no network (a network namespace of its own),
  and no process outside its own PID namespace;
* bounded memory (address space), processes and threads, file size and open files
  (``prlimit``); when the instructor runs as root, it also runs as an unprivileged user id
  of its own (``setpriv``), one per parallel grading job.

The kernel talks to the grader through Unix sockets in a private folder (jupyter's ``ipc``
transport), the only writable host folder the sandbox shares. Everything here is an
existing isolation tool (bubblewrap, ``prlimit`` and ``setpriv`` from util-linux) driven
by a command line; nothing relies on checking paths in Python.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Int, Unicode

__all__ = ["HOME", "HOW_TO_INSTALL", "Limits", "sandbox_problem", "readonly_paths", "sandbox_command",
           "sandbox_uid", "lease_uid", "SandboxedKernelManager", "kill_strays"]

#: The sandboxed process's home and working directory.
HOME = "/home/student"

#: What to do when no sandbox is available (printed by ``autograde``).
HOW_TO_INSTALL = ("install bubblewrap and util-linux: `make sandbox` in the course folder, or "
                  "`sudo apt-get install bubblewrap util-linux` (Debian/Ubuntu), `sudo dnf install "
                  "bubblewrap util-linux` (Fedora); unprivileged user namespaces must be allowed "
                  "(`sysctl kernel.unprivileged_userns_clone=1`) unless grading runs as root. "
                  "On macOS or Windows, grade inside a Linux VM or container")

#: The job slot whose user id the trial run of :func:`sandbox_problem` uses (no grading job has it).
TRIAL_SLOT = 999

_GiB = 1024 ** 3
_MiB = 1024 ** 2


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process tree.

    Attributes
    ----------
    memory_bytes
        Address space of each process (``RLIMIT_AS``); TensorFlow needs about 2.5 GiB.
    processes
        Processes and threads of the sandbox's user id (``RLIMIT_NPROC``).
    file_bytes
        Largest file a process may write (``RLIMIT_FSIZE``), the kernel's log included.
    scratch_bytes
        Size of each memory-backed folder (home, ``/tmp``, ``/dev/shm``).
    open_files
        Open file descriptors per process (``RLIMIT_NOFILE``).
    """

    memory_bytes: int = 6 * _GiB
    processes: int = 512
    file_bytes: int = 256 * _MiB
    scratch_bytes: int = 512 * _MiB
    open_files: int = 1024

    def __post_init__(self) -> None:
        for name in ("memory_bytes", "processes", "file_bytes", "scratch_bytes", "open_files"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer; got {value!r}.")
        if self.memory_bytes < 2 * _GiB:
            raise ValueError(f"Limits.memory_bytes is {self.memory_bytes} bytes; a kernel that imports "
                             "TensorFlow needs at least 2 GiB of address space. Give 2 GiB or more.")


def _is_root() -> bool:
    return os.geteuid() == 0


def _run_quietly(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """Why no sandbox can run here, or None when one can.

    Checks the platform, the programs (``bwrap``, ``prlimit``, and ``setpriv`` when running
    as root) and a trial run of a sandboxed ``python -c pass``.

    Returns
    -------
    str or None
        A sentence saying what is missing and how to get it; None when sandboxing works.
    """
    if not sys.platform.startswith("linux"):
        return f"sandboxed grading needs Linux (this is {sys.platform}); {HOW_TO_INSTALL}."
    needed = ["bwrap", "prlimit"] + (["setpriv"] if _is_root() else [])
    missing = [name for name in needed if shutil.which(name) is None]
    if missing:
        return f"{', '.join(missing)} not found; {HOW_TO_INSTALL}."
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        command = sandbox_command([sys.executable, "-c", "pass"], private_dir=Path(tmp),
                                  uid=sandbox_uid(TRIAL_SLOT) if _is_root() else None)
        try:
            result = _run_quietly(command)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"a trial sandbox did not start ({exc}); {HOW_TO_INSTALL}."
        if result.returncode != 0:
            return (f"a trial sandbox failed (exit status {result.returncode}: "
                    f"{(result.stderr or result.stdout).strip()[-300:]}); {HOW_TO_INSTALL}.")
    return None


def sandbox_uid(slot: int) -> int:
    """An unused user id for parallel grading job ``slot`` (root only): 61000 + slot, skipping used ids.

    Raises
    ------
    ValueError
        If ``slot`` is not an integer from 0 to 999.
    """
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < 1000:
        raise ValueError(f"slot is a grading job's number, an integer from 0 to 999; got {slot!r}.")
    uid = 61000 + slot
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1000


#: Folder of the lock files that lease sandbox user ids (one lock per uid in use).
_LEASES = Path(tempfile.gettempdir()) / "course-sandbox-uids"
#: Leased uids are 61000 + 0 .. 899; slots 900 and above are left to tests and the trial run.
_LEASED_SLOTS = 900


@contextlib.contextmanager
def lease_uid() -> Iterator[int]:
    """Hold an unprivileged user id that no other sandbox on this machine uses meanwhile (root only).

    Each kernel runs as a user id of its own, so that the process limit and the cleaning up
    of stray processes concern that kernel alone, even with several grading runs at once.
    The lease is an exclusive ``flock`` on ``<tmp>/course-sandbox-uids/<uid>.lock``; it ends
    with the block (or the process).

    Raises
    ------
    RuntimeError
        If all 900 user ids are in use.
    """
    _LEASES.mkdir(mode=0o700, exist_ok=True)
    for slot in range(_LEASED_SLOTS):
        uid = sandbox_uid(slot)
        handle = open(_LEASES / f"{uid}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise RuntimeError(f"All {_LEASED_SLOTS} sandbox user ids are in use; wait for other grading runs to end.")


def _package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"The package {name!r} is not installed in this environment; run `make setup`.")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def readonly_paths() -> list[Path]:
    """Host folders the sandbox mounts read-only, besides the system's.

    The Python installation (``sys.base_prefix``), the virtual environment
    (``sys.prefix``), the purelib/platlib folders, and the folder of ``course_utils`` (which
    an editable install keeps in the course's checkout: only that folder is shared, not the
    checkout). Nested folders are left out.
    """
    candidates = [Path(sys.base_prefix), Path(sys.prefix), Path(sysconfig.get_paths()["purelib"]),
                  Path(sysconfig.get_paths()["platlib"]), _package_dir("course_utils")]
    resolved = []
    for path in candidates:
        for variant in {path.absolute(), path.resolve()}:
            if variant.exists() and variant not in resolved:
                resolved.append(variant)
    return sorted(p for p in resolved if not any(p != q and q in p.parents for q in resolved))


def _system_mounts() -> list[str]:
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), f"/{name}"]
    args += ["--perms", "0755", "--dir", "/etc"]  # bubblewrap would make it 0700: unreadable to the sandbox's user
    for name in ("alternatives", "fonts", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
                 "nsswitch.conf", "mime.types", "matplotlibrc"):
        path = Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _parents(paths: list[Path], mounted: set[Path]) -> list[str]:
    """``--dir`` arguments (mode 0755) for the parents of mount points, outermost first.

    bubblewrap would create them with mode 0700, which the unprivileged user cannot
    traverse; folders in ``mounted`` (already mount points) are left alone.
    """
    made: list[Path] = []
    for path in paths:
        for parent in reversed(path.parents):
            if parent != Path("/") and parent not in made and parent not in mounted and parent not in paths:
                made.append(parent)
    args: list[str] = []
    for parent in made:
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def sandbox_command(command: list[str], private_dir: Path, uid: int | None = None,
                    limits: Limits = Limits(), data_files: dict[str, Path] | None = None,
                    system_files: dict[str, Path] | None = None) -> list[str]:
    """The command line that runs ``command`` sandboxed.

    Parameters
    ----------
    command
        The program and its arguments, run in ``HOME`` inside the sandbox.
    private_dir
        A host folder shared read-write at the same path (for the kernel's sockets and
        connection file), and where ``passwd``/``group`` files for the sandbox are written.
    uid
        When running as root: the unprivileged user id to run as (see :func:`sandbox_uid`);
        ``private_dir`` is given to it. None when not root (a user namespace is used instead).
    limits
        Resource limits (see :class:`Limits`).
    data_files
        ``{name: host file}`` mounted read-only as ``HOME/name`` (an assignment's data files).
    system_files
        ``{absolute path in the sandbox: host file}`` mounted read-only (outside ``HOME``).

    Returns
    -------
    list of str
        ``prlimit ... bwrap ... [setpriv ...] command``.

    Raises
    ------
    ValueError
        If ``command`` is empty, ``private_dir`` is not an existing folder, ``uid`` is given
        when not running as root (or missing when root), or a data file is missing or has a
        name with a slash.
    """
    if not command:
        raise ValueError("Give the command to run in the sandbox, e.g. [sys.executable, '-c', 'pass'].")
    private_dir = Path(private_dir).resolve()
    if not private_dir.is_dir():
        raise ValueError(f"private_dir {private_dir} is not an existing folder; create it first.")
    if _is_root() and uid is None:
        raise ValueError("Running as root: give the unprivileged uid the sandbox runs as (sandbox_uid(slot)).")
    if not _is_root() and uid is not None:
        raise ValueError("uid is only for root; without root the sandbox uses a user namespace (pass uid=None).")
    run_uid = uid if uid is not None else os.getuid()
    (private_dir / "passwd").write_text(f"student:x:{run_uid}:{run_uid}:student:{HOME}:/bin/sh\n")
    (private_dir / "group").write_text(f"student:x:{run_uid}:\n")
    if uid is not None:
        os.chown(private_dir, uid, uid)
        os.chmod(private_dir, 0o700)
    readonly = [p for p in readonly_paths() if Path("/usr") not in p.parents]  # /usr is mounted whole
    size = str(limits.scratch_bytes)
    mounts = _system_mounts() + ["--perms", "0755", "--dir", "/home",
                                 "--perms", "1777", "--size", size, "--tmpfs", HOME,
                                 "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
                                 "--proc", "/proc", "--dev", "/dev",
                                 "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    mounted = {Path(p) for p in ("/usr", "/home", HOME, "/tmp", "/proc", "/dev", "/dev/shm")}
    mounts += _parents(readonly + [private_dir], mounted)
    for path in readonly:
        mounts += ["--ro-bind", str(path), str(path)]
    mounts += ["--bind", str(private_dir), str(private_dir),
               "--ro-bind", str(private_dir / "passwd"), "/etc/passwd",
               "--ro-bind", str(private_dir / "group"), "/etc/group"]
    for name, path in sorted((data_files or {}).items()):
        if "/" in name or name in ("", ".", "..") or not Path(path).is_file():
            raise ValueError(f"data file {name!r} -> {path}: give a plain file name and an existing file.")
        mounts += ["--ro-bind", str(Path(path).resolve()), f"{HOME}/{name}"]
    for target, path in sorted((system_files or {}).items()):
        if not target.startswith("/") or target.startswith((HOME, "/tmp")) or not Path(path).is_file():
            raise ValueError(f"system file {target!r} -> {path}: give an absolute path outside the home and /tmp, "
                             "and an existing file.")
        mounts += ["--ro-bind", str(Path(path).resolve()), target]
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                  "--die-with-parent", "--new-session", "--hostname", "sandbox", "--chdir", HOME]
    if uid is None:
        namespaces += ["--unshare-user", "--disable-userns"]
        drop: list[str] = []
    else:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
    limit = ["prlimit", f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
             f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0", "--"]
    return limit + ["bwrap"] + mounts + namespaces + ["--"] + drop + list(command)


def sandbox_environment(fast: bool = True) -> dict[str, str]:
    """The whole environment of a sandboxed kernel: nothing of the instructor's is passed on."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME, "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8",
        "COURSE_FAST": "1" if fast else "0", "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
    }


def kill_strays(uid: int, keep: int | None) -> int:
    """Kill every process of ``uid`` except ``keep`` and its threads; return how many were killed.

    Used between cells when the sandbox runs as its own user id (root mode): processes a
    cell left running (a fork bomb, a daemon) cannot outlast the cell.
    """
    import signal

    killed: set[int] = set()
    for _ in range(20):  # a fork bomb may fork again while we kill: repeat until none is left
        found = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == keep or int(entry.name) in killed:
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("Uid", "-1").split()[0]) != uid or fields.get("State", "").strip().startswith("Z"):
                continue
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.add(int(entry.name))
                found += 1
            except OSError:
                pass
        if not found:
            break
    return len(killed)


def _kernel_pid(uid: int, launcher_pid: int) -> int | None:
    """Host pid of the sandboxed kernel: the first process of ``uid`` below ``launcher_pid``."""
    parents: dict[int, int] = {}
    uids: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        parents[int(entry.name)] = int(fields.get("PPid", "0"))
        uids[int(entry.name)] = int(fields.get("Uid", "-1").split()[0])
    for pid, uid_of in uids.items():
        if uid_of != uid or uids.get(parents.get(pid, 0)) == uid:
            continue
        ancestor = parents.get(pid, 0)
        while ancestor and ancestor != launcher_pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == launcher_pid:
            return pid
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A Jupyter kernel manager whose kernel runs in :func:`sandbox_command`.

    Whatever kernel the notebook names, the kernel is this environment's ``ipykernel``;
    it talks over Unix sockets in a private folder, is interrupted by message (it runs in
    a session of its own), writes its own stdout and stderr to a size-limited log, and
    gets the read-only data files of the folder the notebook would have run in.
    """

    uid = Int(-1, help="Unprivileged user id of the kernel when running as root (-1: lease one).").tag(config=True)
    memory_bytes = Int(Limits.memory_bytes, help="Address-space limit of the kernel's processes.").tag(config=True)
    processes = Int(Limits.processes, help="Processes and threads the kernel may have.").tag(config=True)
    scratch_bytes = Int(Limits.scratch_bytes, help="Size of the kernel's home and /tmp.").tag(config=True)
    fast = Int(1, help="1: the kernel runs with COURSE_FAST=1.").tag(config=True)
    pristine_file = Unicode("", help="The grader's course_utils.grading.pristine_fingerprint(), as JSON.").tag(config=True)
    private_root = Unicode("", help="Folder for the kernels' private folders (default: the system's).").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private = Path(tempfile.mkdtemp(prefix="kernel-", dir=self.private_root or None))
        self.transport = "ipc"
        self.ip = str(self._private / "socket")
        self.connection_file = str(self._private / "connection.json")
        self._log_handle: Any = None
        self._kernel_pid: int | None = None
        self._lease: contextlib.AbstractContextManager[int] | None = None
        self._leased_uid = -1

    def _log_handle_path(self) -> str:
        return str(self._private.parent / f"{self._private.name}.log")

    @property
    def run_uid(self) -> int | None:
        """The kernel's user id: the configured one, or one leased for this kernel's lifetime (root only)."""
        if self.uid >= 0:
            return self.uid
        if not _is_root():
            return None
        if self._lease is None:
            self._lease = lease_uid()
            self._leased_uid = self._lease.__enter__()
        return self._leased_uid

    @property
    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_bytes, processes=self.processes, scratch_bytes=self.scratch_bytes)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """``python -m ipykernel_launcher -f <connection file>``, whatever the kernel spec says."""
        # parent_handle=0: inside its PID namespace the kernel's parent is pid 1 (bubblewrap), which
        # ipykernel would take for "my parent died"; bubblewrap ends the kernel with its parent instead
        return [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                "--IPKernelApp.parent_handle=0", *(extra_arguments or [])]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        problem = sandbox_problem()
        if problem:
            raise RuntimeError(f"Refusing to run a learner's notebook without a sandbox: {problem} "
                               "(course autograde --no-sandbox grades unsandboxed, "
                               "knowingly.)")
        folder = Path(kw.pop("cwd", None) or self._private)
        data = {p.name: p for p in folder.iterdir() if p.is_file() and p.suffix != ".ipynb"} if folder.is_dir() else {}
        from course_utils.grading import PRISTINE_FILE

        system = {str(PRISTINE_FILE): Path(self.pristine_file)} if self.pristine_file else {}
        command = sandbox_command(kernel_cmd, self._private, uid=self.run_uid, limits=self.limits, data_files=data,
                                  system_files=system)
        if self.run_uid is not None:
            os.chown(self._private, self.run_uid, self.run_uid)
            os.chmod(self._private, 0o700)
            os.chown(self.connection_file, self.run_uid, self.run_uid)
        if self._log_handle is None:
            self._log_handle = open(self._log_handle_path(), "ab")  # noqa: SIM115
        kw.update(cwd=str(self._private), env=sandbox_environment(bool(self.fast)),
                  stdout=self._log_handle, stderr=self._log_handle)
        await super()._async_launch_kernel(command, **kw)

    async def _async_interrupt_kernel(self) -> None:
        # the kernel runs in a session of its own: a signal to our process group would not reach it
        if not self.has_kernel:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel  # the public name is bound to the parent's method

    def lock_private(self) -> None:
        """Once the kernel has made its sockets: its shared folder becomes root's, read-only to it.

        The folder is the one host folder the sandbox can write to; locked, a submission can
        neither fill the disk through it nor plant files in it (root mode; without root the
        sandbox's user owns the folder and could unlock it, so only the file size limit holds).
        """
        if self.run_uid is not None:
            os.chown(self._private, 0, 0)
            os.chmod(self._private, 0o755)
            launcher = getattr(self.provisioner, "pid", None)
            self._kernel_pid = _kernel_pid(self.run_uid, launcher) if launcher else None

    def kill_strays(self) -> int:
        """Kill the sandbox's processes other than the kernel (root mode only); how many were killed.

        The kernel is the process found when it became ready (:meth:`lock_private`), before
        any of the learner's code ran.
        """
        if self.run_uid is None or not self._kernel_pid:
            return 0
        return kill_strays(self.run_uid, keep=self._kernel_pid)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            if self._log_handle is not None:
                self._log_handle.close()
                self._log_handle = None
                log = Path(self._log_handle_path())
                tail = log.read_bytes()[-2000:].decode(errors="replace") if log.is_file() else ""
                if tail.strip():
                    self.log.info("The sandboxed kernel's own output (last 2000 bytes):\n%s", tail)
                log.unlink(missing_ok=True)
            shutil.rmtree(self._private, ignore_errors=True)
            if self._lease is not None:
                self._lease.__exit__(None, None, None)
                self._lease = None

    cleanup_resources = _async_cleanup_resources
