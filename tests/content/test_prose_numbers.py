"""course_tools.prose_numbers: no lesson states a result in prose that no cell produced."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from course_tools.prose_numbers import check_notebook, main, result_numbers, unmarked_numbers

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_quotes_a_result_that_no_cell_produces(path):
    assert check_notebook(path) == [], ("a number with a unit in a markdown cell: print it from a cell and refer "
                                        "to the output, or declare it in the cell's metadata course.constants")


def test_a_planted_run_time_fails_the_check(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The full run took about 6.5 minutes and beat persistence by 12 %."),
        nbformat.v4.new_markdown_cell("A 70 / 15 / 15 % split; the window is `30 s` of code and $2\\pi$ is maths."),
    ])
    nb.cells[1].metadata["course"] = {"constants": ["15 %"]}
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, str(path))
    assert check_notebook(path) == ["planted.ipynb cell 0: '6.5 minutes'", "planted.ipynb cell 0: '12 %'"]
    assert main([str(path)]) == 1


@pytest.mark.parametrize("text, found", [
    ("took 70 seconds", ["70 seconds"]), ("3 to 4 minutes", ["3 to 4 minutes"]), ("16 x faster", ["16 x"]),
    ("a loss of 1.9 bits", ["1.9 bits"]), ("US$ 162", ["US$ 162"]), ("epoch 3 of 10", []),
    ("`lookback = 30 s`", []), ("$$x = 5 s$$", []), ("at 20 deg C", ["20 deg C"]),
])
def test_result_numbers(text, found):
    assert result_numbers(text) == found


def test_only_markdown_cells_are_read():
    assert unmarked_numbers({"cell_type": "code", "source": "print('5 s')"}) == []


def test_a_damaged_notebook_is_reported(tmp_path):
    (tmp_path / "bad.ipynb").write_text("{")
    with pytest.raises(ValueError, match="not a readable notebook"):
        check_notebook(tmp_path / "bad.ipynb")
