"""Shared helpers of the real-browser tests (tests/browser/test_browser_*.py): Playwright + system Chromium.

Chromium is Debian's ``chromium`` package at /usr/bin/chromium (``COURSE_CHROMIUM`` overrides the
path). Playwright must never download a browser of its own: we only launch that executable.
When it is missing, the browser tests *fail* with the command that installs it; they never skip.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from course_utils.quiz import typeset

ROOT = Path(__file__).resolve().parents[2]
#: Screenshots for a person to look at (git-ignored).
OUTPUT_DIR = ROOT / "test-output"
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
#: Flags for a headless machine with no network (and nothing phoning home).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
INSTALL_HINT = ("install Debian's Chromium with `apt-get update && apt-get install -y chromium` "
                "(`make test` does this when it may), or point COURSE_CHROMIUM at a Chromium executable")


def launch_chromium(playwright: Any):
    """Launch the system Chromium with :data:`CHROMIUM_ARGS`; fail the test if it is missing."""
    executable = CHROMIUM if CHROMIUM.is_file() else None
    if executable is None and shutil.which(str(CHROMIUM)):
        executable = Path(shutil.which(str(CHROMIUM)))
    if executable is None:
        playwright.stop()
        pytest.fail(f"Chromium not found at {CHROMIUM}: {INSTALL_HINT}.", pytrace=False)
    try:
        return playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure is reported the same way
        playwright.stop()
        pytest.fail(f"Chromium at {executable} did not start ({exc}); {INSTALL_HINT}.", pytrace=False)


def start_playwright():
    """Start Playwright's sync API; fail with the install command if the package is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need Playwright's Python package: `.venv/bin/pip install "
                    "playwright` (it is a dependency in pyproject.toml; `make setup` installs it). "
                    "Do not run `playwright install`: the tests use the system Chromium.",
                    pytrace=False)
    return sync_playwright().start()


class PageWatch:
    """Record everything that goes wrong on a page: console errors, uncaught exceptions,
    failed requests, HTTP errors, and every request that would leave the machine (aborted)."""

    def __init__(self, page: Any, local_prefixes: tuple[str, ...]) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        self.local_prefixes = local_prefixes
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.route("**/*", self._route)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.url not in self.external:
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.local_prefixes) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def problems(self) -> list[str]:
        """Everything recorded, external requests first."""
        return [f"request to the network (blocked: the course must work offline): {url}"
                for url in self.external] + self.errors


# ---------------------------------------------------------------- what jupyterquiz will answer

def js_to_precision(value: float, digits: int) -> float:
    """``Number(value.toPrecision(digits))`` as JavaScript computes it (ties away from zero)."""
    exact = Decimal(value)
    if exact == 0:
        return 0.0
    step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    return float(exact.quantize(step, rounding=ROUND_HALF_UP))


def numeric_verdict(question: dict, typed: str) -> tuple[bool, str]:
    """(correct, feedback) that jupyterquiz's ``check_numeric`` gives for the text ``typed``.

    It walks the answers in order: the first ``value`` equal to the input (both rounded to
    ``precision`` significant digits when the question has one) or ``range`` [low, high)
    containing it decides; otherwise the ``default`` answer's feedback, counted as wrong.
    """
    number = float(typed.split("/")[0]) / float(typed.split("/")[1]) if "/" in typed else float(typed)
    digits = question.get("precision")
    if digits:
        number = js_to_precision(number, digits)
    default = "Incorrect. Try again."
    for answer in question["answers"]:
        if "value" in answer:
            target = js_to_precision(answer["value"], digits) if digits else answer["value"]
            if number == target:
                return bool(answer.get("correct")), answer.get("feedback", "Correct")
        elif "range" in answer:
            low, high = answer["range"]
            if low <= number < high:
                return bool(answer.get("correct")), answer["feedback"]
        elif answer.get("type") == "default":
            default = answer.get("feedback", default)
    return False, default


def _fmt(number: float) -> str:
    return format(number, ".10g")


