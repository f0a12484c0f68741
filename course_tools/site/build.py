"""Build the static course site: every notebook executed and exported to HTML, offline.

    course site                 # full run (meaningful numbers) -> site/
    course site --fast          # COURSE_FAST=1: quick, rough numbers
    course site --out /tmp/site --only 00 01 --timeout 600

Each notebook of :func:`course_utils.navigation.lessons` is executed in ``notebooks/`` (its own
folder) with nbclient and exported with nbconvert's ``lab`` template, extended so that the page
needs nothing from the network:

* plotly figures (``application/vnd.plotly.v1+json`` outputs, which nbconvert would drop) become
  ``<div>`` + ``Plotly.newPlot`` calls, drawn by one local copy of plotly.js,
  ``_static/plotly.min.js``, loaded once by every page that has a figure;
* the require.js, MathJax and mermaid ``<script>`` tags that the template loads from CDNs are
  removed; MathJax 2 is served from ``_static/mathjax/`` when the ``jupyter-server-mathjax``
  package is installed (otherwise LaTeX stays as written);
* jupyterquiz quizzes work as they are: their JavaScript is embedded in the cell output.

The site has an index page (the ordered series with each notebook's summary), previous/next
links on every page, and ``manifest.json``, which lists what each page holds (figures, quizzes)
for the browser tests. See ``docs/site.md``.
"""
from __future__ import annotations

import argparse
import datetime
import html
import json
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from course_utils.config import is_fast
from course_utils.navigation import Lesson, lessons

from course_tools.execute import NotebookExecutionError, execute_notebook
from course_tools.settings import LESSON_CELL_TIMEOUT, NOTEBOOK_DIR, REPO_ROOT, SITE_DIR

__all__ = ["SITE_DIR", "PageInfo", "NotebookExecutionError", "ExecutedNotebook",
           "select_lessons", "drop_library_log_lines", "plotly_outputs_to_html", "quiz_names",
           "count_quizzes", "rewrite_lesson_links", "remove_remote_scripts", "mathjax_source",
           "export_page", "write_index", "build_site", "main"]

#: Height of a plotly figure whose layout sets none (plotly's own default).
FIGURE_HEIGHT_PX = 450

_TEMPLATES: Path = Path(__file__).resolve().parent / "templates"


def _template(name: str) -> str:
    """A file of ``templates/`` (package data: the page template, its CSS, the MathJax set-up)."""
    return (_TEMPLATES / name).read_text(encoding="utf-8")


_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_STATIC = "_static"
_MANIFEST = "manifest.json"
_TEMPLATE_NAME = "course_site.html.j2"
_LESSON_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
_REMOTE_SCRIPT = re.compile(
    r'<script\b[^>]*\bsrc\s*=\s*["\'](?:https?:)?//[^"\']*["\'][^>]*>\s*</script>', re.IGNORECASE)
# absl's C++ log lines ("I0000 00:00:1796114672.758018   28266 port.cc:153] ...") and its notice
_LIBRARY_LOG_LINE = re.compile(r"[IWEF]\d{4} [\d:.]+\s+\d+ [\w./-]+\.cc:\d+\] "
                               r"|WARNING: All log messages before absl::InitializeLog\(\) is called")
_SHOW_QUIZ = re.compile(r"""show_quiz\(\s*["']([^"']+)["']""")
_QUIZ_DIV = re.compile(r'<div id="\w+" data-shufflequestions=')

_CSS = _template("lesson.css")

_INDEX_CSS = _template("index.css")

# MathJax 2 configuration. jupyter-server-mathjax ships the combined TeX-AMS-MML_HTMLorMML
# configuration (HTML-CSS output) and the STIX-Web fonts only, so those are the ones used.
_MATHJAX_CONFIG = _template("mathjax_config.html")
# On a lesson page only markdown and the quizzes are typeset (outputs hold prices in US$).
_LESSON_MATH = 'ignoreClass: "jp-OutputArea-output", processClass: "Quiz|jp-RenderedMarkdown"'
_INDEX_MATH = 'ignoreClass: "no-math"'

_TEMPLATE = _template("course_site.html.j2")


#: ``executed(path) -> (notebook, seconds)``: an executed lesson for :func:`build_site`.
ExecutedNotebook = Callable[[Path], "tuple[Any, float]"]


@dataclass
class PageInfo:
    """What one page of the site holds (written to ``manifest.json``)."""

    file: str
    notebook: str
    number: int
    title: str
    summary: str
    figures: int = 0
    quizzes: int = 0
    quiz_names: list[str] = field(default_factory=list)
    seconds: float = 0.0


