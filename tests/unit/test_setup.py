"""The dependency lists and installs, the Python check, and the two commands of the README."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
sys.path.insert(0, str(ROOT / "tools"))
import check_python  # noqa: E402
import tensorflow_build  # noqa: E402,F401


def dependency_names(extra: str | None = None) -> set[str]:
    deps = (PYPROJECT["project"]["dependencies"] if extra is None
            else PYPROJECT["project"]["optional-dependencies"][extra])
    return {re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower() for dep in deps}


def test_pyproject_lists_what_the_course_needs():
    """A learner gets the course; the instructor, hub, dev and gpu extras add the rest (README "Installs")."""
    learner = {"tensorflow", "tensorflow-cpu", "keras", "jupyterlab", "jupyterquiz", "latex2mathml",
               "plotly", "pandas", "numpy", "scikit-learn", "matplotlib", "keras-tuner"}
    assert learner <= dependency_names()
    assert not dependency_names() & {"nbgrader", "nbval", "pytest", "pytest-xdist", "playwright", "pyyaml"}
    assert set(PYPROJECT["project"]["optional-dependencies"]) == {"instructor", "hub", "dev", "gpu"}
    assert dependency_names("hub") == {"jupyterhub"}
    assert {"nbgrader", "nbconvert", "nbclient"} <= dependency_names("instructor")
    assert {"lstm-course", "pytest", "pytest-xdist", "playwright", "filelock", "pyyaml"} <= dependency_names("dev")
    assert "lstm-course[instructor,hub]" in PYPROJECT["project"]["optional-dependencies"]["dev"]
    assert dependency_names("gpu") == {"tensorflow"}
    assert "nbval" not in str(PYPROJECT["project"])
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert PYPROJECT["project"]["license"] == "MIT", "an SPDX expression (setuptools >= 77)"


def test_learner_code_imports_only_learner_dependencies():
    """course_utils runs in a learner's kernel: it imports nothing from an extra, not even in a function."""
    extras = {"nbgrader", "nbconvert", "nbclient", "jupyter_server_mathjax", "pytest", "playwright",
              "filelock", "yaml", "nbval", "jupyterhub"}
    found = []
    for path in sorted((ROOT / "course_utils").glob("*.py")):
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:import|from) (\w+)", line)
            if match and match.group(1) in extras:
                found.append(f"{path.name}: {line}")
    assert not found, f"a learner install lacks these (they are in an extra): {found}"


def test_tensorflow_cpu_only_where_it_exists():
    deps = PYPROJECT["project"]["dependencies"]
    cpu = [d for d in deps if d.startswith("tensorflow-cpu")]
    full = [d for d in deps if re.match(r"tensorflow[<>=; ]", d)]
    assert len(cpu) == 1 and "sys_platform == 'linux'" in cpu[0] and "platform_machine == 'x86_64'" in cpu[0]
    assert len(full) == 1 and "sys_platform != 'linux' or platform_machine != 'x86_64'" in full[0]


def test_environment_yml_installs_the_same_list_through_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert sorted(re.split(r"[=<>]", d)[0] for d in conda) == ["pip", "python"], (
        "environment.yml may only pin python and pip; every other dependency goes in pyproject.toml")
    python = next(d for d in conda if d.startswith("python"))
    version = tuple(int(x) for x in python.split("=")[1].split(".")[:2])
    assert version >= (3, 11)
    assert pip == [{"pip": ["-c requirements/lock.txt", "-e ."]}], (
        "environment.yml installs the learner's course with the lock's versions, as `make lab` does")
    assert (ROOT / "requirements" / "lock.txt").is_file()


def test_there_is_one_dependency_list():
    for name in ("requirements.txt", "requirements-dev.txt", "setup.py", "Pipfile"):
        assert not (ROOT / name).exists(), f"{name} would be a second dependency list"
    assert sorted(p.name for p in (ROOT / "requirements").iterdir()) == ["lock.txt"], (
        "requirements/ holds only the lock (exact versions), not a second list")


@pytest.mark.parametrize("version, ok", [((3, 10, 4), False), ((3, 9, 0), False),
                                         ((3, 11, 0), True), ((3, 13, 1), True)])
def test_python_check(version, ok):
    message = check_python.problem(version, "/usr/bin/python3")
    assert (message is None) == ok
    if not ok:
        assert ".".join(map(str, version)) in message and "3.11" in message and "PYTHON=" in message


