"""nbgrader configuration of the course (read by every nbgrader command run in assignments/).

The instructor commands (`python -m course_utils.instructor ...`, see README.md here) run
nbgrader in this folder, so this file applies to them too.
"""
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "lstm-course"

# Every cell runs at most this many seconds when notebooks are autograded or validated.
# Training in FAST mode (the instructor commands autograde in FAST mode) takes well under
# a minute; an endless loop is interrupted after this time and the remaining cells still run.
c.Execute.timeout = 120
c.Execute.startup_timeout = 120

# nbgrader's default markers, written here so that nobody has to guess them:
# solutions between "### BEGIN SOLUTION" and "### END SOLUTION" are replaced by a stub,
# hidden tests between "### BEGIN HIDDEN TESTS" and "### END HIDDEN TESTS" are removed
# from the released notebooks and put back when grading.
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# A test cell deleted from a submission is put back (from the gradebook) before grading.
c.OverwriteCells.add_missing_cells = True

# A submission that prints without end keeps at most this many lines per cell.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Give a cell that prints a lot the time to deliver its output before it counts as hung.
c.Execute.iopub_timeout = 30

# Autograde with course_utils.resilient_execute.ResilientExecute instead of nbgrader's
# Execute: a submission that kills its kernel (os._exit) or hangs it (a loop that ignores
# the interrupt) is still graded; the remaining cells run in a fresh kernel.
from course_utils.resilient_execute import AUTOGRADE_PREPROCESSORS  # noqa: E402

c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
