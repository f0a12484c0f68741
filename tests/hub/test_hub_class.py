"""A class on a real JupyterHub, end to end: release, fetch, answer, submit, grade, feedback.

The hub is ``jupyterhub -f deploy/jupyterhub_config.py`` (the file a real class uses) with
configurable-http-proxy, PAM logins and one Jupyter server per Unix account, on 127.0.0.1. The
accounts are made for the test and removed after it (tests/support/hub_support.py).

The class: the grader ``lstmt-grader``; ``ada`` and ``ben`` work in a real browser (Playwright,
Debian's Chromium): log in, fetch problem set 1 from the Assignments tab, type their answers into
the notebook (ada all three, ben two), save and submit; ``cyd`` opens a Terminal in JupyterLab
(``nbgrader fetch_assignment`` / ``submit`` / ``fetch_feedback``, one answer); ``eve``, from a
Terminal too, submits a notebook that tries to read the grader's solutions and write into the grader's home. The grader
releases to the exchange, collects from it, autogrades with the course's sandboxed command,
writes and releases feedback (``course ... --exchange``); each student fetches their feedback.
Screenshots go to test-output/hub-*.png; the time of each step and the memory of each student's
server (all processes of the account: JupyterLab, and the kernel of the open notebook for the
browser students) to test-output/hub-measurements.json.
"""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from browser_support import OUTPUT_DIR, launch_chromium, start_playwright
from course_tools import corpus
from hub_support import COURSE, ROOT, HubClass

ASSIGNMENT = "ps01_lstm_cell"
SOURCE = ROOT / "assignments" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
#: Answer cells each student fills in (the others keep the released stub).
ANSWERS = {"ada": {"lstm_cell", "lstm_forward", "gru_forward"}, "ben": {"lstm_cell", "lstm_forward"},
           "cyd": {"lstm_cell"}, "eve": set()}
BROWSER_STUDENTS = ("ada", "ben")
TERMINAL_STUDENTS = ("cyd", "eve")
#: eve's answer to the first cell: copy the grader's solution and leave a mark in the grader's home.
EVE_CELL = '''import glob, json, os
open(os.path.expanduser("~lstmt-grader") + "/eve-was-here", "w").write("x")
for path in glob.glob("/home/lstmt-grader/course/source/ps01_lstm_cell/*.ipynb"):
    for cell in json.load(open(path))["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "lstm_cell":
            exec("".join(cell["source"]).replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
'''
#: JupyterLab user settings for the browser students: every cell rendered (JupyterLab 4 otherwise
#: renders only the cells near the viewport), no news fetched.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def _answered(release: nbformat.NotebookNode, answers: set[str]) -> nbformat.NotebookNode:
    """The release with the cells in ``answers`` filled from the source's solutions."""
    solved = corpus.solution_notebook(nbformat.read(str(SOURCE), 4), release)
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for mine, full in zip(nb.cells, solved.cells):
        if mine.get("metadata", {}).get("nbgrader", {}).get("grade_id") in answers:
            mine.source = full.source
    return nb


def _write_settings(hub: HubClass, user: str) -> None:
    for name, values in LAB_SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        folder = hub.home(user) / ".jupyter" / "lab" / "user-settings" / plugin
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(json.dumps(values))
    hub.chown_home(user)


def _log_in(page, hub: HubClass, user: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", hub.passwords[user])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=180_000)
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").wait_for(timeout=180_000)


def _assignments_tab(page) -> None:
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.locator("#released_assignments_list").wait_for(timeout=60_000)


def _type_answers(page, release: nbformat.NotebookNode, answered: nbformat.NotebookNode) -> None:
    """Open the fetched notebook from the Assignments tab and type each answer into its cell."""
    page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
    page.locator("#fetched_assignments_list .nested_list_item a", has_text=ASSIGNMENT).click()
    cells = page.locator(".jp-NotebookPanel .jp-Cell")
    cells.nth(len(release.cells) - 1).wait_for(timeout=60_000)
    assert cells.count() == len(release.cells), "every cell of the notebook is on the page"
    for index, (stub, answer) in enumerate(zip(release.cells, answered.cells)):
        if stub.source == answer.source:
            continue
        editor = cells.nth(index).locator(".cm-content")
        assert "YOUR CODE HERE" in editor.inner_text(), f"cell {index} is an answer cell of the release"
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(answer.source)  # as pasted: no auto-indent or closing brackets
    page.keyboard.press("Control+S")
    page.locator(".jp-NotebookPanel .jp-mod-dirty").wait_for(state="detached", timeout=30_000)


def _browser_student(playwright, hub: HubClass, name: str, release: nbformat.NotebookNode) -> dict:
    user = hub.user(name)
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    started = time.monotonic()
    try:
        _log_in(page, hub, user)
        login_s = time.monotonic() - started
        _assignments_tab(page)
        released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.get_by_role("button", name="Fetch").click()
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        _type_answers(page, release, _answered(release, ANSWERS[name]))
        _assignments_tab(page)
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.get_by_role(
            "button", name="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-assignments.png"))
        return {"context": browser, "page": page, "login_s": login_s, "seconds": time.monotonic() - started}
    except Exception:
        page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-failed.png"))
        browser.close()
        raise


