"""``course``: the instructor's and maintainer's commands behind one entry point.

Each command is the ``main(argv)`` of one module, so ``course autograde --jobs 2`` is
``python -m course_tools.apps.autograde --jobs 2``. No notebook imports this package.

Usage::

    course --help
    course release | collect | autograde | feedback | grades | validate  [--course DIR] [options]
    course quizzes | site | bench | nav | corpus | prose  [options]
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

#: Command -> (module with a ``main(argv)``, one-line description).
COMMANDS: dict[str, tuple[str, str]] = {
    "release": ("course_tools.apps.release", "generate the graded quizzes and every student version"),
    "collect": ("course_tools.apps.collect", "copy submissions (a folder or an LMS .zip) into submitted/"),
    "autograde": ("course_tools.apps.autograde", "grade new or changed submissions, each in a sandbox"),
    "feedback": ("course_tools.apps.feedback", "write HTML feedback per student"),
    "grades": ("course_tools.apps.grades", "export the grades to CSV"),
    "validate": ("course_tools.apps.validate", "sources pass their tests, releases fail them; "
                 "or --notebook FILE: a learner's file, sandboxed"),
    "quizzes": ("course_tools.quizzes", "write (or --check) the graded quiz notebooks from the bank"),
    "site": ("course_tools.site", "execute every notebook into the static HTML site"),
    "bench": ("course_tools.bench", "time every notebook and collect its results into bench/RESULTS.md"),
    "nav": ("course_tools.navigation", "regenerate the links between notebooks and the README map"),
    "corpus": ("course_tools.corpus", "build or prove the corpus of hostile submissions (and --redteam)"),
    "prose": ("course_tools.prose_numbers", "list numbers in markdown that no cell produces"),
    "sizing": ("course_tools.sizing", "measure a student's server, the heaviest lessons and grading; "
               "write deploy/SIZING.md"),
}


#: What the ``instructor`` extra installs beyond a learner's install (pyproject.toml).
_INSTRUCTOR_PACKAGES = {"nbgrader", "nbconvert", "nbclient", "jupyter_server_mathjax"}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: course COMMAND [options]   (course COMMAND --help for a command's options)", "",
             "The instructor's workflow (nbgrader course in assignments/, --course DIR to choose another):"]
    for name, (_, text) in COMMANDS.items():
        if name == "quizzes":
            lines += ["", "Maintainer's tools:"]
        lines.append(f"  {name:{width}}  {text}")
    return "\n".join(lines)


def _main_of(module: str) -> Callable[[list[str]], int]:
    return importlib.import_module(module).main


def main(argv: list[str] | None = None) -> int:
    """Run ``course COMMAND ...``; return its exit status (2 for an unknown command)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}.\n\n{usage()}", file=sys.stderr)
        return 2
    try:
        command = _main_of(COMMANDS[name][0])
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in _INSTRUCTOR_PACKAGES:
            print(f"error: `course {name}` needs the instructor's tools ({exc.name} is not installed): "
                  "run `make test`, or `pip install -c requirements/lock.txt -e '.[instructor]'`.", file=sys.stderr)
            return 2
        raise
    return int(command(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
