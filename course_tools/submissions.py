"""Submitted notebooks before nbgrader sees them: find, match, repair and review them.

``course collect`` uses this module to turn a folder of
submissions into nbgrader's ``submitted/<student>/<assignment>/<assignment>.ipynb``:

* :func:`find_submissions` maps each student's notebooks to assignments, rescuing renamed
  copies (``ps01_lstm_cell (1).ipynb``, ``Copy of ps01_lstm_cell.ipynb``);
* :func:`repair_notebook` gives back to a submission every graded or read-only cell of the
  release that it lost or damaged (deleted cells, duplicated or invented grade ids,
  edited nbgrader metadata), so that nbgrader can grade it instead of failing on it;
* :func:`review_findings` lists code that reassigns attributes of modules, touches builtins
  or the grader, or runs code from strings: the kind of code a human should read, since
  tests run in the same process as the learner's code.
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

__all__ = ["STUDENT_ID", "Submission", "Finding", "find_submissions", "match_assignment",
           "read_notebook", "repair_notebook", "review_findings"]

#: A student id usable as a folder name by nbgrader.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]*")
_IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints"}


@dataclass(frozen=True)
class Submission:
    """One notebook of one student for one assignment.

    Attributes
    ----------
    student
        The student's id (their folder's name).
    assignment
        The assignment it was matched to.
    path
        The submitted file.
    renamed_from
        The file's name when it was not ``<assignment>.ipynb`` (a rescued rename), else None.
    """

    student: str
    assignment: str
    path: Path
    renamed_from: str | None = None


@dataclass(frozen=True)
class Finding:
    """A line of a submission that a human should read (see :func:`review_findings`)."""

    cell: int
    line: int
    reason: str
    code: str


def _normalise(stem: str) -> str:
    stem = stem.lower()
    stem = re.sub(r"^(copy of|kopie von|copie de)\s+", "", stem)
    stem = re.sub(r"[\s_-]*(\(\d+\)|-?copy\d*|copy|\d+)$", "", stem)
    return re.sub(r"[\s-]+", "_", stem).strip("_")


def match_assignment(filename: str, assignments: list[str]) -> tuple[str | None, bool]:
    """Which assignment a notebook's file name belongs to.

    Returns
    -------
    tuple
        ``(assignment, exact)``: the assignment (or None when no name fits) and whether the
        file is named exactly ``<assignment>.ipynb``. A renamed copy matches when its
        normalised name contains exactly one assignment name (the longest wins).

    Raises
    ------
    ValueError
        If ``assignments`` is empty.
    """
    if not assignments:
        raise ValueError("No assignments to match submissions to: run the release step first.")
    stem = Path(filename).stem
    if stem in assignments:
        return stem, True
    normalised = _normalise(stem)
    found = sorted((a for a in assignments if a.lower() in normalised), key=len, reverse=True)
    return (found[0] if found else None), False


def find_submissions(folder: Path, assignments: list[str], only: str | None = None
                     ) -> tuple[list[Submission], list[str]]:
    """Map each student's notebooks to assignments.

    Parameters
    ----------
    folder
        One folder per student: ``<student>/<assignment>.ipynb`` (or nbgrader's
        ``<student>/<assignment>/<assignment>.ipynb``).
    assignments
        The released assignments.
    only
        Collect this assignment only; a student folder holding a single notebook that
        matches no assignment name is then taken as that assignment (renamed entirely).

    Returns
    -------
    tuple
        ``(submissions, skipped)``: at most one submission per student and assignment (the
        exactly named file wins, then the newest), and a message for each file left out.

    Raises
    ------
    ValueError
        If ``folder`` is not a directory, ``assignments`` is empty, or ``only`` is not one of
        them.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder of submissions (<student>/<assignment>.ipynb).")
    if not assignments:
        raise ValueError("No assignments to match submissions to: run the release step first.")
    if only is not None and only not in assignments:
        raise ValueError(f"Unknown assignment {only!r}; released assignments: {', '.join(assignments)}.")
    chosen: dict[tuple[str, str], tuple[tuple[bool, float], Submission]] = {}
    skipped: list[str] = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        if student_dir.name in _IGNORED_PARTS or student_dir.name.startswith("."):
            continue
        if not STUDENT_ID.fullmatch(student_dir.name):
            skipped.append(f"{student_dir.name}/: not a usable student id (letters, digits, _ . @ + -)")
            continue
        notebooks = sorted(p for p in student_dir.rglob("*.ipynb")
                           if not _IGNORED_PARTS & set(p.relative_to(student_dir).parts)
                           and not any(part.startswith(".") for part in p.relative_to(student_dir).parts))
        for path in notebooks:
            assignment, exact = match_assignment(path.name, assignments)
            if assignment is None and only is not None and len(notebooks) == 1:
                assignment = only
            if assignment is None:
                skipped.append(f"{student_dir.name}/{path.relative_to(student_dir)}: matches no assignment")
                continue
            if only is not None and assignment != only:
                continue
            submission = Submission(student_dir.name, assignment, path, None if exact else path.name)
            rank = (exact, path.stat().st_mtime)
            key = (student_dir.name, assignment)
            if key in chosen:
                loser = min(chosen[key], (rank, submission), key=lambda item: item[0])[1]
                skipped.append(f"{student_dir.name}/{loser.path.relative_to(student_dir)}: another "
                               f"notebook of {assignment} was taken instead")
                if rank <= chosen[key][0]:
                    continue
            chosen[key] = (rank, submission)
    return [item[1] for _, item in sorted(chosen.items())], skipped


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, upgraded to nbformat 4.

    Raises
    ------
    ValueError
        If the file is not a readable notebook (damaged JSON, not a notebook).
    """
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for damaged files
        raise ValueError(f"{path} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]}): "
                         f"{_UNREADABLE_ADVICE}") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError(f"{path} is not a readable notebook (it has no list of cells): {_UNREADABLE_ADVICE}")
    return nb


#: What to do about a submission that is not a readable notebook, the end of the message.
_UNREADABLE_ADVICE = ("ask the student to send the .ipynb file again, saved from Jupyter (not renamed "
                      "from another format), or repair it by pasting its answers into a copy of the "
                      "release; then collect again.")


def _grade_id(cell: Any) -> str | None:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def repair_notebook(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode
                    ) -> tuple[nbformat.NotebookNode, list[str]]:
    """Give a submission back every nbgrader cell of the release it lost or damaged.

    * A cell whose grade id the release has gets the release's nbgrader metadata (the
      learner cannot change points or turn a test into an answer); nbgrader restores the
      source of tests and read-only cells itself when grading.
    * A release cell missing from the submission (deleted) is inserted again, after the
      nearest earlier cell that is still there, as the release has it.
    * A second cell with the same grade id (a duplicated test cell), or a grade id the
      release does not know, loses its nbgrader metadata and becomes an ordinary cell.
    * Cells get fresh ids when theirs are missing or repeated.

    Parameters
    ----------
    submitted
        The learner's notebook (not modified).
    release
        The released notebook of the same assignment.

    Returns
    -------
    tuple
        The repaired copy and one line per change made (empty when nothing was needed).

    Raises
    ------
    ValueError
        If ``release`` holds no nbgrader cells (it is not a released assignment).
    """
    release_cells = {gid: cell for cell in release.cells if (gid := _grade_id(cell))}
    if not release_cells:
        raise ValueError("The release notebook has no nbgrader cells; is it the released version?")
    nb = copy.deepcopy(submitted)
    changes: list[str] = []
    seen: set[str] = set()
    cells = []
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            changes.append("dropped a damaged cell")
            continue
        cell.setdefault("metadata", {})
        gid = _grade_id(cell)
        has_nbgrader = "nbgrader" in cell["metadata"]
        if gid in release_cells and gid not in seen:
            wanted = copy.deepcopy(release_cells[gid]["metadata"]["nbgrader"])
            if cell["metadata"].get("nbgrader") != wanted:
                changes.append(f"restored the nbgrader metadata of cell {gid}")
                cell["metadata"]["nbgrader"] = wanted
            if cell["cell_type"] != release_cells[gid]["cell_type"]:
                changes.append(f"restored the type of cell {gid}")
                cell = copy.deepcopy(release_cells[gid])
            seen.add(gid)
        elif has_nbgrader:
            reason = "a duplicate of" if gid in seen else "unknown grade id"
            changes.append(f"made an ordinary cell of {reason} {gid!r}")
            del cell["metadata"]["nbgrader"]
        cells.append(cell)
    release_order = [gid for gid in (_grade_id(c) for c in release.cells) if gid]
    for position, gid in enumerate(release_order):
        if gid in seen:
            continue
        earlier = set(release_order[:position])
        # after the nearest earlier nbgrader cell; with none, where the release has it
        index = min(next(i for i, c in enumerate(release.cells) if _grade_id(c) == gid), len(cells))
        for i, cell in enumerate(cells):
            if _grade_id(cell) in earlier:
                index = i + 1
        cells.insert(index, copy.deepcopy(release_cells[gid]))
        seen.add(gid)
        changes.append(f"put back the deleted cell {gid}")
    nb.cells = cells
    ids: set[str] = set()
    for i, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cell_id) or cell_id in ids:
            cell["id"] = f"repaired-{i}"
            while cell["id"] in ids:
                cell["id"] += "-x"
        ids.add(cell["id"])
    nb.nbformat, nb.nbformat_minor = 4, max(5, int(nb.get("nbformat_minor", 5)))
    return nb, changes


_RISKY_CALLS = {"setattr": "sets an attribute by name", "delattr": "deletes an attribute by name",
                "exec": "runs code from a string", "eval": "runs code from a string",
                "compile": "compiles code from a string", "__import__": "imports by name",
                "globals": "edits the global namespace", "get_ipython": "drives the kernel"}
_RISKY_NAMES = {"builtins": "touches builtins", "__builtins__": "touches builtins",
                "ctypes": "uses ctypes", "gc": "walks the garbage collector", "signal": "handles signals",
                "importlib": "reloads or loads modules", "subprocess": "starts processes",
                "socket": "opens network connections", "urllib": "opens network connections",
                "shutil": "copies or deletes files", "sqlite3": "opens a database",
                "multiprocessing": "starts processes", "threading": "starts threads"}
_RISKY_ATTRIBUTES = {"modules": "edits sys.modules", "__dict__": "edits a namespace directly",
                     "__code__": "replaces a function's code", "_exit": "ends the process",
                     "__class__": "changes an object's class", "grading": "touches the grader",
                     "fork": "starts processes", "system": "runs a shell command", "popen": "runs a shell command",
                     "walk": "searches the file system", "rmtree": "deletes files", "remove": "deletes files",
                     "unlink": "deletes files", "rmdir": "deletes files", "kill": "signals processes",
                     "setsid": "detaches a process", "listdir": "lists folders", "scandir": "lists folders"}
#: Text in a string literal that names the grader's files or a folder above the learner's.
_RISKY_TEXT = {"../": "names a folder above its own", "gradebook": "names the gradebook",
               "/submitted": "names the submissions", "/source/": "names the instructor's sources",
               "/autograded": "names the graded notebooks", "/release": "names the releases"}


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def review_findings(nb: nbformat.NotebookNode) -> list[Finding]:
    """Lines of the learner's code cells that a human should read before trusting the grade.

    Only cells the learner may edit are read (not read-only or test cells). Flags:
    assignments to (or deletions of) attributes of imported modules, such as
    ``np.allclose = ...``; calls that set attributes by name or run code from strings
    (``setattr``, ``exec``, ``eval``, ``compile``, ``__import__``, ``globals``,
    ``get_ipython``); uses of ``builtins``, ``sys.modules``, ``__dict__``, ``__code__``,
    ``ctypes``, ``gc``, ``signal``, ``importlib``, ``subprocess``, ``os._exit`` or the
    grading module; what goes for the machine (sockets, deleting or listing files, starting
    or signalling processes, threads, databases); and string literals that name a folder
    above the learner's or the grader's files (``../``, ``gradebook``, ``/submitted``,
    ``/source/``). Cells that do not parse are left out.

    Returns
    -------
    list of Finding
        One per flagged line, in notebook order.
    """
    findings: list[Finding] = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        if cell.get("cell_type") != "code" or meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in _source(cell).splitlines())
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        lines = text.splitlines()
        modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {(alias.asname or alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                modules |= {alias.asname or alias.name for alias in node.names}
        flagged: dict[int, str] = {}
        for node in ast.walk(tree):
            reason = None
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif isinstance(node, ast.Delete):
                targets = node.targets
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute):
                        root = sub
                        while isinstance(root, ast.Attribute):
                            root = root.value
                        if isinstance(root, ast.Name) and root.id in modules:
                            reason = f"reassigns an attribute of the module {root.id!r}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _RISKY_CALLS:
                reason = _RISKY_CALLS[node.func.id]
            elif isinstance(node, ast.Name) and node.id in _RISKY_NAMES:
                reason = _RISKY_NAMES[node.id]
            elif isinstance(node, ast.Attribute) and node.attr in _RISKY_ATTRIBUTES:
                reason = _RISKY_ATTRIBUTES[node.attr]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                reason = next((why for text, why in _RISKY_TEXT.items() if text in node.value), None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                for name in names:
                    head = name.split(".")[0]
                    if head in _RISKY_NAMES:
                        reason = _RISKY_NAMES[head]
                    elif name.endswith("grading"):
                        reason = "touches the grader"
            if reason and getattr(node, "lineno", None) and node.lineno not in flagged:
                flagged[node.lineno] = reason
        for line, reason in sorted(flagged.items()):
            findings.append(Finding(index, line, reason, lines[line - 1].strip()[:120]))
    return findings
