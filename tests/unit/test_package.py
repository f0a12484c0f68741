"""The two packages: their module lists are complete and importing the learner's is light."""
import subprocess
import sys
from pathlib import Path

import course_tools
import course_utils


def test_all_lists_every_module():
    """``__all__`` names every public module; private ones (``_validate``, ...) are left out.

    A module whose name starts with ``_`` is a helper of the other modules, not something a
    notebook imports, so it is skipped here (``__init__`` among them).
    """
    modules = {p.stem for p in Path(course_utils.__file__).parent.glob("*.py") if not p.stem.startswith("_")}
    assert set(course_utils.__all__) == modules, "update __all__ in course_utils/__init__.py"


def test_importing_the_package_does_not_import_tensorflow():
    code = "import sys, course_utils; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_tools_list_every_module():
    folder = Path(course_tools.__file__).parent
    modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.parent.name for p in folder.glob("*/__init__.py")}
    assert set(course_tools.__all__) == modules, "update __all__ in course_tools/__init__.py"
