"""``course``: the instructor's and maintainer's commands behind one entry point.

Each command is a thin pass-through to the module that does the work, so ``course autograde
--jobs 2`` is ``python -m course_utils.instructor autograde --jobs 2``. No notebook imports
this module or the tools it calls.

Usage::

    course --help
    course release | collect | autograde | feedback | grades | validate  [options]
    course quizzes | site | bench | nav | corpus | prose  [options]
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

#: Command -> (module with a ``main(argv)``, arguments put in front, one-line description).
COMMANDS: dict[str, tuple[str, list[str], str]] = {
    "release": ("course_utils.instructor", ["release"], "generate the graded quizzes and every student version"),
    "collect": ("course_utils.instructor", ["collect"], "copy submissions (a folder or an LMS .zip) into submitted/"),
    "autograde": ("course_utils.instructor", ["autograde"], "grade new or changed submissions, each in a sandbox"),
    "feedback": ("course_utils.instructor", ["feedback"], "write HTML feedback per student"),
    "grades": ("course_utils.instructor", ["grades"], "export the grades to CSV"),
    "validate": ("course_utils.instructor", ["validate"], "sources pass their tests, releases fail them; "
                 "or --notebook FILE: a learner's file, sandboxed"),
    "quizzes": ("course_utils.graded_quiz", [], "write (or --check) the graded quiz notebooks from the bank"),
    "site": ("course_utils.site", [], "execute every notebook into the static HTML site"),
    "bench": ("course_utils.bench", [], "time every notebook and collect its results into bench/RESULTS.md"),
    "nav": ("course_utils.navigation", [], "regenerate the links between notebooks and the README map"),
    "corpus": ("course_utils.hostile", [], "build or prove the corpus of hostile submissions (and --redteam)"),
    "prose": ("course_tools.prose_numbers", [], "list numbers in markdown that no cell produces"),
}

_INSTRUCTOR = "course_utils.instructor"


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: course COMMAND [options]   (course COMMAND --help for a command's options)", "",
             "The instructor's workflow (nbgrader course in assignments/, --course to choose another):"]
    for name, (module, _, text) in COMMANDS.items():
        if name == "quizzes":
            lines += ["", "Maintainer's tools:"]
        lines.append(f"  {name:{width}}  {text}")
    return "\n".join(lines)


def _course_option_first(argv: list[str]) -> list[str]:
    """Move ``--course PATH`` (or ``--course=PATH``) before the rest: the instructor's parser wants it there."""
    front: list[str] = []
    rest: list[str] = []
    items = iter(argv)
    for item in items:
        if item == "--course":
            front += [item, next(items, "")]
        elif item.startswith("--course="):
            front.append(item)
        else:
            rest.append(item)
    return front + rest


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
    module, front, _ = COMMANDS[name]
    arguments = front + rest
    if module == _INSTRUCTOR:
        arguments = _course_option_first(arguments)
    return int(_main_of(module)(arguments) or 0)


if __name__ == "__main__":
    sys.exit(main())