def numeric_inputs(question: dict) -> tuple[str, str]:
    """A right and a wrong input for a numeric question, checked with :func:`numeric_verdict`.

    The wrong input lies far outside every value and range, so it gets the default feedback.

    Raises
    ------
    ValueError
        If no right input can be found (the question has no reachable correct answer).
    """
    candidates = []
    for answer in question["answers"]:
        if not answer.get("correct"):
            continue
        if "value" in answer:
            candidates.append(answer["value"])
        elif "range" in answer:
            low, high = answer["range"]
            candidates += [low + f * (high - low) for f in (0.5, 0.3, 0.7, 0.1)] + [low]
    right = next((_fmt(c) for c in candidates if numeric_verdict(question, _fmt(c))[0]), None)
    if right is None:
        raise ValueError(f"No input makes this numeric question correct: {question['question']!r}.")
    numbers = [abs(a["value"]) for a in question["answers"] if "value" in a]
    numbers += [abs(x) for a in question["answers"] if "range" in a for x in a["range"]]
    far = 10 ** (len(str(int(max(numbers, default=1.0)))) + 3) + 7
    wrong = next(_fmt(c) for c in (far, -far, far * 1000 + 3) if not numeric_verdict(question, _fmt(c))[0])
    return right, wrong


_MARKUP = re.compile(r"[$\\<>&\[\]`*_]")


def plain_prefix(text: str) -> str:
    """The start of ``text`` before any LaTeX or markup, whitespace normalised.

    jupyterquiz turns ``$...$`` into MathJax and markdown links into HTML, so a page shows
    only this part of a text verbatim.
    """
    return " ".join(_MARKUP.split(text, maxsplit=1)[0].split())


def shown(text: str) -> str:
    """Whitespace-normalised text as a page shows it."""
    return " ".join(text.split())


# ------------------------------------------------------------- answering a quiz in the browser

_QUESTION_SELECTOR = ".Quiz"


_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")

QUESTION_MATH_JS = """(wrapper) => {
  const question = wrapper.querySelector('[id^=quizQn]');
  return {text: question ? question.innerText : '',
          math: question ? question.querySelectorAll('math').length : 0,
          answerText: [...wrapper.querySelectorAll('label.MCButton')].map(l => l.innerText).join(' '),
          answerMath: wrapper.querySelectorAll('label.MCButton math').length};
}"""


def check_quiz_renders(container: Any, questions: list[dict], where: str) -> None:
    """Every question of ``questions`` is shown, in order, in the quiz ``container``.

    Its mathematics is typeset: each ``$...$`` of the question and of its answers is one
    MathML ``<math>`` element, and no TeX delimiter (``$``, ``\\(``) is left in the text.
    """
    wrappers = container.locator(_QUESTION_SELECTOR)
    wrappers.nth(len(questions) - 1).wait_for(state="attached", timeout=30_000)
    assert wrappers.count() == len(questions), (
        f"{where}: the quiz shows {wrappers.count()} questions; its JSON has {len(questions)}")
    for index, question in enumerate(questions):
        text = shown(wrappers.nth(index).inner_text())
        start = plain_prefix(question["question"])
        assert text.startswith(start[:60]), (
            f"{where}: question {index + 1} shows {text[:80]!r}, expected {start[:80]!r}")
        report = wrappers.nth(index).evaluate(QUESTION_MATH_JS)
        expected = len(_INLINE_MATH.findall(question["question"]))
        expected_in_answers = sum(len(_INLINE_MATH.findall(answer.get("answer", "")))
                                  for answer in question.get("answers", []) if "value" not in answer)
        assert report["math"] == expected, (
            f"{where}: question {index + 1} shows {report['math']} typeset formulas; its text has {expected}")
        if question["type"] in ("multiple_choice", "many_choice"):
            assert report["answerMath"] == expected_in_answers, (
                f"{where}: the answers of question {index + 1} show {report['answerMath']} typeset formulas; "
                f"their texts have {expected_in_answers}")
        for shown_text in (report["text"], report["answerText"]):
            left = [mark for mark in ("$", "\\(", "\\)", "\\[") if mark in shown_text]
            assert not left, f"{where}: question {index + 1} shows untypeset TeX {left}: {shown_text[:160]!r}"