def _type_in_terminal(page, command: str) -> None:
    page.locator(".jp-Terminal").last.click()
    page.keyboard.type(command + "\n")


def _wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


def _submissions(hub: HubClass, user: str) -> list[Path]:
    return sorted((hub.exchange / COURSE / "inbound").glob(f"{user}+{ASSIGNMENT}+*"))


def _terminal_student(playwright, hub: HubClass, name: str, release: nbformat.NotebookNode) -> dict:
    """Log in, open a Terminal in JupyterLab, fetch with nbgrader, edit, submit with nbgrader."""
    user = hub.user(name)
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    started = time.monotonic()
    try:
        _log_in(page, hub, user)
        page.locator(".jp-LauncherCard", has_text="Terminal").first.click()
        page.locator(".jp-Terminal .xterm-screen").first.wait_for(timeout=60_000)
        path = hub.home(user) / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        _type_in_terminal(page, f"nbgrader fetch_assignment {ASSIGNMENT}")
        _wait_for(path.is_file, f"{name}'s nbgrader fetch_assignment")
        nb = _answered(release, ANSWERS[name])
        if name == "eve":
            next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "lstm_cell"
                 ).source = EVE_CELL
        hub.write_as(user, path, nbformat.writes(nb))  # the student's editor saves the answers
        _type_in_terminal(page, f"nbgrader submit {ASSIGNMENT}")
        _wait_for(lambda: _submissions(hub, user), f"{name}'s nbgrader submit")
        page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-terminal.png"))
        return {"context": browser, "page": page, "seconds": time.monotonic() - started}
    except Exception:
        page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-failed.png"))
        browser.close()
        raise


def _formgrader_views(playwright, hub: HubClass, student_page) -> dict[str, str]:
    """What the formgrader service shows the grader, and what it shows a student who tries it."""
    url = f"{hub.url}/services/{COURSE}/formgrader"
    browser = launch_chromium(playwright)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{hub.url}/hub/login?next=/services/{COURSE}/formgrader")
        page.fill("input[name=username]", hub.instructor)
        page.fill("input[name=password]", hub.passwords[hub.instructor])
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"**/services/{COURSE}/formgrader**", timeout=120_000)
        page.get_by_text(ASSIGNMENT).first.wait_for(timeout=60_000)
        grader_view = page.locator("body").inner_text()
        page.screenshot(path=str(OUTPUT_DIR / "hub-grader-formgrader.png"))
    finally:
        browser.close()
    reply = student_page.goto(url)
    student_page.screenshot(path=str(OUTPUT_DIR / "hub-ada-formgrader-refused.png"))
    return {"grader": grader_view, "student_status": str(reply.status if reply else None),
            "student": student_page.locator("body").inner_text()}


