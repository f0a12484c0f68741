"""Report how long each notebook took to execute under nbval (FAST mode in `make test`)."""
from __future__ import annotations

from collections import defaultdict

NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
#: A notebook in FAST mode should take well under a minute on an idle 2-core machine; this hard
#: limit (elapsed time, so it allows for a busy machine) makes `make test` fail past it.
FAST_LIMIT_SECONDS = 150.0


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        NOTEBOOK_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebook execution times")
    for path, seconds in sorted(NOTEBOOK_SECONDS.items()):
        flag = "  <-- over the FAST limit" if seconds > FAST_LIMIT_SECONDS else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")
    terminalreporter.write_line(f"{sum(NOTEBOOK_SECONDS.values()):6.1f} s  total")


def pytest_sessionfinish(session, exitstatus):
    slow = [path for path, seconds in NOTEBOOK_SECONDS.items() if seconds > FAST_LIMIT_SECONDS]
    if slow and exitstatus == 0:
        session.exitstatus = 1
