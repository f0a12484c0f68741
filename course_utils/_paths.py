"""Where the course's files are: the one place that computes paths from this file's location.

``course_utils`` is installed in editable mode from a checkout, so the notebooks and the quiz
bank sit beside the package; the data sets ship inside it.
"""
from __future__ import annotations

from pathlib import Path

#: The checkout (the folder holding ``notebooks/``, ``quizzes/`` and ``pyproject.toml``).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent
#: The lessons, ``NN_slug.ipynb``.
NOTEBOOK_DIR: Path = REPO_ROOT / "notebooks"
#: The quiz bank, ``NN_slug.json``.
QUIZ_DIR: Path = REPO_ROOT / "quizzes"
#: The data sets shipped inside the package (checksummed in ``SOURCES.md``).
DATA_DIR: Path = Path(__file__).resolve().parent / "data"
