"""course_tools.cli: the `course` command, and the learner's package free of the tools."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import course_utils
from course_tools import cli

COURSE = Path(sys.executable).with_name("course")
LEARNER_MODULES = list(course_utils.__all__)  # every module a notebook or an assignment may import


def test_the_course_script_lists_every_command():
    assert COURSE.is_file(), "pyproject.toml's [project.scripts] installs `course` into .venv/bin (make setup)"
    result = subprocess.run([str(COURSE), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for name in ("release", "collect", "autograde", "feedback", "grades", "validate",
                 "quizzes", "site", "bench", "nav", "corpus", "prose"):
        assert f"  {name} " in result.stdout, f"`course --help` does not list {name}"


def test_a_command_reaches_its_module(capsys):
    assert cli.main(["nav"]) == 0  # checks, writes nothing: the committed navigation is up to date
    assert "up to date" in capsys.readouterr().out
    result = subprocess.run([str(COURSE), "autograde", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--no-sandbox" in result.stdout


def test_unknown_or_missing_command(capsys):
    assert cli.main(["regrade"]) == 2
    assert "unknown command 'regrade'" in capsys.readouterr().err
    assert cli.main([]) == 2


@pytest.mark.parametrize("argv, module, rest", [
    (["autograde", "--course", "/c", "--jobs", "2"], "course_tools.apps.autograde", ["--course", "/c", "--jobs", "2"]),
    (["grades", "--course=/c"], "course_tools.apps.grades", ["--course=/c"]),
    (["site", "--fast"], "course_tools.site", ["--fast"]),
])
def test_each_command_is_the_main_of_one_module(monkeypatch, argv, module, rest):
    seen = []
    monkeypatch.setattr(cli, "_main_of", lambda name: lambda arguments: seen.append((name, arguments)) or 0)
    assert cli.main(argv) == 0
    assert seen == [(module, rest)]


def test_a_learner_install_is_told_to_install_the_instructor_tools(monkeypatch, capsys):
    def missing(module):
        raise ModuleNotFoundError("No module named 'nbgrader'", name="nbgrader")

    monkeypatch.setattr(cli, "_main_of", missing)
    assert cli.main(["autograde"]) == 2
    assert "make test" in capsys.readouterr().err


def test_every_command_module_has_a_main():
    for name, (module, _) in cli.COMMANDS.items():
        assert callable(cli._main_of(module)), f"course {name}: {module} has no main(argv)"


def test_a_learner_kernel_imports_none_of_the_tools():
    """Every course_utils module a notebook or an assignment imports, and nothing of the grader."""
    code = ("import importlib, sys\n"
            f"for name in {LEARNER_MODULES!r}: importlib.import_module('course_utils.' + name)\n"
            "print(sorted(m for m in ('nbgrader', 'nbconvert', 'nbclient', 'playwright', 'course_tools') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
