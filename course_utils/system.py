"""What the course is running on: versions, processors and data, for notebook 00."""
from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

import pandas as pd

from .config import is_fast
from .datasets import check_bundled_data

__all__ = ["package_versions", "environment_report"]

_PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "pandas", "scikit-learn",
             "plotly", "jupyterlab", "jupyterquiz")


def package_versions(packages: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Installed version of each package (``"not installed"`` when absent)."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment_report() -> pd.DataFrame:
    """One table of what matters for the course: Python, packages, CPU/GPU, mode, data.

    Importing TensorFlow to list devices takes a few seconds.

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` and ``value``.
    """
    import tensorflow as tf

    rows = [("python", sys.version.split()[0]), ("platform", platform.platform()),
            ("CPU cores", str(os.cpu_count()))]
    versions = package_versions()
    # one of the two TensorFlow distributions is installed, by platform (see pyproject.toml)
    tf_names = [name for name in ("tensorflow", "tensorflow-cpu") if versions[name] != "not installed"]
    rows += [(name, version) for name, version in versions.items()
             if not name.startswith("tensorflow") or name in tf_names or not tf_names]
    grader = package_versions(("nbgrader",))["nbgrader"]
    rows.append(("instructor tools", f"nbgrader {grader}" if grader != "not installed"
                 else "none (a learner needs none; an instructor runs make test)"))
    gpus = tf.config.list_physical_devices("GPU")
    rows.append(("GPUs", ", ".join(g.name for g in gpus) if gpus else "none (CPU only is fine)"))
    rows.append(("mode", "FAST (COURSE_FAST=1)" if is_fast() else "full"))
    data = check_bundled_data()
    for row in data.itertuples():
        rows.append((f"data: {row.file}", f"{row.bytes:,} bytes, " + ("ok" if row.ok else "DAMAGED")))
    return pd.DataFrame(rows, columns=["item", "value"])
