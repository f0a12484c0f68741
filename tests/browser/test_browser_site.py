"""The static course site in a real browser (system Chromium through Playwright).

The site is built once per test session, in FAST mode, into a temporary folder: every notebook
is executed again (the quizzes and figures exist only in executed output). Then every page must
load with no JavaScript error and no request to the network, every quiz must show its questions
and give the right feedback, and every plotly figure must draw. Screenshots go to test-output/.

Environment switches (for development):
  COURSE_TEST_SITE=site                reuse a site already built (e.g. by `make site`)
  COURSE_TEST_SITE_ONLY="00 01"        build (and test) only these notebooks
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from browser_support import (FIGURE_REPORT_JS, FIGURES_DRAWN_JS, OUTPUT_DIR, PageWatch,
                             answer_quiz, check_quiz_renders, launch_chromium, plain_prefix, shown,
                             start_playwright)
from course_utils.navigation import lessons
from course_utils.quiz import load_quiz
from course_tools.site import NotebookExecutionError, build_site, select_lessons

SERIES = lessons()
STEMS = [lesson.path.stem for lesson in SERIES]
ONLY = os.environ.get("COURSE_TEST_SITE_ONLY", "").split() or None
FIGURE = ".plotly-graph-div"
QUIZ = "div[data-shufflequestions]"


@pytest.fixture(scope="session")
def site(tmp_path_factory, executed_lesson) -> tuple[Path, dict]:
    """(folder, manifest) of the site: built here in FAST mode, or COURSE_TEST_SITE."""
    prebuilt = os.environ.get("COURSE_TEST_SITE")
    if prebuilt:
        folder = Path(prebuilt).resolve()
        assert (folder / "manifest.json").is_file(), (
            f"COURSE_TEST_SITE={prebuilt} holds no manifest.json: build it with "
            "`python -m course_tools.site --fast --out {prebuilt}`")
    else:
        folder = tmp_path_factory.mktemp("site") / "site"
        # The lessons tests/content/test_notebooks.py executes, taken in reverse order so that,
        # when that file runs at the same time in another worker, the two meet in the middle.
        for lesson in reversed(select_lessons(SERIES, ONLY)):
            with contextlib.suppress(NotebookExecutionError):  # reported by the notebook tests
                executed_lesson(lesson.path)
        build_site(folder, fast=True, only=ONLY, executed=executed_lesson)
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def server(site):
    """Base URL of a local HTTP server on the site (how a hosted copy is read)."""
    folder, _ = site

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    # Module scope, not session: Playwright's sync API allows one instance per thread, and
    # with pytest-xdist the JupyterLab test may run next in the same worker (it then failed
    # with "using Playwright Sync API inside the asyncio loop").
    playwright = start_playwright()
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser):
    """Make a fresh page (own context) whose problems are watched; closed after the test."""
    contexts = []

    def make(local_prefixes: tuple[str, ...]):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page, local_prefixes)

    yield make
    for context in contexts:
        context.close()


def page_info(manifest: dict, stem: str) -> dict:
    pages = {page["file"]: page for page in manifest["pages"]}
    if f"{stem}.html" not in pages:
        if ONLY:
            pytest.skip(f"{stem} not built (COURSE_TEST_SITE_ONLY={' '.join(ONLY)})")
        pytest.fail(f"the site has no page for {stem}.ipynb; rebuild it", pytrace=False)
    return pages[f"{stem}.html"]


def settle(page) -> None:
    """Wait until the page stops loading and MathJax has finished (late errors show up too)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0",
                           timeout=30_000)
    page.wait_for_timeout(800)  # jupyterquiz typesets after a 500 ms timer


def assert_no_problems(watch: PageWatch, where: str) -> None:
    problems = watch.problems()
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def check_figures(page, expected: int, where: str) -> list[dict]:
    """Every plotly figure on the page draws an SVG with its traces."""
    try:
        page.wait_for_function(FIGURES_DRAWN_JS, arg=[FIGURE, expected], timeout=30_000)
    except Exception:  # report what is there rather than a bare time-out
        report = page.evaluate(FIGURE_REPORT_JS, FIGURE)
        pytest.fail(f"{where}: expected {expected} drawn plotly figures, found {report}", pytrace=False)
    report = page.evaluate(FIGURE_REPORT_JS, FIGURE)
    for number, figure in enumerate(report, 1):
        assert figure["traces"] >= 1 and figure["svg"] >= 1, f"{where}: figure {number}: {figure}"
        assert figure["title"].strip(), f"{where}: figure {number} has no title (every figure is titled)"
    return report


