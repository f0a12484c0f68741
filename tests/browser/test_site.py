"""course_tools.site: the static site builder (no browser here; see test_browser_site.py)."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils.navigation import Lesson
from course_tools.site import (build_site, count_quizzes, main, plotly_outputs_to_html, quiz_names,
                               remove_remote_scripts, rewrite_lesson_links, select_lessons)


def write_notebook(path, cells):
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def tiny_course(tmp_path):
    """Two short notebooks: a plotly figure, LaTeX, a link between them, a navigation cell."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    figure = ("import plotly.graph_objects as go\n"
              "go.Figure(go.Scatter(y=[1, 3, 2]), layout=dict(title='A test figure', "
              "xaxis_title='Step', yaxis_title='Value (units)'))")
    write_notebook(folder / "00_first.ipynb", [
        new_markdown_cell("# First lesson\n\nWhere it starts, with `code` and $x^2$."),
        new_markdown_cell("Read [the next one](01_second.ipynb#top) and [elsewhere](99_other.ipynb)."),
        new_code_cell("import os\nprint('fast =', os.environ['COURSE_FAST'], '| cwd =', os.path.basename(os.getcwd()))"),
        new_code_cell(figure),
        new_markdown_cell("---\n**Next:** [Second](01_second.ipynb)", metadata={"tags": ["navigation"]}),
    ])
    write_notebook(folder / "01_second.ipynb", [
        new_markdown_cell("# Second lesson\n\nWhere it ends.\n\nMore details."),
        new_code_cell("print(6 * 7)"),
    ])
    return folder


def lesson(number, stem):
    return Lesson(number, Path(f"{stem}.ipynb"), stem.title(), "summary")


def test_select_lessons_by_number_or_stem_in_series_order():
    series = [lesson(0, "00_a"), lesson(1, "01_b"), lesson(2, "02_c")]
    assert select_lessons(series, None) == series
    assert select_lessons(series, ["02", "0"]) == [series[0], series[2]]
    assert select_lessons(series, ["01_b", "1"]) == [series[1]]


def test_select_lessons_rejects_an_unknown_notebook():
    with pytest.raises(ValueError, match="--only '7' matches no notebook.*00_a"):
        select_lessons([lesson(0, "00_a")], ["7"])


def test_plotly_figures_become_html_that_draws_with_local_plotly():
    figure = {"data": [{"type": "scatter", "y": [1, 2]}], "layout": {"title": {"text": "T"}, "height": 300}}
    notebook = new_notebook(cells=[new_code_cell("fig", outputs=[
        new_output("display_data", data={"application/vnd.plotly.v1+json": figure,
                                         "text/html": "<script src='https://cdn.plot.ly/x.js'></script>"}),
        new_output("stream", name="stdout", text="hello"),
    ])])
    assert plotly_outputs_to_html(notebook) == 1
    data = notebook.cells[0].outputs[0]["data"]
    assert set(data) == {"text/html", "text/plain"}
    assert "Plotly.newPlot" in data["text/html"] and "height:300px" in data["text/html"]
    assert "cdn" not in data["text/html"] and "<script src" not in data["text/html"]
    assert notebook.cells[0].outputs[1]["text"] == "hello"


def test_quiz_names_and_count():
    notebook = new_notebook(cells=[
        new_code_cell('from course_utils.quiz import show_quiz\nshow_quiz("03_x")', outputs=[
            new_output("display_data", data={"text/html": '<div id="abC" data-shufflequestions="False">'})]),
        new_code_cell("show_quiz('04_y')"),
        new_markdown_cell('show_quiz("not_code")'),
    ])
    assert quiz_names(notebook) == ["03_x", "04_y"]
    assert count_quizzes(notebook) == 1


def test_links_between_lessons_point_at_pages():
    page = ('<a href="01_b.ipynb">n</a> <a href="01_b.ipynb#part">p</a> '
            '<a href="09_z.ipynb">x</a> <a href="https://example.org/01_b.ipynb">w</a>')
    assert rewrite_lesson_links(page, {"01_b"}) == (
        '<a href="01_b.html">n</a> <a href="01_b.html#part">p</a> '
        '<a href="09_z.ipynb">x</a> <a href="https://example.org/01_b.ipynb">w</a>')


