"""The instructor's and maintainer's tools of the LSTM course: shell-side code no notebook imports.

``course_utils`` is what runs inside a learner's kernel; this package grades, builds and
measures. Its modules:

* :mod:`course_tools.sandbox`: runs a submission's kernel in a bubblewrap sandbox with
  resource limits (no course files, no network, bounded memory, processes and disk).
* :mod:`course_tools.preprocessors`: the notebook transforms of sandboxed autograding.
* :mod:`course_tools.gradebook_guard`: backs up the gradebook before grading, checks it
  after, and restores it when anything is wrong.
* :mod:`course_tools.autograde`: grades submissions in parallel, each in its own sandbox and
  scratch course, and merges the results into the gradebook through one writer.
"""
__all__ = ["autograde", "gradebook_guard", "preprocessors", "sandbox"]
