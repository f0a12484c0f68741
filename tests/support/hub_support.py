"""A real JupyterHub for the class test (tests/hub): Unix accounts, the exchange, the hub process.

:class:`HubClass` starts ``jupyterhub -f deploy/jupyterhub_config.py`` (the file of a real class)
as root on 127.0.0.1, with a class of real Unix accounts created for the test and removed after it,
an nbgrader exchange and hub state in a temporary folder, and configurable-http-proxy from
``deploy/proxy`` (``make hub-proxy``). The hub needs root (PAM logins, servers started as each
user); the test fails, never skips, without it.
"""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROXY = DEPLOY / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
COURSE = "lstm-course"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str], *, user: str | None = None, env: dict[str, str] | None = None,
        cwd: Path | str | None = None, check: bool = True, timeout: float = 600,
        input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run ``command`` (as ``user``, with only that user's own group, when given); text captured."""
    ids = {}
    if user:
        entry = pwd.getpwnam(user)
        ids = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          input=input_text, **ids)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} (as {user or 'root'}) exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def traversable_ancestors(path: Path) -> list[tuple[Path, int]]:
    """Let every user reach ``path``: add search (x, not read) permission for others to its ancestors.

    A course environment made under ``/root`` (pyenv's Python, say) cannot be run by another
    account; a real server installs it under /opt (deploy/README.md). Returns the changed folders
    with their old modes, to restore.
    """
    changed = []
    for folder in reversed(Path(path).resolve().parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
            changed.append((folder, stat.S_IMODE(mode)))
    return changed


class HubClass:
    """A class on a real hub: ``instructor`` and ``students`` as Unix accounts, the hub running.

    Parameters
    ----------
    workdir
        An empty folder for the hub's state, the exchange and the class lists (made readable).
    students
        Student account names (created; removed by :meth:`stop`).
    prefix
        Prefix of every account name, so that the test never touches an existing account.
    """

    def __init__(self, workdir: Path, students: Iterable[str], prefix: str = "lstmt") -> None:
        self.workdir = Path(workdir)
        self.prefix = prefix
        self.instructor = f"{prefix}-grader"
        self.students = [f"{prefix}-{name}" for name in students]
        self.passwords = {user: secrets.token_urlsafe(12) for user in [self.instructor, *self.students]}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.exchange = self.workdir / "exchange"
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyterhub.log"
        self._restore: list[tuple[Path, int]] = []
        self._created: list[str] = []

    # --- accounts -------------------------------------------------------------------------
    def user(self, name: str) -> str:
        """The account name of student ``name`` (``<prefix>-<name>``)."""
        account = f"{self.prefix}-{name}"
        if account not in self.students:
            raise ValueError(f"{name!r} is not a student of this class ({', '.join(self.students)}).")
        return account

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def memory_mib(self, user: str) -> float:
        """Resident memory of every process of ``user`` (their server, kernels, terminals), MiB."""
        import psutil

        uid = pwd.getpwnam(user).pw_uid
        total = 0
        for process in psutil.process_iter(["uids", "memory_info"]):
            info = process.info
            if info["uids"] is not None and info["uids"].real == uid and info["memory_info"] is not None:
                total += info["memory_info"].rss
        return round(total / 2**20, 1)

    def chown_home(self, user: str) -> None:
        """Give ``user`` back everything in their home (after root wrote files there)."""
        run(["chown", "-R", f"{user}:{user}", str(self.home(user))])

    def write_as(self, user: str, path: Path, text: str) -> None:
        """Write ``path`` with ``user``'s rights, as their editor would."""
        run(["tee", str(path)], user=user, env=self.environment(user), input_text=text)

    def _create_accounts(self) -> None:
        for user, password in self.passwords.items():
            try:
                pwd.getpwnam(user)
                self._remove_account(user)
            except KeyError:
                pass
            # HOME_MODE 0700: no other account may read a student's files (Debian's default is 0755)
            run(["/usr/sbin/useradd", "--create-home", "--shell", "/bin/bash", "-K", "HOME_MODE=0700", user])
            self._created.append(user)
            subprocess.run(["/usr/sbin/chpasswd"], input=f"{user}:{password}\n", text=True, check=True)

    def _remove_account(self, user: str) -> None:
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        time.sleep(0.2)
        subprocess.run(["/usr/sbin/userdel", "--remove", "--force", user], capture_output=True)

    def environment(self, user: str) -> dict[str, str]:
        """The environment of a shell of ``user`` on the hub machine (as the class's servers get)."""
        return {
            "HOME": str(self.home(user)), "USER": user, "LOGNAME": user,
            "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "COURSE_EXCHANGE": str(self.exchange), "COURSE_ID": COURSE, "COURSE_FAST": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "JUPYTER_CONFIG_PATH": (str(DEPLOY / "jupyter") if user == self.instructor else
                                    f"{ROOT / 'tools' / 'jupyter' / 'learner'}{os.pathsep}{DEPLOY / 'jupyter'}"),
        }

    def as_user(self, user: str, command: list[str], *, cwd: Path | None = None,
                check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run ``command`` as ``user`` from their home (or ``cwd``), as in their terminal."""
        return run(command, user=user, env=self.environment(user), cwd=cwd or self.home(user),
                   check=check, timeout=timeout)

    # --- the hub --------------------------------------------------------------------------
    def start(self, course_source: Path, timeout: float = 180) -> None:
        """Create the accounts, the instructor's course folder and the exchange; start the hub."""
        if os.geteuid() != 0:
            raise AssertionError("the hub test needs root (PAM logins, a server per Unix account); "
                                 "CI runs as root; run `sudo make test-hub` elsewhere")
        if not PROXY.is_file():
            raise AssertionError(f"configurable-http-proxy is missing ({PROXY}): run `make hub-proxy`")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o755)
        self._restore = traversable_ancestors(Path(os.path.realpath(sys.executable)))
        self._restore += traversable_ancestors(ROOT / "deploy")
        self._restore += traversable_ancestors(self.workdir)
        self._create_accounts()
        # the exchange: writable by all, sticky (nbgrader's instructions); nbgrader makes the rest
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)
        class_dir = self.workdir / "class"
        class_dir.mkdir()
        (class_dir / "instructors").write_text(self.instructor + "\n")
        (class_dir / "students").write_text("\n".join(self.students) + "\n")
        course = self.home(self.instructor) / "course"
        shutil.copytree(course_source, course, ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "gradebook.db", "logs", "__pycache__",
            ".ipynb_checkpoints"))
        run(["chown", "-R", f"{self.instructor}:{self.instructor}", str(course)])
        env = {key: value for key, value in os.environ.items()
               if key != "PYTEST_CURRENT_TEST" and not key.startswith("COURSE_HUB_")}
        env.update({
            "COURSE_ID": COURSE, "COURSE_HUB_CLASS": str(class_dir),
            "COURSE_HUB_STATE": str(self.workdir / "state"), "COURSE_EXCHANGE": str(self.exchange),
            "COURSE_HUB_IP": "127.0.0.1", "COURSE_HUB_PORT": str(self.port),
            "COURSE_HUB_API_PORT": str(free_port()), "COURSE_HUB_PROXY_API_PORT": str(free_port()),
            "COURSE_HUB_FORMGRADER_PORT": str(free_port()), "COURSE_FAST": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        })
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", str(DEPLOY / "jupyterhub_config.py")],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyterhub exited {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5) as reply:
                    json.load(reply)
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(1)
        raise AssertionError(f"jupyterhub did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self, tail: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.is_file() else ""

    def stop(self) -> None:
        """Stop the hub and every process of the class, remove the accounts, restore permissions."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        for user in self._created:
            self._remove_account(user)
        for folder, mode in reversed(self._restore):
            folder.chmod(mode)
        self._restore = []