def test_the_site_has_a_page_per_notebook_and_loads_nothing_remote(site):
    folder, manifest = site
    wanted = [lesson.path.name for lesson in select_lessons(SERIES, ONLY)]
    assert [page["notebook"] for page in manifest["pages"]] == wanted
    assert manifest["mode"] == "fast" or os.environ.get("COURSE_TEST_SITE")
    assert (folder / "_static" / "plotly.min.js").stat().st_size > 1_000_000
    for page in ["index.html"] + [p["file"] for p in manifest["pages"]]:
        text = (folder / page).read_text(encoding="utf-8")
        assert 'src="http' not in text and 'src="//' not in text, f"{page} loads a remote script"


def test_index_lists_the_series_in_order(site, server, new_page):
    _, manifest = site
    page, watch = new_page((server,))
    page.goto(server + "index.html")
    settle(page)
    items = page.locator("ol.lessons li")
    assert items.count() == len(manifest["pages"])
    for index, info in enumerate(manifest["pages"]):
        text = shown(items.nth(index).inner_text())
        assert info["title"] in text and plain_prefix(info["summary"]) in text, text
        assert items.nth(index).locator("a").get_attribute("href") == info["file"]
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "site_index.png"))
    # every link leads to a page that loads
    for info in manifest["pages"]:
        assert page.request.get(server + info["file"]).status == 200
    assert_no_problems(watch, "index.html")


@pytest.mark.parametrize("stem", STEMS)
def test_lesson_page_works_over_http(stem, site, server, new_page):
    """Navigation, figures and quizzes on a page served over HTTP (as a hosted site)."""
    _, manifest = site
    info = page_info(manifest, stem)
    built = [page["file"] for page in manifest["pages"]]
    position = built.index(info["file"])
    page, watch = new_page((server,))
    page.goto(server + info["file"])
    settle(page)
    where = info["file"]

    nav = page.locator("nav.course-nav.top")
    assert nav.locator("a.home").get_attribute("href") == "index.html"
    prev_link, next_link = nav.locator(".prev a"), nav.locator(".next a")
    if position > 0:
        assert prev_link.get_attribute("href") == built[position - 1]
    else:
        assert prev_link.count() == 0
    if position + 1 < len(built):
        assert next_link.get_attribute("href") == built[position + 1]
    else:
        assert next_link.count() == 0 and "last notebook" in nav.inner_text()

    OUTPUT_DIR.mkdir(exist_ok=True)
    figures = check_figures(page, info["figures"], where)
    if figures:
        page.locator(FIGURE).first.scroll_into_view_if_needed()
        page.locator(FIGURE).first.screenshot(path=str(OUTPUT_DIR / f"site_{stem}_figure.png"))

    containers = page.locator(QUIZ)
    assert containers.count() == len(info["quiz_names"]) == info["quizzes"], (
        f"{where}: {containers.count()} quizzes on the page, show_quiz calls {info['quiz_names']}")
    for number, name in enumerate(info["quiz_names"]):
        container = containers.nth(number)
        container.scroll_into_view_if_needed()
        answer_quiz(container, load_quiz(name), f"{where}, quiz {name}")
        container.screenshot(path=str(OUTPUT_DIR / f"site_{stem}_quiz.png"))
    settle(page)
    assert_no_problems(watch, where)


@pytest.mark.parametrize("stem", STEMS)
def test_lesson_page_works_from_a_file(stem, site, new_page):
    """The same page opened from disk (file://): a downloaded copy of the site works too."""
    folder, manifest = site
    info = page_info(manifest, stem)
    page, watch = new_page(("file://",))
    page.goto((folder / info["file"]).as_uri())
    settle(page)
    check_figures(page, info["figures"], f"file://{info['file']}")
    containers = page.locator(QUIZ)
    assert containers.count() == info["quizzes"]
    for number, name in enumerate(info["quiz_names"]):
        check_quiz_renders(containers.nth(number), load_quiz(name), f"file://{info['file']}, {name}")
    assert_no_problems(watch, f"file://{info['file']}")
