"""nbgrader configuration of the course (read by every nbgrader command run in assignments/).

The instructor commands (`course release|collect|autograde|...`, see README.md here) run
nbgrader in this folder, so this file applies to them too.
"""
from course_tools.settings import GRADING_CELL_TIMEOUT

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "lstm-course"

# Every cell runs at most this many seconds when notebooks are autograded or validated.
# Training in FAST mode (the instructor commands autograde in FAST mode) takes well under
# a minute; an endless loop is interrupted after this time and the remaining cells still run.
c.Execute.timeout = GRADING_CELL_TIMEOUT
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

# Autograde in a sandbox (course_tools.sandbox: bubblewrap, no course files, no network, limited
# memory, processes and disk), restarting the kernel when a submission kills or hangs it
# (ResilientExecute), with stderr text not failing a test. This applies to every autograde in
# this folder, nbgrader's own command and the formgrader included; where no sandbox exists the
# kernel refuses to start. `course autograde` grades in parallel
# scratch courses and merges the results (course_tools.autograde); its --no-sandbox sets
# c.SandboxedExecute.sandbox = False, and every report then says so.
from course_tools.preprocessors import sandboxed_preprocessors  # noqa: E402

c.Autograde.autograde_preprocessors = sandboxed_preprocessors()
