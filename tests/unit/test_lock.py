"""requirements/lock.txt: exact versions that satisfy pyproject.toml, used by every install.

The lock is a pip constraints file made by ``make lock`` (tools/lock.py). These tests prove that
it pins every package exactly, that each pinned version satisfies every requirement of
pyproject.toml (the dependencies and each extra, as evaluated on this platform), and that the
Makefile installs through it: the learner's install (``make lab``) and the full one
(``make test``), each with its own stamp, remade when pyproject.toml or the lock changes.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")


def lock_lines() -> list[str]:
    return [line.strip() for line in LOCK.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def pins() -> dict[str, str]:
    """``{canonical name: version}`` of the lock."""
    found = {}
    for line in lock_lines():
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        found[canonicalize_name(match["name"])] = match["version"]
    return found


def requirement_groups() -> dict[str, list[str]]:
    """``{"dependencies": [...], "<extra>": [...]}`` from pyproject.toml."""
    return {"dependencies": PROJECT["dependencies"], **PROJECT["optional-dependencies"]}


def applies_here(requirement: Requirement, group: str) -> bool:
    """Whether ``requirement`` of ``group`` is installed on this platform."""
    if requirement.marker is None:
        return True
    environment = {**default_environment(), "extra": "" if group == "dependencies" else group}
    return requirement.marker.evaluate(environment)


def test_lock_pins_every_package_exactly_once():
    lines = lock_lines()
    names = [canonicalize_name(PIN.match(line)["name"]) for line in lines if PIN.match(line)]
    assert len(names) == len(lines), "every line of the lock is name==version, with no marker or range"
    assert len(set(names)) == len(names), "a package is pinned twice"
    assert len(names) > 50, "the lock should hold the whole environment, not only the direct requirements"


def test_lock_says_how_it_was_made():
    header = LOCK.read_text().split("\n\n")[0]
    assert "make lock" in header and "pip freeze" in header and "constraints" in header
    assert re.search(r"Python 3\.\d+\.\d+ on \w+ \w+", header), "the header names the Python and platform"


@pytest.mark.parametrize("group", sorted(requirement_groups()))
def test_lock_satisfies_every_requirement(group):
    """Every requirement of the group that applies here is pinned, at a version it accepts."""
    locked = pins()
    project = canonicalize_name(PROJECT["name"])
    for text in requirement_groups()[group]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name == project:  # an extra that includes another: check that the other exists
            assert set(requirement.extras) <= set(PROJECT["optional-dependencies"]), text
            continue
        if not applies_here(requirement, group):
            if name in locked:  # pinned for other platforms (tensorflow): still in range
                assert requirement.specifier.contains(locked[name], prereleases=True), (text, locked[name])
            continue
        assert name in locked, f"{text!r} ({group}) is not in {LOCK.relative_to(ROOT)}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{text!r} ({group}) is not satisfied by the lock's {name}=={locked[name]}: run make lock")


def test_tensorflow_is_pinned_for_every_platform():
    """Linux x86-64 installs tensorflow-cpu, other platforms tensorflow: one version for both."""
    locked = pins()
    assert locked.get("tensorflow") == locked.get("tensorflow-cpu") is not None


def test_no_nbval_and_no_instructor_tool_in_the_learner_install():
    learner = {canonicalize_name(Requirement(text).name) for text in PROJECT["dependencies"]}
    assert not learner & {"nbgrader", "nbval", "pytest", "playwright"}
    assert "nbval" not in pins(), "notebooks are executed by tests/content, not nbval"
    (nbgrader,) = [Requirement(text) for text in PROJECT["optional-dependencies"]["instructor"]
                   if Requirement(text).name == "nbgrader"]
    assert nbgrader.specifier.contains("0.9.6") and not nbgrader.specifier.contains("0.10.0"), (
        "nbgrader stays within the minor version the course is tested on")


def test_this_environment_has_the_locked_versions():
    """The environment running the tests was installed through the lock (`make test`)."""
    locked = pins()
    wrong = []
    for group in ("dependencies", "instructor", "dev"):
        for text in requirement_groups()[group]:
            name = canonicalize_name(Requirement(text).name)
            if name not in locked:
                continue
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                continue  # tensorflow-cpu after `make ... TENSORFLOW=gpu`, tensorflow elsewhere
            if installed != locked[name]:
                wrong.append(f"{name} {installed} (lock: {locked[name]})")
    assert not wrong, f"installed without the lock: {wrong}; run `make clean setup`"


# --- the Makefile -------------------------------------------------------------------------------

def make_n(*arguments: str) -> str:
    """What `make -n ARGUMENTS` would run (nothing is run)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    result = subprocess.run(["make", "-n", *arguments], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def pip_installs(commands: str) -> list[str]:
    return [line for line in commands.splitlines() if "pip install" in line and "--upgrade pip" not in line]


def test_every_install_line_of_the_makefile_uses_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^LOCK := requirements/lock\.txt$", makefile, re.M)
    installs = [line for line in makefile.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs and all("-c $(LOCK)" in line for line in installs), installs
    assert "nbval" not in makefile


def fake_venv(tmp_path: Path, *stamps: str, old: bool = False) -> Path:
    """A venv folder that make believes exists, with the given stamps (older than the lock if old)."""
    venv = tmp_path / "venv"
    venv.mkdir(parents=True)
    (venv / "pyvenv.cfg").touch()
    for stamp in stamps:
        (venv / stamp).touch()
        if old:
            os.utime(venv / stamp, (0, 0))
    return venv


def test_a_new_venv_gets_the_learner_install_from_lab_and_the_full_one_from_test(tmp_path):
    venv = tmp_path / "venv"
    lab = pip_installs(make_n(f"VENV={venv}", "lab"))
    assert lab == [f"{venv}/bin/python -m pip install --quiet -c requirements/lock.txt -e \".\""]
    full = pip_installs(make_n(f"VENV={venv}", "setup"))
    assert full == [f"{venv}/bin/python -m pip install --quiet -c requirements/lock.txt -e \".[instructor,dev]\""]
    assert pip_installs(make_n(f"VENV={venv}", "test-unit")) == full


@pytest.mark.parametrize("changed", ["pyproject.toml", "requirements/lock.txt"])
def test_a_change_of_pyproject_or_lock_reinstalls(tmp_path, changed):
    venv = fake_venv(tmp_path, ".installed-full-cpu")
    assert pip_installs(make_n(f"VENV={venv}", "setup")) == []
    assert len(pip_installs(make_n(f"VENV={venv}", "-W", changed, "setup"))) == 1


def test_lab_after_test_installs_nothing_and_test_after_lab_adds_the_extras(tmp_path):
    full = fake_venv(tmp_path / "a", ".installed-full-cpu")
    assert pip_installs(make_n(f"VENV={full}", "lab")) == [], "make lab after make test must not reinstall"
    learner = fake_venv(tmp_path / "b", ".installed-learner-cpu")
    assert pip_installs(make_n(f"VENV={learner}", "lab")) == []
    (extras,) = pip_installs(make_n(f"VENV={learner}", "test-unit"))
    assert '-e ".[instructor,dev]"' in extras
    old = fake_venv(tmp_path / "c", ".installed-learner-cpu", old=True)
    (again,) = pip_installs(make_n(f"VENV={old}", "lab"))
    assert again.endswith('-e "."'), "a stale learner install is renewed, still without extras"


def test_the_gpu_build_reinstalls_through_the_lock_and_swaps_tensorflow(tmp_path):
    venv = fake_venv(tmp_path, ".installed-full-cpu")
    commands = make_n(f"VENV={venv}", "setup", "TENSORFLOW=gpu")
    assert len(pip_installs(commands)) == 1 and "tools/tensorflow_build.py gpu" in commands


def test_make_lock_regenerates_from_pyproject_in_a_throwaway_venv():
    commands = make_n("lock")
    assert "tools/lock.py" in commands
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import lock
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert lock.parse_freeze("Tensorflow_CPU==2.21.0\nJinja2==3.1.6\n") == {"tensorflow-cpu": "2.21.0",
                                                                          "jinja2": "3.1.6"}
    text = lock.render({"tensorflow-cpu": "2.21.0", "numpy": "2.4.6"}, "3.11.7", "Linux x86_64")
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == ["numpy==2.4.6", "tensorflow==2.21.0", "tensorflow-cpu==2.21.0"]
    assert "Python 3.11.7 on Linux x86_64" in text