def test_remote_scripts_are_removed_and_local_ones_kept():
    page = ('<script src="https://cdnjs.cloudflare.com/require.min.js"></script>'
            '<script type="text/javascript" src="//cdn.example.org/a.js" ></script>'
            '<script src="_static/plotly.min.js"></script><script>var a = "https://x";</script>')
    cleaned, removed = remove_remote_scripts(page)
    assert removed == ["https://cdnjs.cloudflare.com/require.min.js", "//cdn.example.org/a.js"]
    assert cleaned == '<script src="_static/plotly.min.js"></script><script>var a = "https://x";</script>'


def test_build_site_writes_linked_offline_pages(tiny_course, tmp_path):
    out = tmp_path / "site"
    lines = []
    pages = build_site(out, fast=True, notebook_dir=tiny_course, title="Tiny course", log=lines.append)
    assert [page.file for page in pages] == ["00_first.html", "01_second.html"]
    assert pages[0].figures == 1 and pages[1].figures == 0
    assert any("00_first.ipynb: executed" in line for line in lines)

    first = (out / "00_first.html").read_text(encoding="utf-8")
    second = (out / "01_second.html").read_text(encoding="utf-8")
    assert 'href="01_second.html#top"' in first and 'href="99_other.ipynb"' in first
    assert first.count('src="_static/plotly.min.js"') == 1 and "Plotly.newPlot" in first
    assert "_static/plotly.min.js" not in second  # only pages with figures load plotly.js
    assert "Built in FAST mode" in first
    assert "<strong>Next:</strong>" not in first and "celltag_navigation" not in first  # cell dropped
    assert 'class="next"><a href="01_second.html">' in first
    assert 'class="prev"><a href="00_first.html">' in second and "This is the last notebook" in second
    for page in (first, second):
        assert 'src="http' not in page and 'src="//' not in page

    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Tiny course" in index
    assert index.index("00_first.html") < index.index("01_second.html")
    assert "Where it starts, with <code>code</code>" in index and "More details" not in index
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["mode"] == "fast" and [p["figures"] for p in manifest["pages"]] == [1, 0]
    assert (out / "_static" / "plotly.min.js").is_file()
    assert manifest["mathjax"] == (out / "_static" / "mathjax" / "MathJax.js").is_file()

    # a rebuild replaces the previous site
    build_site(out, fast=True, notebook_dir=tiny_course, only=["1"], log=lines.append)
    assert sorted(p.name for p in out.glob("*.html")) == ["01_second.html", "index.html"]


def test_build_site_refuses_a_folder_that_is_not_a_site(tiny_course, tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.tex").write_text("keep me")
    with pytest.raises(ValueError, match="non-empty folder that holds no site"):
        build_site(tmp_path / "precious", notebook_dir=tiny_course)
    assert (tmp_path / "precious" / "thesis.tex").read_text() == "keep me"
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        build_site(tmp_path / "file.txt", notebook_dir=tiny_course)


def test_build_site_needs_a_notebook(tmp_path):
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(ValueError, match="No notebook NN_slug.ipynb"):
        build_site(tmp_path / "site", notebook_dir=tmp_path / "notebooks")


def test_command_line_reports_errors_without_a_traceback(tmp_path, capsys):
    assert main(["--only", "99", "--out", str(tmp_path / "site")]) == 1
    assert "error: --only '99' matches no notebook" in capsys.readouterr().err


def test_command_line_rejects_an_unclear_course_fast(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "maybe")
    assert main(["--out", str(tmp_path / "site")]) == 1
    assert "COURSE_FAST='maybe' is not understood" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_tensorflow_start_up_lines_are_dropped_and_warnings_kept():
    from course_tools.site import drop_library_log_lines

    notebook = new_notebook(cells=[
        new_code_cell("import keras", outputs=[new_output("stream", name="stderr", text=(
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            "I0000 00:00:1796114672.758018   28266 port.cc:153] oneDNN custom operations are on.\n"))]),
        new_code_cell("x", outputs=[new_output("stream", name="stderr", text=(
            "E0000 00:00:1.5 77 cuda_dnn.cc:8310] something\n/tmp/a.py:3: UserWarning: keep me\n")),
            new_output("stream", name="stdout", text="I0000 00:00:1.5 77 port.cc:1] printed, kept\n")]),
    ])
    assert drop_library_log_lines(notebook) == 3
    assert notebook.cells[0].outputs == []
    assert [o["text"] for o in notebook.cells[1].outputs] == ["/tmp/a.py:3: UserWarning: keep me\n",
                                                             "I0000 00:00:1.5 77 port.cc:1] printed, kept\n"]
