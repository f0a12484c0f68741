"""Regenerate requirements/lock.txt, the exact versions every install of the course uses.

    make lock                      # = python tools/lock.py (with the Python the Makefile picks)

Steps: a throw-away virtual environment, ``pip install -e ".[instructor,dev]"`` WITHOUT the current
lock (so pip picks the newest versions that pyproject.toml allows), ``pip freeze
--exclude-editable``, then the file is written with a header saying how and where it was made.
The lock is a pip *constraints* file (``pip install -c requirements/lock.txt ...``): a learner
install (``-e .``) and a full install (``-e ".[instructor,dev]"``) take their versions from the
same file and install only what they need from it.

On Linux x86-64 the course installs ``tensorflow-cpu``; the lock also pins ``tensorflow`` at the
same version, so that installs on other platforms (macOS, Linux on ARM) are pinned too.
The CUDA libraries of the ``gpu`` extra are not pinned (only TensorFlow itself).

Run the tests afterwards (``make test``); tests/unit/test_lock.py checks the file against
pyproject.toml.
"""
from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
EXTRAS = "instructor,dev"


def canonical(name: str) -> str:
    """PEP 503 name: lower case, runs of '-', '_' and '.' become '-'."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def parse_freeze(text: str) -> dict[str, str]:
    """``{canonical name: version}`` from ``pip freeze`` output (``name==version`` lines)."""
    pins = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "==" not in line or " @ " in line:
            raise SystemExit(f"error: pip freeze gave a line that is not name==version: {line!r}")
        name, version = line.split("==", 1)
        pins[canonical(name)] = version.strip()
    return pins


def render(pins: dict[str, str], python: str, machine: str) -> str:
    """The lock file's text: header, then one ``name==version`` per line, sorted by name."""
    pins = dict(pins)
    if "tensorflow-cpu" in pins:
        pins.setdefault("tensorflow", pins["tensorflow-cpu"])
    header = [
        "# Exact versions of every package the course installs: a pip constraints file.",
        "#   learner:  pip install -c requirements/lock.txt -e .",
        '#   full:     pip install -c requirements/lock.txt -e ".[instructor,dev]"',
        "# Made by `make lock` (tools/lock.py): a throw-away venv, pip install -e \".[instructor,dev]\"",
        "# without constraints, pip freeze --exclude-editable. Do not edit by hand.",
        f"# Made with Python {python} on {machine}, {datetime.date.today().isoformat()}.",
        "# `tensorflow` is pinned beside `tensorflow-cpu` (same version) for the platforms that",
        "# install it (not Linux x86-64); the CUDA libraries of the `gpu` extra are not pinned.",
    ]
    return "\n".join(header + [f"{name}=={pins[name]}" for name in sorted(pins)]) + "\n"


def run(*command: str) -> str:
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, stdout=subprocess.PIPE).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=LOCK, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lstm-course-lock-") as tmp:
        env_dir = Path(tmp) / "venv"
        print(f"+ {sys.executable} -m venv {env_dir}", flush=True)
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = str(env_dir / "bin" / "python")
        run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[{EXTRAS}]")
        pins = parse_freeze(run(python, "-m", "pip", "freeze", "--exclude-editable"))
        version = run(python, "-c", "import platform; print(platform.python_version())").strip()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(pins, version, f"{platform.system()} {platform.machine()}"))
    print(f"wrote {args.output} ({len(pins)} packages); run `make test` to check it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
