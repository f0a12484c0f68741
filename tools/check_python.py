"""Refuse a Python older than the course needs, saying what was found and what to do.

Run by the Makefile before it creates .venv. Written for any Python 3, so that even an old
interpreter can print the message.
"""
import sys

REQUIRED = (3, 11)


def problem(version, executable):
    """The error message for ``version`` (a tuple such as (3, 10, 4)), or None if it is fine."""
    if tuple(version[:2]) >= REQUIRED:
        return None
    found = ".".join(str(part) for part in version[:3])
    return (
        "error: found Python {found} ({exe}), but the course needs Python {need} or newer "
        "(nbgrader 0.9.6 requires it).\n"
        "       Install Python 3.11+ (python.org, `pyenv install 3.11`, or "
        "`conda create -n lstm python=3.11`)\n"
        "       and run: make lab PYTHON=/path/to/python3.11"
    ).format(found=found, exe=executable, need="%d.%d" % REQUIRED)


if __name__ == "__main__":
    message = problem(tuple(sys.version_info[:3]), sys.executable)
    if message:
        sys.stderr.write(message + "\n")
        sys.exit(1)
