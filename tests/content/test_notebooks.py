"""Every lesson runs top to bottom in FAST mode, without an error and within the time limit.

Each lesson is executed once per test run (the ``executed_lesson`` fixture of
``tests/conftest.py``); the site and browser tests reuse these executions. A learner's full run
is the same code with ``COURSE_FAST`` unset (``course bench`` times both).
"""
from __future__ import annotations

import pytest

from course_tools.settings import FAST_NOTEBOOK_LIMIT
from course_utils.navigation import lessons

LESSONS = lessons()


def test_there_are_lessons():
    assert len(LESSONS) >= 10, "notebooks/NN_slug.ipynb: the series is missing"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path.stem)
def test_the_lesson_runs_in_fast_mode(executed_lesson, lesson):
    notebook, seconds = executed_lesson(lesson.path)
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    code = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]
    assert all(cell.execution_count for cell in code), "every code cell ran"
    assert seconds <= FAST_NOTEBOOK_LIMIT, (
        f"{lesson.path.name} took {seconds:.0f} s in FAST mode (limit {FAST_NOTEBOOK_LIMIT:.0f} s): "
        "shrink its FAST sizes with course_utils.config.pick")
