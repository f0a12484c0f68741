"""One place for the tooling's paths and time limits.

The learner's paths (notebooks, quiz bank, data) come from :mod:`course_utils._paths`; the
instructor's and maintainer's are added here. Every time limit a command or a test applies to
running a notebook is defined once, below.
"""
from __future__ import annotations

from pathlib import Path

from course_utils._paths import DATA_DIR, NOTEBOOK_DIR, QUIZ_DIR, REPO_ROOT

__all__ = ["REPO_ROOT", "NOTEBOOK_DIR", "QUIZ_DIR", "DATA_DIR", "ASSIGNMENTS_DIR", "SITE_DIR", "BENCH_DIR",
           "TEST_OUTPUT_DIR", "LESSON_CELL_TIMEOUT", "FAST_NOTEBOOK_LIMIT", "GRADING_CELL_TIMEOUT",
           "SUBMISSION_TIMEOUT"]

#: The nbgrader course (``nbgrader_config.py``, ``source/``, ``release/`` ...).
ASSIGNMENTS_DIR: Path = REPO_ROOT / "assignments"
#: Where ``course site`` writes the static site by default.
SITE_DIR: Path = REPO_ROOT / "site"
#: The benchmark's report and scripts (``course bench``).
BENCH_DIR: Path = REPO_ROOT / "bench"
#: Screenshots, executed notebooks and logs the tests leave for a human to look at.
TEST_OUTPUT_DIR: Path = REPO_ROOT / "test-output"

#: Seconds one cell of a lesson may run (``course site``, ``course bench``, the notebook tests),
#: by mode. Generous: a limit only stops a notebook that hangs.
LESSON_CELL_TIMEOUT: dict[str, int] = {"fast": 300, "full": 3600}
#: Seconds a whole lesson may take in FAST mode under ``make test`` (elapsed time, so it allows for
#: a busy machine; on an idle 2-core machine each takes well under a minute).
FAST_NOTEBOOK_LIMIT: float = 150.0
#: Seconds one cell of an assignment may run when it is validated or autograded
#: (``assignments/nbgrader_config.py`` uses it too).
GRADING_CELL_TIMEOUT: int = 120
#: Seconds one submission may take in all when it is autograded (``course autograde --timeout``).
SUBMISSION_TIMEOUT: float = 1800.0
