"""The instructor's commands, one module per command (as nbgrader's own ``apps``).

``course release | collect | autograde | feedback | grades | validate`` (see
:mod:`course_tools.cli`) call the ``main`` of the module of the same name.
"""
