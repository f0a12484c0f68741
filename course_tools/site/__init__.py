"""The static course site (``course site``): every lesson executed and exported to HTML, offline.

:mod:`course_tools.site.build` does the work; the page template, its CSS and the MathJax set-up
are package data files in ``templates/``. See ``docs/site.md``.
"""
from __future__ import annotations

import sys

from .build import (SITE_DIR, ExecutedNotebook, NotebookExecutionError, PageInfo, build_site, count_quizzes,
                    drop_library_log_lines, export_page, main, mathjax_source, plotly_outputs_to_html, quiz_names,
                    remove_remote_scripts, rewrite_lesson_links, select_lessons, write_index)

__all__ = ["SITE_DIR", "ExecutedNotebook", "NotebookExecutionError", "PageInfo", "build_site", "count_quizzes",
           "drop_library_log_lines", "export_page", "main", "mathjax_source", "plotly_outputs_to_html", "quiz_names",
           "remove_remote_scripts", "rewrite_lesson_links", "select_lessons", "write_index"]

if __name__ == "__main__":
    sys.exit(main())
