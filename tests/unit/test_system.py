"""Unit tests of course_utils.system: package versions and the environment report."""
import sys
from importlib import metadata

import pandas as pd
import pytest

from course_utils.datasets import DATASETS
from course_utils.system import environment_report, package_versions


def test_package_versions_of_installed_packages():
    versions = package_versions(("numpy", "pandas"))
    assert versions == {"numpy": metadata.version("numpy"), "pandas": metadata.version("pandas")}


def test_package_versions_marks_absent_packages():
    versions = package_versions(("numpy", "no-such-package-for-the-course"))
    assert list(versions) == ["numpy", "no-such-package-for-the-course"]
    assert versions["no-such-package-for-the-course"] == "not installed"


def test_package_versions_default_list_covers_the_course():
    versions = package_versions()
    for name in ["keras", "numpy", "pandas", "plotly", "jupyterquiz"]:
        assert versions[name] == metadata.version(name)


@pytest.fixture(scope="module")
def report():
    return environment_report()


def test_report_is_an_item_value_table(report):
    assert isinstance(report, pd.DataFrame)
    assert list(report.columns) == ["item", "value"]
    assert report["item"].is_unique
    assert report["value"].map(lambda v: isinstance(v, str) and v != "").all()


def test_report_python_row(report):
    values = dict(zip(report["item"], report["value"]))
    assert values["python"] == sys.version.split()[0]
    assert "platform" in values and "CPU cores" in values and "GPUs" in values


def test_report_data_rows(report):
    values = dict(zip(report["item"], report["value"]))
    for name in DATASETS:
        assert values[f"data: {name}"].endswith(" bytes, ok")
    assert values["data: AAPL.csv"] == "712,004 bytes, ok"


def test_report_package_rows(report):
    values = dict(zip(report["item"], report["value"]))
    assert values["numpy"] == metadata.version("numpy")
    assert values["keras"] == metadata.version("keras")


@pytest.mark.parametrize("setting, expected", [("1", "FAST (COURSE_FAST=1)"), ("0", "full")])
def test_report_mode_row(monkeypatch, setting, expected):
    monkeypatch.setenv("COURSE_FAST", setting)
    report = environment_report()
    assert report.set_index("item").loc["mode", "value"] == expected