def _choice_label(wrapper: Any, answer: dict, where: str):
    """The button (label) of ``answer``, found by its text (answers are shuffled)."""
    labels = wrapper.locator("label.MCButton")
    target = plain_prefix(answer.get("answer", "")) if "answer" in answer else ""
    matches = [labels.nth(i) for i in range(labels.count())
               if shown(labels.nth(i).inner_text()).startswith(target)
               and labels.nth(i).get_attribute("data-feedback") == typeset(answer["feedback"])]
    assert len(matches) == 1, f"{where}: found {len(matches)} buttons for answer {target!r}"
    return matches[0]


def _expect_feedback(wrapper: Any, correct: bool, feedback: str, where: str, suffix: str = "") -> None:
    """The question's feedback box turns correct/incorrect and shows ``feedback`` (+ ``suffix``)."""
    verdict = "correct" if correct else "incorrect"
    box = wrapper.locator(f".Feedback.{verdict}")
    box.wait_for(state="visible", timeout=10_000)
    start = plain_prefix(feedback)
    deadline = time.monotonic() + 5
    while True:  # the handler is synchronous, but MathJax may retypeset the text right after
        text = shown(box.inner_text())
        if text.startswith(start) and text.endswith(suffix):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{where}: the {verdict} feedback shows {text[:120]!r}; expected it "
                                 f"to start with {start[:120]!r}" + (f" and end with {suffix!r}" if suffix else ""))
        time.sleep(0.1)


def answer_question(wrapper: Any, question: dict, where: str) -> str:
    """Answer one question in the browser and check the feedback; return what was checked."""
    kind = question["type"]
    if kind in ("multiple_choice", "many_choice"):
        correct = [a for a in question["answers"] if a.get("correct")]
        wrong = [a for a in question["answers"] if not a.get("correct")]
        if len(correct) == 1:  # jupyterquiz treats one correct answer as multiple choice
            if wrong:
                _choice_label(wrapper, wrong[0], where).click()
                _expect_feedback(wrapper, False, wrong[0]["feedback"], where)
            _choice_label(wrapper, correct[0], where).click()
            _expect_feedback(wrapper, True, correct[0]["feedback"], where)
            return "wrong then right answer clicked" if wrong else "right answer clicked"
        for done, answer in enumerate(correct, 1):
            _choice_label(wrapper, answer, where).click()
            _expect_feedback(wrapper, True, answer["feedback"], where, f"[{done}/{len(correct)}]")
        return f"all {len(correct)} right answers clicked"
    if kind == "numeric":
        box = wrapper.locator("input.Input-text")
        right, wrong = numeric_inputs(question)
        for typed in (wrong, right):  # right last: a screenshot then shows the quiz solved
            box.fill(typed)
            box.press("Enter")
            correct, feedback = numeric_verdict(question, typed)
            _expect_feedback(wrapper, correct, feedback, f"{where} (typed {typed})")
        return f"typed {wrong} (wrong) then {right} (right)"
    if kind == "string":
        answer = next(a for a in question["answers"] if a.get("correct"))
        box = wrapper.locator("input.Input-text")
        box.fill(answer["answer"])
        box.press("Enter")
        _expect_feedback(wrapper, True, answer["feedback"], where)
        return "typed the right answer"
    raise AssertionError(f"{where}: unknown question type {kind!r}")


def answer_quiz(container: Any, questions: list[dict], where: str) -> list[str]:
    """Answer every question of a rendered quiz and check each feedback."""
    check_quiz_renders(container, questions, where)
    wrappers = container.locator(_QUESTION_SELECTOR)
    return [answer_question(wrappers.nth(i), question, f"{where}, question {i + 1}")
            for i, question in enumerate(questions)]


# ------------------------------------------------------------------------- plotly figures

FIGURES_DRAWN_JS = """([selector, expected]) => {
  const divs = [...document.querySelectorAll(selector)];
  return divs.length === expected && divs.every(d => d.querySelector('.main-svg')
         && d.querySelectorAll('.trace, g.hm, .imagelayer image').length > 0);
}"""

FIGURE_REPORT_JS = """(selector) => [...document.querySelectorAll(selector)].map(d => ({
  svg: d.querySelectorAll('.main-svg').length,
  traces: d.querySelectorAll('.trace, g.hm, .imagelayer image').length,
  data: (d.data || []).length,
  title: (d.querySelector('.gtitle') || {}).textContent || '',
  height: d.getBoundingClientRect().height}))"""