def select_lessons(series: list[Lesson], only: list[str] | None) -> list[Lesson]:
    """The lessons named in ``only`` (numbers such as ``"01"``/``"1"`` or stems), in order.

    Raises
    ------
    ValueError
        If an entry of ``only`` matches no notebook.
    """
    if not only:
        return list(series)
    chosen = []
    for entry in only:
        matches = [lesson for lesson in series
                   if entry == lesson.path.stem or (entry.isdigit() and int(entry) == lesson.number)]
        if not matches:
            known = ", ".join(lesson.path.stem for lesson in series) or "none"
            raise ValueError(f"--only {entry!r} matches no notebook; give a number such as 01 or "
                             f"a stem. Notebooks: {known}.")
        chosen += [lesson for lesson in matches if lesson not in chosen]
    return [lesson for lesson in series if lesson in chosen]


def drop_library_log_lines(notebook: Any) -> int:
    """Remove the start-up lines TensorFlow's C++ code writes to stderr from every output.

    TensorFlow 2.21 writes them when a notebook first imports it, whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says (``WARNING: All log messages before absl::InitializeLog()...``
    and lines such as ``I0000 00:00:17.. 123 port.cc:153] oneDNN custom operations are on...``).
    On a page for reading they are noise. Other stderr text (Python warnings) is kept; an
    output left empty is dropped. The notebook is changed in place.

    Returns
    -------
    int
        How many lines were removed.
    """
    removed = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = output["text"].splitlines(keepends=True)
                rest = [line for line in lines if not _LIBRARY_LOG_LINE.match(line)]
                removed += len(lines) - len(rest)
                if not rest:
                    continue
                output["text"] = "".join(rest)
            kept.append(output)
        cell["outputs"] = kept
    return removed


def plotly_outputs_to_html(notebook: Any, height_px: int = FIGURE_HEIGHT_PX) -> int:
    """Turn every plotly figure output into HTML that draws it with a page-level plotly.js.

    nbconvert drops ``application/vnd.plotly.v1+json`` outputs (JupyterLab draws them with an
    extension). Each becomes a ``text/html`` output (a ``div`` and a ``Plotly.newPlot`` call);
    any other representation of the same output (e.g. HTML that loads plotly from a CDN
    through require.js) is dropped. The notebook is changed in place.

    Returns
    -------
    int
        The number of figures converted.
    """
    import plotly.io as pio

    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(_PLOTLY_MIME)
            if figure is None:
                continue
            layout = figure.get("layout", {})
            height = f"{layout['height']}px" if isinstance(layout.get("height"), (int, float)) \
                else f"{height_px}px"
            div = pio.to_html({"data": figure.get("data", []), "layout": layout},
                              config=figure.get("config") or {}, include_plotlyjs=False,
                              full_html=False, validate=False, default_width="100%",
                              default_height=height)
            output["data"] = {"text/html": div, "text/plain": "<plotly figure>"}
            count += 1
    return count


def quiz_names(notebook: Any) -> list[str]:
    """Names of the quizzes the notebook shows with ``show_quiz("NN_slug")``, in order."""
    names = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            names += _SHOW_QUIZ.findall(cell.source)
    return names


def count_quizzes(notebook: Any) -> int:
    """How many jupyterquiz quizzes the executed notebook displays."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            count += len(_QUIZ_DIV.findall(text))
    return count


def rewrite_lesson_links(page: str, stems: set[str]) -> str:
    """Point links to other notebooks of the series (``NN_slug.ipynb``) at their pages."""
    def replace(match: re.Match) -> str:
        stem, anchor = match.group(1), match.group(2) or ""
        return f'href="{stem}.html{anchor}"' if stem in stems else match.group(0)

    return _LESSON_LINK.sub(replace, page)


def remove_remote_scripts(page: str) -> tuple[str, list[str]]:
    """Remove every ``<script src="http...">`` tag; return the page and the URLs removed.

    A page of this site must not depend on the network: a CDN script that cannot load leaves
    a page half working and throws errors in the console.
    """
    removed = [re.search(r'src\s*=\s*["\']([^"\']*)', tag).group(1)
               for tag in _REMOTE_SCRIPT.findall(page)]
    return _REMOTE_SCRIPT.sub("", page), removed


def mathjax_source() -> Path | None:
    """Folder of a local MathJax 2 (from the ``jupyter-server-mathjax`` package), or None."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    folder = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    return folder if (folder / "MathJax.js").is_file() else None


