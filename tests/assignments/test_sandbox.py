"""course_tools.sandbox: what sandboxed code cannot do, each shown against the same code run unsandboxed.

Every protection is tested twice: the attack succeeds without the sandbox (so the test can
fail) and fails inside it. The sandbox runs here as root with a user id of its own, as in CI.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_tools.redteam import Listener
from course_tools.sandbox import (HOME, Limits, _package_dir, readonly_paths, sandbox_command, sandbox_problem,
                                  sandbox_uid)

SLOT = 990  # user ids of their own, so that parallel grading tests do not share the process limit


def _run(code: str, tmp_path: Path, sandboxed: bool = True, limits: Limits = Limits(), slot: int = SLOT,
         timeout: float = 120) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code]
    if sandboxed:
        private = tmp_path / f"private-{time.monotonic_ns()}"
        private.mkdir()
        uid = sandbox_uid(slot) if os.geteuid() == 0 else None
        command = sandbox_command(command, private, uid=uid, limits=limits)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=tmp_path)


def test_a_sandbox_is_available_here():
    """make test provisions bubblewrap; a missing sandbox is a failure, not a skip."""
    assert sandbox_problem() is None


def test_host_files_are_neither_readable_nor_writable(tmp_path):
    secret, target = tmp_path / "solutions.txt", tmp_path / "gradebook.db"
    secret.write_text("the hidden tests")
    target.write_text("grades")
    code = (f"import os\nfor p in [{str(secret)!r}, '../solutions.txt']:\n"
            "    try:\n        print('READ', open(p).read())\n    except OSError as e:\n        print('no', e.errno)\n"
            f"try:\n    open({str(target)!r}, 'w').write('garbage')\n    print('WROTE')\nexcept OSError as e:\n    print('no', e.errno)\n")
    plain = _run(code, tmp_path, sandboxed=False)
    assert "READ the hidden tests" in plain.stdout and "WROTE" in plain.stdout  # the attack works unsandboxed
    target.write_text("grades")
    boxed = _run(code, tmp_path)
    assert boxed.returncode == 0, boxed.stderr
    assert "READ" not in boxed.stdout and "WROTE" not in boxed.stdout
    assert target.read_text() == "grades"


def test_the_course_package_is_readable_but_not_writable_and_the_course_is_invisible(tmp_path):
    package = _package_dir("course_utils")
    course = package.parent / "assignments"
    code = ("import course_utils.windows, os\n"
            f"print('course visible:', os.path.exists({str(course)!r}))\n"
            f"try:\n    open({str(package / 'planted.py')!r}, 'w')\n    print('PLANTED')\nexcept OSError as e:\n"
            "    print('refused', e.errno)\n"
            "print('home', os.getcwd(), os.access('.', os.W_OK))\n")
    boxed = _run(code, tmp_path)
    assert boxed.returncode == 0, boxed.stderr
    assert "course visible: False" in boxed.stdout and "refused 30" in boxed.stdout
    assert f"home {HOME} True" in boxed.stdout
    assert not (package / "planted.py").exists()
    assert package in readonly_paths() or any(p in package.parents for p in readonly_paths())


def test_no_network(tmp_path):
    with Listener() as listener:
        code = (f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=3).close()\n"
                "    print('CONNECTED')\nexcept OSError as e:\n    print('no', e)\n")
        assert "CONNECTED" in _run(code, tmp_path, sandboxed=False).stdout
        seen = listener.connections
        boxed = _run(code, tmp_path)
        assert "CONNECTED" not in boxed.stdout and listener.connections == seen


def test_memory_is_bounded(tmp_path):
    code = "chunks = [bytearray(256 * 2**20) for _ in range(12)]\nprint('ALLOCATED', len(chunks))\n"
    assert "ALLOCATED 12" in _run(code, tmp_path, sandboxed=False).stdout  # 3 GiB is fine unsandboxed
    boxed = _run(code, tmp_path, limits=Limits(memory_bytes=2 * 2**30))
    assert "ALLOCATED" not in boxed.stdout and "MemoryError" in boxed.stderr


def test_processes_are_bounded_and_none_outlives_the_sandbox(tmp_path):
    code = ("import os, subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], start_new_session=True)\n"
            "n = 0\ntry:\n    while n < 2000:\n        if os.fork() == 0:\n            time.sleep(300)\n            os._exit(0)\n"
            "        n += 1\nexcept OSError as e:\n    print('stopped after', n, e.errno)\n")
    boxed = _run(code, tmp_path, limits=Limits(processes=64))
    assert "stopped after" in boxed.stdout, boxed.stderr
    assert int(boxed.stdout.split("stopped after ")[1].split()[0]) < 64
    uid = sandbox_uid(SLOT)
    time.sleep(0.5)
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _uid(p) == uid]
    assert not left, "the daemon and the forked children died with the sandbox"


def _uid(proc: Path) -> int | None:
    try:
        for line in (proc / "status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def test_disk_use_is_bounded(tmp_path):
    code = ("import os\nfor name in ('big', '/tmp/big'):\n    try:\n        with open(name, 'wb') as f:\n"
            "            for _ in range(64):\n                f.write(bytes(2**20))\n        print('WROTE', name)\n"
            "    except OSError as e:\n        print('refused', name, e.errno)\n")
    boxed = _run(code, tmp_path, limits=Limits(scratch_bytes=16 * 2**20, file_bytes=32 * 2**20))
    assert "WROTE" not in boxed.stdout and boxed.stdout.count("refused") == 2
    assert not (tmp_path / "big").exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"command": []}, "Give the command"),
    ({"private_dir": Path("/no/such/folder")}, "not an existing folder"),
    ({"data_files": {"../x": Path(__file__)}}, "plain file name"),
    ({"data_files": {"x.csv": Path("/no/such/file")}}, "existing file"),
])
def test_sandbox_command_checks_its_arguments(tmp_path, kwargs, message):
    args = {"command": [sys.executable], "private_dir": tmp_path, "uid": sandbox_uid(SLOT) if os.geteuid() == 0 else None}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sandbox_command(**args)


@pytest.mark.parametrize("field, value", [("memory_bytes", 2**20), ("processes", 0), ("scratch_bytes", True)])
def test_limits_are_checked(field, value):
    with pytest.raises(ValueError, match=field):
        Limits(**{field: value})


def test_sandbox_uid_checks_the_slot():
    assert sandbox_uid(3) >= 61003
    with pytest.raises(ValueError, match="slot"):
        sandbox_uid(-1)


def test_system_files_are_readable_read_only_and_checked(tmp_path):
    pristine = tmp_path / "pristine.json"
    pristine.write_text('{"a": "b"}')
    private = tmp_path / "private"
    private.mkdir()
    code = ("import os\nprint(open('/etc/course-utils-pristine.json').read(), os.path.isdir('/etc/fonts'))\n"
            "try:\n    open('/etc/course-utils-pristine.json', 'w')\nexcept OSError as e:\n    print('refused', e.errno)\n")
    uid = sandbox_uid(SLOT) if os.geteuid() == 0 else None
    command = sandbox_command([sys.executable, "-c", code], private, uid=uid,
                              system_files={"/etc/course-utils-pristine.json": pristine})
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert '{"a": "b"} True' in result.stdout and "refused" in result.stdout, result.stderr
    with pytest.raises(ValueError, match="absolute path outside the home"):
        sandbox_command([sys.executable], private, uid=uid, system_files={f"{HOME}/x": pristine})
