"""Checks that the hidden tests of the graded notebooks run before trusting the kernel.

nbgrader runs a learner's code and the tests in one Python process, so a submission can
replace library functions that tests rely on (``np.testing.assert_allclose = print``), the
course's own helpers, or builtins. Every autograded test cell of the course calls
:func:`assert_untampered` in its hidden part: it compares the functions of a fixed set of
modules with those of a freshly started interpreter and checks that the Keras classes the
tests use still run Keras's own code. A submission that changed any of them fails every
hidden test, whatever else it does.

What this does not cover: code written against this module itself (for instance replacing
:func:`assert_untampered`). ``course autograde`` therefore also
lists submissions whose code touches modules, builtins or the grader for a human to read
(see :mod:`course_utils.submissions`).
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import sysconfig
import types
from collections.abc import Iterable
from pathlib import Path

__all__ = ["CHECKED_MODULES", "KERAS_NAMES", "PRISTINE_FILE", "fingerprint", "pristine_fingerprint",
           "keras_problems", "tampering", "assert_untampered"]

#: Modules whose attributes must match a fresh interpreter's: every module a hidden test or
#: a grading check imports, and what those call. Of the course's own modules the private
#: attributes (``_bundled``, ``_OFFSET``...) are compared too: a hidden test relies on them.
CHECKED_MODULES: tuple[str, ...] = (
    "builtins", "math", "operator", "functools", "hashlib", "numpy", "numpy.linalg", "numpy.random",
    "numpy.testing", "course_utils._paths", "course_utils._validate", "course_utils.baselines",
    "course_utils.datasets", "course_utils.grading", "course_utils.graded_quiz", "course_utils.leak_checks",
    "course_utils.metrics", "course_utils.pipelines", "course_utils.rnn_reference", "course_utils.sequences",
    "course_utils.windows",
)

#: Keras objects the hidden tests use; each must still be Keras's own code.
KERAS_NAMES: tuple[str, ...] = (
    "keras.Input", "keras.Model", "keras.Sequential", "keras.layers.Dense", "keras.layers.GRU",
    "keras.layers.GRUCell", "keras.layers.Layer", "keras.layers.LSTM", "keras.layers.LSTMCell",
    "keras.layers.RNN",
)

# Builtins that IPython and ipykernel replace in every kernel (input, exit, ...): not
# evidence of tampering, so they are left out of the comparison.
_KERNEL_BUILTINS = frozenset({"input", "exit", "quit", "help", "copyright", "credits",
                              "license", "display", "get_ipython", "open", "__IPYTHON__",
                              "__build_class__", "__import__", "__loader__", "__spec__",
                              "__doc__", "__name__", "__package__", "__debug__"})
_PRISTINE: dict[tuple[str, ...], dict[str, str]] = {}


def _check_names(module_names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(module_names)
    if not names or not all(isinstance(n, str) and n and not n.startswith(".") for n in names):
        raise ValueError(
            f"module_names must be a non-empty list of module names such as 'numpy'; got {names!r}."
        )
    return names


def _code_file(value: object) -> str | None:
    function = getattr(value, "__func__", value)
    code = getattr(function, "__code__", None)
    return code.co_filename if isinstance(code, types.CodeType) else None


def _describe(value: object) -> str:
    """A string that changes when an attribute is rebound to another object."""
    kind = type(value)
    parts = [f"{kind.__module__}.{kind.__qualname__}"]
    if isinstance(value, types.ModuleType):
        parts.append(value.__name__)
    elif isinstance(value, type):
        parts += [str(value.__module__), value.__qualname__]
    elif isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
        parts.append(repr(value))
    elif callable(value):
        parts += [str(getattr(value, "__module__", "")), str(getattr(value, "__qualname__",
                                                                        getattr(value, "__name__", "")))]
        code_file = _code_file(value)
        if code_file is not None:
            function = getattr(value, "__func__", value)
            parts += [_package_relative(code_file, str(getattr(value, "__module__", ""))),
                      str(function.__code__.co_firstlineno)]
    return "|".join(parts)


def _package_relative(code_file: str, module: str) -> str:
    """``.../site-packages/numpy/core/numeric.py`` -> ``numpy/core/numeric.py``.

    The same package installed elsewhere (another checkout of the course) then describes
    the same way; code defined in a notebook keeps its own (temporary) file name.
    """
    top = module.split(".")[0]
    marker = f"{os.sep}{top}{os.sep}"
    return code_file[code_file.rindex(marker) + 1:] if top and marker in code_file else code_file


def fingerprint(module_names: Iterable[str] = CHECKED_MODULES) -> dict[str, str]:
    """Describe every public attribute of some modules, as this process sees them.

    Parameters
    ----------
    module_names
        Importable module names, e.g. ``("numpy", "builtins")``.

    Returns
    -------
    dict
        ``"module.attribute"`` -> a description (type, name, defining file and line) that
        changes when the attribute is replaced by another object.

    Raises
    ------
    ValueError
        If ``module_names`` is empty or holds something other than module names, or a
        module cannot be imported.
    """
    found: dict[str, str] = {}
    modules = {}
    for name in _check_names(module_names):  # import them all first: importing adds attributes
        try:
            modules[name] = importlib.import_module(name)
        except ImportError as exc:
            raise ValueError(f"Cannot import module {name!r} to check it ({exc}): check the "
                             "spelling and give the name of an installed module, such as "
                             "'numpy'.") from None
    for name, module in modules.items():
        for attribute in sorted(vars(module)):
            if name == "builtins":
                if attribute in _KERNEL_BUILTINS:
                    continue
            elif attribute.startswith("__") or (attribute.startswith("_") and not name.startswith("course_utils")):
                continue
            found[f"{name}.{attribute}"] = _describe(vars(module)[attribute])
    return found


#: Where the grading sandbox puts, read-only, the fingerprint of :data:`CHECKED_MODULES` that the
#: grader computed in a fresh interpreter of the same environment (saves starting one per kernel).
PRISTINE_FILE = Path("/etc/course-utils-pristine.json")


def pristine_fingerprint(module_names: Iterable[str] = CHECKED_MODULES) -> dict[str, str]:
    """:func:`fingerprint` computed by a freshly started, isolated Python interpreter.

    Nothing done in the current process (a notebook's kernel) reaches that interpreter:
    it is started with ``-I`` (no ``PYTHONPATH``, no user site, no current directory on
    the path). The result is cached for the life of the process. In the grading sandbox the
    grader has already computed it for :data:`CHECKED_MODULES` (:data:`PRISTINE_FILE`).

    Raises
    ------
    ValueError
        If ``module_names`` is not a list of module names, or the interpreter fails.
    """
    names = _check_names(module_names)
    if names not in _PRISTINE and names == CHECKED_MODULES:
        try:
            _PRISTINE[names] = json.loads(PRISTINE_FILE.read_text())
        except (OSError, ValueError):  # not in the grading sandbox: compute it below
            pass
    if names not in _PRISTINE:
        program = ("import json, sys; from course_utils.grading import fingerprint; "
                   "print(json.dumps(fingerprint(sys.argv[1:])))")
        result = subprocess.run([sys.executable, "-I", "-c", program, *names],
                                capture_output=True, text=True, timeout=120,
                                env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
        if result.returncode != 0:
            raise ValueError(f"A fresh interpreter could not describe {list(names)}: give only "
                             "modules that import in `python -I` (installed ones, not files beside "
                             "the notebook or on PYTHONPATH) and check their spelling. Its error:\n"
                             f"{result.stderr.strip()[-2000:]}")
        _PRISTINE[names] = json.loads(result.stdout)
    return _PRISTINE[names]


def _trusted_roots() -> tuple[str, ...]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(__file__).resolve().parent)}
    return tuple(str(Path(p).resolve()) + os.sep for p in paths if p)


def _from_trusted_file(filename: str | None, roots: tuple[str, ...]) -> bool:
    if not filename or filename.startswith("<"):
        return False
    try:
        resolved = str(Path(filename).resolve())
    except OSError:
        return False
    return resolved.startswith(roots) and Path(resolved).is_file()


def keras_problems(names: Iterable[str] = KERAS_NAMES) -> list[str]:
    """Keras objects that are no longer Keras's own code (empty if Keras is not imported).

    Each name must still be a class or function of that name defined in a file of the
    installed Keras or TensorFlow, and every method of a class (and of the Keras classes
    it inherits from) must come from such a file.

    Raises
    ------
    ValueError
        If a name is not a dotted name starting with ``keras.``.
    """
    names = tuple(names)
    bad_names = [n for n in names if not (isinstance(n, str) and n.startswith("keras."))]
    if bad_names:
        raise ValueError(f"Keras names look like 'keras.layers.LSTM'; got {bad_names}.")
    keras = sys.modules.get("keras")
    if keras is None:
        return []
    roots = _trusted_roots()
    problems = []
    for dotted in names:
        value: object = keras
        try:
            for part in dotted.split(".")[1:]:
                value = getattr(value, part)
        except AttributeError:
            problems.append(f"{dotted} is missing")
            continue
        leaf = dotted.rsplit(".", 1)[1]
        module = str(getattr(value, "__module__", ""))
        if getattr(value, "__name__", None) != leaf or not module.startswith(("keras", "tensorflow")):
            problems.append(f"{dotted} was replaced by {value!r}")
            continue
        if isinstance(value, type):
            for klass in value.__mro__:
                if not str(klass.__module__).startswith(("keras", "tensorflow")):
                    continue
                for attribute, member in vars(klass).items():
                    code_file = _code_file(getattr(member, "fget", member))
                    if code_file is not None and not _from_trusted_file(code_file, roots):
                        problems.append(f"{klass.__qualname__}.{attribute} was replaced")
        elif not _from_trusted_file(_code_file(value), roots):
            problems.append(f"{dotted} was replaced")
    return problems


def tampering(module_names: Iterable[str] = CHECKED_MODULES) -> list[str]:
    """Everything that differs from a fresh interpreter, one line each (empty: untouched).

    Compares :func:`fingerprint` here with :func:`pristine_fingerprint`, then adds
    :func:`keras_problems`.

    Raises
    ------
    ValueError
        As :func:`fingerprint` and :func:`pristine_fingerprint`.
    """
    names = _check_names(module_names)
    pristine = pristine_fingerprint(names)
    current = fingerprint(names)
    changed = [f"{key} was replaced" for key, value in pristine.items()
               if key in current and current[key] != value]
    changed += [f"{key} was deleted" for key in pristine if key not in current]
    return changed + keras_problems()


def assert_untampered() -> None:
    """Fail (``AssertionError``) if library functions, builtins or the grader were replaced.

    Hidden tests call this first: a notebook that rebinds ``numpy`` functions, builtins,
    the course's grading helpers or Keras layers earns no points from them.
    """
    changed = tampering()
    if changed:
        listed = "; ".join(changed[:10]) + (f"; and {len(changed) - 10} more" if len(changed) > 10 else "")
        raise AssertionError(
            "This notebook replaced functions that the tests rely on, so its hidden tests "
            f"cannot be trusted and give no points: {listed}. Remove the code that reassigns "
            "library functions and run the notebook again."
        )