@pytest.fixture(scope="module")
def hub_class():
    """The whole term of the class, run once; the tests below check what each step left."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    # not under pytest's temporary folder: pytest keeps that private (0700) to other accounts
    workdir = Path(tempfile.mkdtemp(prefix="lstm-course-hub-"))
    hub = HubClass(workdir, ["ada", "ben", "cyd", "eve"])
    times: dict[str, float] = {}
    started = time.monotonic()
    try:
        hub.start(ROOT / "assignments")
        times["hub start"] = time.monotonic() - started
        grader, course = hub.instructor, hub.home(hub.instructor) / "course"

        def grade_step(*args: str) -> str:
            began = time.monotonic()
            done = hub.as_user(grader, ["course", *args, "--course", str(course)], cwd=course, timeout=900)
            times[f"course {args[0]}"] = time.monotonic() - began
            return done.stdout + done.stderr

        outputs = {"release": grade_step("release", "--assignment", ASSIGNMENT, "--exchange")}
        release = nbformat.read(str(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), 4)
        for name in ANSWERS:
            _write_settings(hub, hub.user(name))
        playwright = start_playwright()
        sessions = {}
        try:
            for name in BROWSER_STUDENTS:
                sessions[name] = _browser_student(playwright, hub, name, release)
                times[f"{name} in the browser"] = sessions[name]["seconds"]
            for name in TERMINAL_STUDENTS:
                sessions[name] = _terminal_student(playwright, hub, name, release)
                times[f"{name} in a terminal"] = sessions[name]["seconds"]
            memory = {name: hub.memory_mib(hub.user(name)) for name in ANSWERS}
            outputs["collect"] = grade_step("collect", "--exchange", "--assignment", ASSIGNMENT)
            outputs["autograde"] = grade_step("autograde", "--assignment", ASSIGNMENT, "--jobs", "2")
            outputs["feedback"] = grade_step("feedback", "--assignment", ASSIGNMENT, "--exchange")
            outputs["grades"] = grade_step("grades", "--to", str(course / "grades.csv"))
            feedback_text = {}
            for name in BROWSER_STUDENTS:
                page = sessions[name]["page"]
                _assignments_tab(page)
                submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
                submitted.get_by_role("button", name="Fetch Feedback").click()
                link = page.locator("#submitted_assignments_list a", has_text="view feedback").first
                link.wait_for(timeout=60_000)
                page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-feedback-fetched.png"))
                html = sorted((hub.home(hub.user(name)) / COURSE / ASSIGNMENT / "feedback").glob("*/*.html"))
                assert html, f"{name}'s feedback was fetched into the assignment folder"
                relative = html[-1].relative_to(hub.home(hub.user(name)))
                page.goto(f"{hub.url}/user/{hub.user(name)}/files/{relative}")
                feedback_text[name] = page.locator("body").inner_text()
                page.screenshot(path=str(OUTPUT_DIR / f"hub-{name}-feedback.png"), full_page=False)
            folder = hub.home(hub.user("cyd")) / COURSE / ASSIGNMENT / "feedback"
            _type_in_terminal(sessions["cyd"]["page"], f"nbgrader fetch_feedback {ASSIGNMENT}")
            _wait_for(lambda: list(folder.glob("*/*.html")), "cyd's nbgrader fetch_feedback")
            feedback_text["cyd"] = sorted(folder.glob("*/*.html"))[-1].read_text()
            formgrader = _formgrader_views(playwright, hub, sessions["ada"]["page"])
        finally:
            for session in sessions.values():
                session["context"].close()
            playwright.stop()
        times["whole term"] = time.monotonic() - started
        (OUTPUT_DIR / "hub-measurements.json").write_text(json.dumps(
            {"seconds": {k: round(v, 1) for k, v in times.items()},
             "memory_mib_per_student_server": memory}, indent=1))
        with open(course / "grades.csv") as handle:
            grades = {row["student_id"]: row for row in csv.DictReader(handle)}
        yield {"hub": hub, "course": course, "outputs": outputs, "grades": grades, "times": times,
               "feedback": feedback_text, "release": release, "formgrader": formgrader}
    except Exception:
        print(hub.log())
        raise
    finally:
        hub.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _expected(name: str) -> float:
    source = nbformat.read(str(SOURCE), 4)
    return corpus.expected_score(source, set(corpus.solution_ids(source)) - ANSWERS[name])


def test_exported_grades_are_each_students_own(hub_class):
    grades, hub = hub_class["grades"], hub_class["hub"]
    expected = {hub.user(name): _expected(name) for name in ANSWERS}
    assert expected[hub.user("ada")] == 12 and 0 < expected[hub.user("cyd")] < expected[hub.user("ben")] < 12
    scored = {user: float(grades[user]["score"]) for user in expected if user in grades}
    assert scored == expected, f"exported grades {scored}, expected {expected}"


def test_each_student_sees_their_own_score_and_no_one_elses(hub_class):
    hub, feedback = hub_class["hub"], hub_class["feedback"]
    for name in ("ada", "ben", "cyd"):
        text = feedback[name]
        assert f"Score: {_expected(name):.1f} / 12.0" in text or f"{_expected(name):g} / 12" in text, \
            f"{name}'s feedback shows their score:\n{text[:600]}"
        others = [other for other in ANSWERS if other != name]
        assert not any(hub.user(other) in text for other in others), f"{name}'s feedback names no other student"
    folder = hub.home(hub.user("ben")) / COURSE / ASSIGNMENT / "feedback"
    assert len(list(folder.glob("*/*.html"))) == 1, "ben fetched one feedback file: his own"


def test_a_student_cannot_read_another_students_home_or_submission(hub_class):
    hub = hub_class["hub"]
    ben = hub.user("ben")
    exchange = hub.exchange / COURSE
    attempts = {
        "ada's home": ["ls", str(hub.home(hub.user("ada")))],
        "ada's notebook": ["cat", str(hub.home(hub.user("ada")) / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
        "the exchange's submissions": ["ls", str(exchange / "inbound")],
        "the exchange's feedback": ["ls", str(exchange / "feedback")],
        "the grader's course": ["ls", str(hub_class["course"] / "source")],
    }
    for what, command in attempts.items():
        done = hub.as_user(ben, command, check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, f"ben could read {what}: {done.stdout[:200]}"


def test_grading_ran_sandboxed_without_the_graders_rights(hub_class):
    hub, outputs = hub_class["hub"], hub_class["outputs"]
    assert "WITHOUT a sandbox" not in outputs["autograde"] + outputs["feedback"]
    assert not (hub.home(hub.instructor) / "eve-was-here").exists(), "eve's code wrote into the grader's home"
    assert float(hub_class["grades"][hub.user("eve")]["score"]) == 0, "eve could not use the grader's solutions"


def test_the_formgrader_service_opens_for_the_grader_only(hub_class):
    views = hub_class["formgrader"]
    assert "Manage Assignments" in views["grader"] and ASSIGNMENT in views["grader"]
    assert views["student_status"] == "403", f"a student reached the formgrader: {views['student'][:300]}"