def test_make_refuses_an_old_python_with_a_clear_message(tmp_path):
    fake = tmp_path / "python3.10"
    fake.write_text(
        "#!/bin/sh\n"
        f"exec {sys.executable} -c \"import runpy, sys; sys.version_info = (3, 10, 4, 'final', 0); "
        "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')\" \"$@\"\n")
    fake.chmod(0o755)
    result = subprocess.run(["make", "-s", f"PYTHON={fake}", f"VENV={tmp_path / 'venv'}", "setup"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "found Python 3.10.4" in result.stderr and "3.11 or newer" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_make_reports_a_missing_python(tmp_path):
    result = subprocess.run(["make", "-s", "PYTHON=no-such-python3", f"VENV={tmp_path / 'venv'}", "setup"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "no 'no-such-python3' found" in result.stdout + result.stderr


@pytest.mark.parametrize("target", ["setup", "lab"])
def test_setup_is_up_to_date_after_install(target):
    """`make lab` and `make test` reinstall only when pyproject.toml or the lock changed (stamps)."""
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    assert "pip install" not in result.stdout, (
        f"make {target} would reinstall although pyproject.toml and requirements/lock.txt are unchanged")


def test_tensorflow_gpu_build_is_one_make_variable(monkeypatch, capsys):
    """`make lab TENSORFLOW=gpu` installs the CUDA build; wrong values and platforms say why."""
    import tensorflow_build

    result = subprocess.run(["make", "-n", "setup", "TENSORFLOW=gpu"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "tools/tensorflow_build.py gpu" in result.stdout
    assert tensorflow_build.main(["tpu"]) == 2
    assert "TENSORFLOW=cpu or TENSORFLOW=gpu" in capsys.readouterr().err
    monkeypatch.setattr(tensorflow_build.sys, "platform", "darwin")
    assert tensorflow_build.main(["gpu"]) == 1
    assert "needs Linux on x86-64 with an NVIDIA driver" in capsys.readouterr().err


def test_ci_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and os.access(ROOT / ".ci" / "run", os.X_OK)


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_commands = re.findall(r"^make \w+", readme, re.M)[:2]
    assert first_commands == ["make lab", "make test"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_lab_starts_jupyterlab_on_the_notebooks():
    port, token = free_port(), "course-test-token"
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    lab = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, start_new_session=True)
    answer = None
    try:
        deadline = time.time() + 90
        while time.time() < deadline and lab.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents/00_welcome.ipynb?content=0&token={token}"
                with urllib.request.urlopen(url, timeout=5) as response:
                    answer = json.load(response)
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(1)
        assert answer is not None, "JupyterLab did not answer on its port"
        assert answer["type"] == "notebook" and answer["path"] == "00_welcome.ipynb"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "JupyterLab" in page
        # A learner's lab: nbgrader's instructor plugins and pages are off (tools/jupyter/learner),
        # the student's assignment list is on (test_learner_lab.py checks both ways).
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        assert {"@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                "@jupyter/nbgrader:course-list"} <= set(config["disabledExtensions"])
        assert http_status(f"http://127.0.0.1:{port}/formgrader?token={token}") == 404
        assert http_status(f"http://127.0.0.1:{port}/formgraders?token={token}") == 404
        assert http_status(f"http://127.0.0.1:{port}/assignments?token={token}") != 404
    finally:
        output = b""
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
            try:
                output = lab.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                os.killpg(lab.pid, signal.SIGKILL)
        else:
            output = lab.communicate()[0]
        if answer is None:
            print(output.decode(errors="replace")[-3000:])


def test_make_test_provisions_the_system_programs_or_names_the_command(tmp_path):
    """With a program missing and installing forbidden, the provisioning step says what to run and fails."""
    script = ROOT / "tools" / "system_packages.sh"
    ok = subprocess.run(["sh", str(script), "sh:dash"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout == ""
    missing = subprocess.run(["sh", str(script), "no-such-program-xyz:bubblewrap", "sh:dash"],
                             capture_output=True, text=True, env={**os.environ, "COURSE_NO_SYSTEM_INSTALL": "1"})
    assert missing.returncode == 1
    assert "no-such-program-xyz not found" in missing.stderr and "sudo apt-get install -y bubblewrap" in missing.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: setup system-test hub-proxy$", makefile, re.M)
    assert re.search(r"^TEST_PROGRAMS := .*\$\(HUB_PROGRAMS\)", makefile, re.M)
    assert re.search(r"^\s+cd deploy/proxy && npm ci ", makefile, re.M), "the proxy comes from its lock"
    for program in ("bwrap:bubblewrap", "prlimit:util-linux", "setpriv:util-linux", "chromium:chromium",
                    "node:nodejs", "npm:npm"):
        assert program in makefile


def test_every_module_the_makefile_runs_exists_and_tools_go_through_course():
    """`make site`, `make bench`, `make navigation` broke silently once, when the tools moved to course_tools."""
    import importlib.util
    import re

    makefile = (ROOT / "Makefile").read_text()
    for module in re.findall(r"python -m ([\w.]+)", makefile):
        if module in ("pip", "venv", "pytest"):
            continue
        assert importlib.util.find_spec(module) is not None, f"the Makefile runs `python -m {module}`, which does not exist"
    for target, command in (("site", "course site"), ("bench", "course bench"), ("navigation", "course nav --write")):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert recipe and command in recipe.group(1), f"make {target} should run `{command}`"
