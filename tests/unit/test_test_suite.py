"""The rules of the test suite itself: tiers, shared helpers, and no skipping what is required."""
from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TIERS = ("unit", "content", "assignments", "browser", "hub")


def _test_files() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def test_every_test_file_is_in_a_tier():
    stray = [str(p.relative_to(TESTS)) for p in _test_files() if p.relative_to(TESTS).parts[0] not in TIERS]
    assert stray == [], f"put these in one of tests/{{{','.join(TIERS)}}}/: {stray}"


def test_no_test_skips_because_a_package_is_missing():
    """A required package that fails to import is a failure, not a skip."""
    pattern = re.compile(r"importorskip|skipif\([^)]*(import|find_spec)")
    found = [f"{p.relative_to(TESTS)}:{n}" for p in _test_files() if p != Path(__file__).resolve()
             for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == [], f"import the package (a missing one must fail the test): {found}"


def test_helpers_come_from_the_support_folder_not_from_other_tests():
    pattern = re.compile(r"^\s*(from|import) test_\w+", re.M)
    found = [str(p.relative_to(TESTS)) for p in _test_files() if pattern.search(p.read_text())]
    assert found == [], f"move what these import from another test file into tests/support/: {found}"