def _copy_static(out: Path) -> bool:
    """Copy plotly.js (and MathJax if available) into ``out/_static``; return True with MathJax."""
    import plotly

    static = out / _STATIC
    static.mkdir(parents=True, exist_ok=True)
    bundled = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if bundled.is_file():
        shutil.copyfile(bundled, static / "plotly.min.js")
    else:  # pragma: no cover - every plotly wheel ships it; this is the documented fallback
        from plotly.offline import get_plotlyjs

        (static / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    mathjax = mathjax_source()
    if mathjax is None:
        return False

    def skip(folder: str, names: list[str]) -> list[str]:
        if Path(folder).name == "localization":  # keep English only
            return [name for name in names if name != "en"]
        return [name for name in names if name == "unpacked"]

    shutil.copytree(mathjax, static / "mathjax", ignore=skip, dirs_exist_ok=True)
    return True


def _link(lesson: Lesson, label: str) -> str:
    return f'<a href="{lesson.path.stem}.html">{label} {html.escape(lesson.title)}</a>'


def _nav(index: int, series: list[Lesson], where: str) -> str:
    parts = ['<a class="home" href="index.html">Course home</a>']
    parts.append(f'<span class="prev">{_link(series[index - 1], "&larr; Previous:")}</span>'
                 if index > 0 else '<span class="prev"></span>')
    parts.append(f'<span class="next">{_link(series[index + 1], "Next: ")} &rarr;</span>'
                 if index + 1 < len(series) else
                 '<span class="next">This is the last notebook.</span>')
    return f'<nav class="course-nav {where}" aria-label="course navigation">{"".join(parts)}</nav>'


def _banner(fast: bool) -> str:
    if not fast:
        return ""
    return ('<div class="course-banner">Built in FAST mode (<code>COURSE_FAST=1</code>): small data '
            "and few epochs, so the numbers on this page are rough. Build with "
            "<code>make site</code> for the full run.</div>")


def export_page(notebook: Any, index: int, series: list[Lesson], *, fast: bool,
                with_mathjax: bool, with_plotly: bool) -> str:
    """HTML of one lesson page: nbconvert's ``lab`` template, offline, with course navigation."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    lesson = series[index]
    notebook.cells = [cell for cell in notebook.cells
                      if "navigation" not in cell.get("metadata", {}).get("tags", [])]
    notebook.metadata["title"] = f"{lesson.number:02d} {lesson.title}"
    head = ""
    if with_mathjax:
        head += _MATHJAX_CONFIG % {"classes": _LESSON_MATH}
    if with_plotly:
        head += f'\n<script type="text/javascript" src="{_STATIC}/plotly.min.js"></script>'
    exporter = HTMLExporter(template_name="lab", template_file=_TEMPLATE_NAME,
                            extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"course_site": {
        "head_js": head, "css": _CSS, "banner": _banner(fast),
        "nav_top": _nav(index, series, "top"), "nav_bottom": _nav(index, series, "bottom"),
    }}
    page, _ = exporter.from_notebook_node(notebook, resources=resources)
    page = rewrite_lesson_links(page, {item.path.stem for item in series})
    page, removed = remove_remote_scripts(page)
    for url in removed:
        print(f"warning: {lesson.path.name}: removed a script loaded from the network: {url}",
              file=sys.stderr)
    return page


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def _readme_heading(root: Path = REPO_ROOT) -> tuple[str, str]:
    """The README's title and first paragraph (the course's name and pitch)."""
    readme = root / "README.md"
    if not readme.is_file():
        return "The course", ""
    text = readme.read_text(encoding="utf-8")
    lines = text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "The course")
    after = text.split("\n", 1)[1] if "\n" in text else ""
    paragraph = next((p.strip() for p in after.split("\n\n")
                      if p.strip() and not p.lstrip().startswith(("#", "```", "|", "<!--"))), "")
    return title, " ".join(paragraph.split())


def write_index(out: Path, pages: list[PageInfo], *, fast: bool, with_mathjax: bool,
                title: str, pitch: str, seconds: float) -> Path:
    """Write ``index.html``: the series in order with each notebook's summary."""
    items = "\n".join(
        f'<li><span class="number">{page.number:02d}</span>'
        f'<a href="{page.file}">{html.escape(page.title)}</a>{_markdown(page.summary)}</li>'
        for page in pages)
    mode = "FAST mode (COURSE_FAST=1)" if fast else "full mode"
    built = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    head_js = _MATHJAX_CONFIG % {"classes": _INDEX_MATH} if with_mathjax else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<style type="text/css">{_INDEX_CSS}</style>
{head_js}
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
{_markdown(pitch) if pitch else ""}
{_banner(fast)}
<p>Every page is a notebook of the course, executed top to bottom: read the code, its output,
the interactive figures (hover, zoom, double-click to reset) and answer the quiz at the end.
Take them in order.</p>
<ol class="lessons">
{items}
</ol>
<footer>Built {built} in {mode}; executing the notebooks took {seconds:.0f} s.
To run the notebooks yourself, clone the course and run <code>make lab</code>.</footer>
</main>
</body>
</html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _prepare_out(out: Path) -> None:
    """Empty ``out`` if it is a previous site (or empty); refuse any other folder."""
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"--out {out} is a file; give a folder for the site.")
        entries = list(out.iterdir())
        if entries and not (out / _MANIFEST).is_file():
            raise ValueError(f"--out {out} is a non-empty folder that holds no site "
                             f"({_MANIFEST} is missing); give a new or empty folder, or site/.")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def build_site(out: Path | None = None, *, fast: bool = False, only: list[str] | None = None,
               timeout: int | None = None, notebook_dir: Path | None = None,
               title: str | None = None, log=print, executed: ExecutedNotebook | None = None) -> list[PageInfo]:
    """Execute the notebooks and write the site.

    Parameters
    ----------
    out
        Output folder (default ``site/``). Emptied first if it holds a previous site.
    fast
        Execute with ``COURSE_FAST=1``.
    only
        Build these notebooks only (numbers or stems); navigation links the pages built.
    timeout
        Seconds one cell may run (default :data:`course_tools.settings.LESSON_CELL_TIMEOUT`).
    notebook_dir
        Folder of the notebooks (default ``notebooks/``).
    title
        Course title on the index page (default: the README's title).
    log
        Called with progress lines.
    executed
        Gives the executed notebook of a lesson path and the seconds it took (a copy the
        builder may change), e.g. from executions the tests already made; by default each
        notebook is executed here with :func:`course_tools.execute.execute_notebook`.

    Returns
    -------
    list of PageInfo
        One per page, in the order of the series.

    Raises
    ------
    ValueError
        If there is no notebook to build, ``only`` names an unknown notebook, or ``out`` is a
        folder that holds something else than a previous site.
    NotebookExecutionError
        If a cell of a notebook fails.
    """
    out = SITE_DIR if out is None else Path(out)
    folder = NOTEBOOK_DIR if notebook_dir is None else Path(notebook_dir)
    series = select_lessons(lessons(folder), only)
    if not series:
        raise ValueError(f"No notebook NN_slug.ipynb in {folder}: nothing to build.")
    timeout = LESSON_CELL_TIMEOUT["fast" if fast else "full"] if timeout is None else timeout
    _prepare_out(out)
    with_mathjax = _copy_static(out)
    if not with_mathjax:
        log("note: jupyter-server-mathjax is not installed: LaTeX is shown as written.")
    course_title, pitch = _readme_heading(folder.parent)
    pages: list[PageInfo] = []
    total = time.perf_counter()
    for index, lesson in enumerate(series):
        if executed is None:
            notebook, seconds = execute_notebook(lesson.path, fast=fast, timeout=timeout)
        else:
            notebook, seconds = executed(lesson.path)
        drop_library_log_lines(notebook)
        figures = plotly_outputs_to_html(notebook)
        info = PageInfo(file=f"{lesson.path.stem}.html", notebook=lesson.path.name,
                        number=lesson.number, title=lesson.title, summary=lesson.summary,
                        figures=figures, quizzes=count_quizzes(notebook),
                        quiz_names=quiz_names(notebook), seconds=round(seconds, 1))
        page = export_page(notebook, index, series, fast=fast, with_mathjax=with_mathjax,
                           with_plotly=figures > 0)
        (out / info.file).write_text(page, encoding="utf-8")
        pages.append(info)
        log(f"[{index + 1}/{len(series)}] {lesson.path.name}: executed in {seconds:.1f} s, "
            f"{figures} figure(s), {info.quizzes} quiz(zes)")
    elapsed = time.perf_counter() - total
    write_index(out, pages, fast=fast, with_mathjax=with_mathjax,
                title=title or course_title, pitch=pitch, seconds=elapsed)
    manifest = {"mode": "fast" if fast else "full", "mathjax": with_mathjax,
                "seconds": round(elapsed, 1), "pages": [asdict(page) for page in pages]}
    (out / _MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    log(f"site written to {out} ({len(pages)} page(s), {elapsed:.0f} s); open {out / 'index.html'}")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course site",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true",
                        help="execute with COURSE_FAST=1 (quick, rough numbers)")
    parser.add_argument("--out", type=Path, default=SITE_DIR, help="output folder (default site/)")
    parser.add_argument("--only", nargs="+", metavar="NN",
                        help="build only these notebooks (numbers such as 01, or stems)")
    parser.add_argument("--timeout", type=int, default=None,
                        help=f"seconds one cell may run (default {LESSON_CELL_TIMEOUT['full']}, or {LESSON_CELL_TIMEOUT['fast']} with --fast)")
    args = parser.parse_args(argv)
    try:
        fast = args.fast or is_fast()  # `COURSE_FAST=1 make site` builds the FAST site too
        build_site(args.out, fast=fast, only=args.only, timeout=args.timeout)
    except (ValueError, NotebookExecutionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
