"""Switch the TensorFlow build in .venv: ``cpu`` (the default) or ``gpu``.

pyproject.toml installs ``tensorflow-cpu`` on Linux x86-64: it is smaller and never sees a GPU.
``make lab TENSORFLOW=gpu`` (or ``make test TENSORFLOW=gpu``) calls this script with ``gpu``:
it replaces ``tensorflow-cpu`` by ``tensorflow[and-cuda]`` of the same version, whose pip
packages bring NVIDIA's CUDA and cuDNN libraries (an NVIDIA driver must be installed on the
machine). ``cpu`` switches back. The two builds install the same ``tensorflow`` module, so one
is removed before the other is installed.

Usage: python tools/tensorflow_build.py cpu|gpu
"""
from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata


def installed(distribution: str) -> str | None:
    """Version of an installed distribution, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def pip(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *arguments], check=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("cpu", "gpu"):
        print("usage: python tools/tensorflow_build.py cpu|gpu (make ... TENSORFLOW=cpu or TENSORFLOW=gpu)",
              file=sys.stderr)
        return 2
    build = argv[0]
    linux_x86 = sys.platform == "linux" and platform.machine() in ("x86_64", "AMD64")
    cpu_version, full_version = installed("tensorflow-cpu"), installed("tensorflow")
    if build == "gpu":
        if not linux_x86:
            print("error: TENSORFLOW=gpu needs Linux on x86-64 with an NVIDIA driver; on this machine the "
                  "course's `tensorflow` already uses whatever device TensorFlow supports here.", file=sys.stderr)
            return 1
        version = cpu_version or full_version
        if version is None:
            print("error: no TensorFlow in this environment; run `make setup` first.", file=sys.stderr)
            return 1
        if cpu_version is not None:
            pip("uninstall", "--yes", "tensorflow-cpu")
        pip("install", "--force-reinstall", "--no-deps", f"tensorflow=={version}")
        pip("install", f"tensorflow[and-cuda]=={version}")
        print(f"TensorFlow {version} with CUDA installed; notebook 00 says which GPUs it sees.")
        return 0
    if linux_x86 and full_version is not None:
        pip("uninstall", "--yes", "tensorflow")
        pip("install", "--force-reinstall", "--no-deps", f"tensorflow-cpu=={full_version}")
        print(f"TensorFlow {full_version}, CPU build, installed again.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
