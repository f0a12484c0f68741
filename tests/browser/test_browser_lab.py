"""Notebook 00 in a real JupyterLab, driven by the system Chromium through Playwright.

A JupyterLab server is started on a free local port with a token, on a temporary copy of the
notebook (JupyterLab autosaves, and committed notebooks carry no outputs), with COURSE_FAST=1 in
its environment. The test runs all cells, checks that the plotly figure draws, answers every
question of the quiz, checks each feedback, saves a screenshot to test-output/ and shuts the
server down.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from browser_support import (OUTPUT_DIR, PageWatch, answer_quiz, check_quiz_renders, launch_chromium,
                             start_playwright)
from course_utils.navigation import NOTEBOOK_DIR
from course_utils.quiz import load_quiz

NOTEBOOK = "00_welcome.ipynb"
QUIZ = "00_welcome"
#: A notebook made by the test that only shows the quiz with the most mathematics.
MATH_NOTEBOOK, MATH_QUIZ = "math_quiz.ipynb", "02_lstm_gate_maths"
START_TIMEOUT_S = 180
#: jupyterquiz, seeing JupyterLab 4's MathJax 3 without a global ``typeset``, tries to load
#: MathJax from this CDN; offline that fails and jupyterquiz later throws this TypeError. The
#: quiz still works (only LaTeX in quiz text stays untypeset in Lab). Anything else fails the test.
KNOWN_EXTERNAL = "https://cdn.jsdelivr.net/npm/mathjax@3/"
KNOWN_ERRORS = ("Cannot read properties of undefined (reading '0')",)

# JupyterLab user settings for the test: no news fetched, no extension manager, and every cell
# rendered (JupyterLab 4 otherwise only renders the cells near the viewport).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET") -> int:
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of a JupyterLab server on a copy of notebook 00; shut down afterwards."""
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK_DIR / NOTEBOOK, notebooks / NOTEBOOK)
    math_notebook = nbformat.v4.new_notebook()
    math_notebook.cells = [nbformat.v4.new_code_cell(
        f"from course_utils.quiz import show_quiz\n\nshow_quiz({MATH_QUIZ!r})")]
    math_notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(math_notebook, notebooks / MATH_NOTEBOOK)
    for name, values in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, "COURSE_FAST": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root
    log_path = home / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if _api(base, token, "/api/status") == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start (exit code {server.poll()}); its log:\n"
                            + log_path.read_text()[-3000:], pytrace=False)
            time.sleep(0.5)
        yield base, token
    finally:
        try:
            _api(base, token, "/api/shutdown", method="POST")
        except OSError:
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def kernel_idle(page) -> None:
    page.wait_for_function(
        "() => { const bar = document.querySelector('#jp-main-statusbar');"
        " return bar && /Idle/.test(bar.innerText) && !/No Kernel/.test(bar.innerText); }",
        timeout=START_TIMEOUT_S * 1000)


def run_all_cells(page, lab: tuple[str, str], notebook: str, questions: list[dict]):
    """Open ``notebook`` alone in a reset workspace of its own, run all its cells, return its quiz.

    A workspace of its own: otherwise JupyterLab restores the notebook of the other test beside
    this one, and "Run All Cells" may run whichever of the two is active.
    """
    base, token = lab
    workspace = notebook.removesuffix(".ipynb").replace("_", "-")
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?token={token}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=START_TIMEOUT_S * 1000)
    kernel_idle(page)
    panels = page.locator(".jp-NotebookPanel")
    assert panels.count() == 1, f"the workspace of {notebook} should hold one notebook, it holds {panels.count()}"
    panels.first.locator(".jp-Cell").first.click()  # make it the active notebook
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    quiz = page.locator(".jp-OutputArea-output div[data-shufflequestions]")
    quiz.locator(".Quiz").nth(len(questions) - 1).wait_for(state="attached", timeout=180_000)
    return quiz


def test_notebook_00_quiz_and_figure_work_in_jupyterlab(lab):
    base, token = lab
    questions = load_quiz(QUIZ)
    playwright = start_playwright()
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    watch = PageWatch(page, (base,))
    try:
        quiz = run_all_cells(page, lab, NOTEBOOK, questions)
        kernel_idle(page)  # every cell has run

        figure = page.locator(".jp-OutputArea-output.js-plotly-plot")
        assert figure.count() == 1, "notebook 00 shows one plotly figure"
        figure.locator(".main-svg").first.wait_for(state="attached", timeout=30_000)
        assert figure.locator(".trace").count() >= 2, "the temperature figure draws its two lines"

        quiz.scroll_into_view_if_needed()
        checked = answer_quiz(quiz, questions, f"JupyterLab {NOTEBOOK}")
        assert len(checked) == len(questions)
        OUTPUT_DIR.mkdir(exist_ok=True)
        quiz.locator(".Quiz").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab_00_welcome_quiz.png"))
        quiz.locator(".Quiz").last.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab_00_welcome_quiz_end.png"))
        figure.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab_00_welcome_figure.png"))

        unexpected = [url for url in watch.external if not url.startswith(KNOWN_EXTERNAL)]
        exceptions = [e for e in watch.errors if e.startswith("uncaught exception")
                      and not any(known in e for known in KNOWN_ERRORS)]
        (OUTPUT_DIR / "jupyterlab_console.txt").write_text("\n".join(watch.problems()) + "\n")
        assert not unexpected, f"JupyterLab page requested the network: {unexpected}"
        assert not exceptions, f"JavaScript exceptions in JupyterLab: {exceptions}"
    except BaseException:
        OUTPUT_DIR.mkdir(exist_ok=True)  # leave evidence for a person: what the page showed
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab_failure.png"))
        (OUTPUT_DIR / "jupyterlab_console.txt").write_text("\n".join(watch.problems()) + "\n")
        raise
    finally:
        browser.close()
        playwright.stop()


def test_quiz_mathematics_is_typeset_in_jupyterlab(lab):
    """Every $...$ of a quiz becomes MathML that JupyterLab shows offline, with no TeX left."""
    base, token = lab
    questions = load_quiz(MATH_QUIZ)
    assert sum(question["question"].count("$") for question in questions) >= 4, (
        f"{MATH_QUIZ} should hold mathematics for this test to mean anything")
    playwright = start_playwright()
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    watch = PageWatch(page, (base,))
    try:
        quiz = run_all_cells(page, lab, MATH_NOTEBOOK, questions)
        check_quiz_renders(quiz, questions, f"JupyterLab, quiz {MATH_QUIZ}")
        OUTPUT_DIR.mkdir(exist_ok=True)
        quiz.locator(".Quiz").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab_quiz_mathematics.png"))
        unexpected = [url for url in watch.external if not url.startswith(KNOWN_EXTERNAL)]
        assert not unexpected, f"JupyterLab page requested the network: {unexpected}"
    finally:
        browser.close()
        playwright.stop()
