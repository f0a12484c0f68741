"""The instructor's and maintainer's tools of the LSTM course: shell-side code no notebook imports.

``course_utils`` is what runs inside a learner's kernel; this package grades, builds and
measures, behind one command, ``course`` (:mod:`course_tools.cli`). Its layout follows
nbgrader's own (apps / preprocessors) and keeps d2l's separation of the learner's library from
the book builder:

* configuration: :mod:`~course_tools.settings` (paths and time limits, in one place),
  :mod:`~course_tools.course` (the nbgrader course folder and running nbgrader in it);
* :mod:`~course_tools.apps`: the instructor's commands, one module each (``release``,
  ``collect``, ``autograde``, ``feedback``, ``grades``, ``validate``);
* grading: :mod:`~course_tools.sandbox` (a submission's kernel under bubblewrap with resource
  limits), :mod:`~course_tools.preprocessors` and :mod:`~course_tools.resilient_execute` (the
  notebook transforms of autograding), :mod:`~course_tools.autograde` (parallel sandboxed
  grading merged into the gradebook by one writer), :mod:`~course_tools.gradebook_guard`
  (backup, check, restore), :mod:`~course_tools.submissions` (finding, repairing and reviewing
  submitted notebooks);
* proving the grading: :mod:`~course_tools.corpus` (hostile submissions and their expected
  scores) and :mod:`~course_tools.redteam` (attacks on the sandbox);
* the maintainer's tools: :mod:`~course_tools.execute` (the one notebook executor),
  :mod:`~course_tools.site` (the static site; templates as package data),
  :mod:`~course_tools.bench` (the benchmark), :mod:`~course_tools.navigation` (links between
  lessons), :mod:`~course_tools.quizzes` (graded quizzes from the bank),
  :mod:`~course_tools.prose_numbers` (no result typed into prose).
"""
__all__ = ["apps", "autograde", "bench", "cli", "corpus", "course", "exchange", "execute", "gradebook_guard", "navigation",
           "preprocessors", "prose_numbers", "quizzes", "redteam", "resilient_execute", "sandbox", "settings", "site",
           "sizing", "submissions"]
