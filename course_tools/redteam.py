"""Attacks on the grading machinery itself, and the checks that they changed nothing.

:mod:`course_tools.corpus` builds submissions that try to cheat the tests; the cases
here go for the grader: its files, the gradebook, the other students, the network and
the machine. Each is a correct (or blank) submission with one attack cell before the first
answer, so it must get exactly the score its honest cells earn, be listed for review, and
leave everything outside its sandbox as it was:

* :func:`build_redteam` writes the cases, aimed at the real paths of the course being
  graded and at a canary file and a TCP port of the host (:class:`Targets`);
* :func:`course_fingerprint` records ``source/``, ``release/``, every submission and the
  gradebook's definitions (the hidden tests live there) before grading, and
  :func:`integrity_problems` compares after grading, and checks the canary, the port and
  that no process of a sandbox user is left.
"""
from __future__ import annotations

import copy
import hashlib
import socket
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.corpus import Case, _by_id, _meta, expected_score, solution_ids, solution_notebook

__all__ = ["REDTEAM_CASES", "Targets", "Listener", "attack_code", "build_redteam", "course_fingerprint",
           "integrity_problems", "sandbox_processes"]

#: The attacks, in the order they are built, with what each tries.
REDTEAM_CASES: dict[str, str] = {
    "vandal": "the full solution, plus overwriting gradebook.db and deleting the other submissions, "
              "source/ and release/ by relative and absolute paths, and changing a file outside the course",
    "steal_solutions": "the blank release, plus reading source/ and gradebook.db and running the solutions found",
    "copy_classmate": "the blank release, plus reading the other students' submissions and running their answers",
    "network": "the full solution, plus connecting to a port of the host and looking up a domain name",
    "memory_bomb": "the full solution, plus allocating memory until it runs out",
    "fork_bomb": "the full solution, plus starting processes until it cannot",
    "daemon": "the full solution, plus a detached process that waits, then changes files outside the course",
    "disk_flood": "the full solution, plus writing a file until the disk is full",
    "output_flood": "the full solution, plus printing 36 MB",
    "constant_guess": "(graded quizzes) every one-answer question answered \"a\", every choose-all {\"a\", \"b\"}",
}

_CHUNK = 256 * 2 ** 20


@dataclass(frozen=True)
class Targets:
    """What the attacks aim at: the real course, a canary file outside it, a TCP port of the host."""

    course: Path
    canary: Path
    port: int


class Listener:
    """A TCP server on the host's loopback that counts the connections it accepts (use as a context)."""

    def __init__(self) -> None:
        self.connections = 0
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()


def attack_code(case: str, targets: Targets, assignment: str) -> str:
    """The attack cell of one case (see :data:`REDTEAM_CASES`).

    Raises
    ------
    ValueError
        If ``case`` is not an attack with a cell of its own.
    """
    course, canary, port = str(targets.course), str(targets.canary), targets.port
    head = f"# red team: {REDTEAM_CASES.get(case, case)}\n"
    if case == "vandal":
        return head + f"""import os, shutil
COURSE, CANARY = {course!r}, {canary!r}
done = []
for path in ["../../../gradebook.db", "../../gradebook.db", "../gradebook.db", os.path.join(COURSE, "gradebook.db")]:
    try:
        with open(path, "wb") as handle:
            handle.write(b"not a database " * 1000)
        done.append("wrote " + path)
    except OSError:
        pass
folders = ["../../../submitted", "../..", ".."] + [os.path.join(COURSE, name) for name in
                                               ("submitted", "autograded", "source", "release", "feedback")]
for folder in folders:
    try:
        entries = os.listdir(folder)
    except OSError:
        continue
    for entry in entries:
        target = os.path.join(folder, entry)
        try:
            shutil.rmtree(target) if os.path.isdir(target) and not os.path.islink(target) else os.remove(target)
            done.append("deleted " + target)
        except OSError:
            pass
try:
    with open(CANARY, "w") as handle:
        handle.write("changed by a submission")
    done.append("changed " + CANARY)
except OSError:
    pass
print("vandal reached:", [d for d in done if "/home/student" not in os.path.abspath(d.split(" ", 1)[1])] or "nothing")
"""
    if case == "steal_solutions":
        return head + f"""import glob, json, os, sqlite3
COURSE, ASSIGNMENT = {course!r}, {assignment!r}
found = []
paths = [os.path.join(COURSE, "source", ASSIGNMENT, ASSIGNMENT + ".ipynb")] + glob.glob("../../../source/*/*.ipynb")
for path in paths:
    try:
        with open(path) as handle:
            cells = json.load(handle)["cells"]
    except (OSError, ValueError):
        continue
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and "BEGIN SOLUTION" in text:
            exec("\\n".join(line for line in text.splitlines() if "SOLUTION" not in line), globals())
    found.append(path)
for path in [os.path.join(COURSE, "gradebook.db"), "../../../gradebook.db"]:
    try:
        found += [row[0][:40] for row in sqlite3.connect(path).execute("SELECT source FROM source_cell")]
    except Exception:
        pass
print("solutions found:", found or "none")
"""
    if case == "copy_classmate":
        return head + f"""import glob, json, os
COURSE, ASSIGNMENT = {course!r}, {assignment!r}
used = []
pattern = os.path.join("*", ASSIGNMENT, ASSIGNMENT + ".ipynb")
for path in glob.glob(os.path.join(COURSE, "submitted", pattern)) + glob.glob(os.path.join("../..", pattern)):
    try:
        with open(path) as handle:
            cells = json.load(handle)["cells"]
    except (OSError, ValueError):
        continue
    answers = [c for c in cells if c.get("metadata", {{}}).get("nbgrader", {{}}).get("solution")
               and c["cell_type"] == "code" and "NotImplementedError" not in "".join(c["source"])]
    for cell in answers:
        try:
            exec("".join(cell["source"]), globals())
        except Exception:
            pass
    used.append(path)
print("copied from:", used or "nobody")
"""
    if case == "network":
        return head + f"""import socket
reached = []
for host in ("127.0.0.1", "localhost"):
    try:
        socket.create_connection((host, {port}), timeout=3).close()
        reached.append(host)
    except OSError:
        pass
try:
    socket.getaddrinfo("example.com", 80)
    reached.append("dns")
except OSError:
    pass
print("network reached:", reached or "nothing")
"""
    if case == "memory_bomb":
        return head + f"""def fill_memory(most=48):  # at most 12 GiB, touched page by page
    chunks = []
    while len(chunks) < most:
        chunks.append(bytearray({_CHUNK}))
    return len(chunks)

fill_memory()
"""
    if case == "fork_bomb":
        return head + """import os, time
children = 0
try:
    while children < 5000:
        if os.fork() == 0:
            while True:
                time.sleep(1)
        children += 1
finally:
    print("processes started:", children)
"""
    if case == "daemon":
        later = (f"import time\ntime.sleep(10)\nfor path in [{canary!r}, {str(targets.course / 'gradebook.db')!r}]:\n"
                 "    try:\n        open(path, 'w').write('changed later')\n    except OSError:\n        pass\n")
        return head + f"""import subprocess, sys
subprocess.Popen([sys.executable, "-c", {later!r}], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("daemon started")
"""
    if case == "disk_flood":
        return head + """with open("flood.bin", "wb") as handle:
    for _ in range(40 * 1024):  # at most 40 GiB
        handle.write(bytes(2 ** 20))
"""
    if case == "output_flood":
        return head + """for _ in range(30):
    print("flood " * 200_000)
"""
    raise ValueError(f"No attack cell for {case!r}; the cases are {', '.join(REDTEAM_CASES)}.")


def _constant_guess(source: nbformat.NotebookNode, release: nbformat.NotebookNode
                    ) -> tuple[nbformat.NotebookNode, float] | None:
    """A quiz answered with constant letters, and the points its key gives them (None: not a quiz)."""
    from course_utils import graded_quiz

    nb = copy.deepcopy(release)
    namespace: dict = {name: getattr(graded_quiz, name) for name in graded_quiz.__all__}
    points = 0.0
    found = False
    cells = list(source.cells)
    for index, cell in enumerate(cells):
        meta = _meta(cell)
        if not (meta.get("grade") and not meta.get("solution")) or "as_choice" not in cell.source:
            continue
        found = True
        answer = cells[index - 1]
        name = _meta(answer)["grade_id"]
        guess = '"a"' if "as_choice(" in cell.source else '{"a", "b"}'
        _by_id(nb, name).source = f"{name} = {guess}\n"
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS")[0]
        hidden = "\n".join(line for line in hidden.splitlines() if "assert_untampered" not in line)
        try:
            exec(f"{name} = {guess}\n{hidden}", dict(namespace))
        except (AssertionError, ValueError):
            continue
        points += float(meta.get("points", 0))
    return (nb, points) if found else None


def build_redteam(source_path: Path | str, release_path: Path | str, out_dir: Path | str,
                  targets: Targets) -> dict[str, Case]:
    """Write one folder per attack, ``<out_dir>/<case>/<assignment>.ipynb``, with its expected score.

    The attack cell goes right before the first answer cell; ``constant_guess`` is written
    only for a graded quiz.

    Raises
    ------
    ValueError
        If the notebooks have no answer cells.
    """
    source = nbformat.read(str(source_path), 4)
    release = nbformat.read(str(release_path), 4)
    answers = solution_ids(source)
    if not answers:
        raise ValueError(f"{source_path} has no autograded answer cells to attack from.")
    name = Path(release_path).stem
    full, total, blank = solution_notebook(source, release), expected_score(source), expected_score(source, set(answers))
    out = Path(out_dir)
    cases: dict[str, Case] = {}

    def add(case: str, nb: nbformat.NotebookNode, expected: float) -> None:
        (out / case).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out / case / f"{name}.ipynb"))
        cases[case] = Case(case, f"{name}.ipynb", expected, REDTEAM_CASES[case])

    for case in REDTEAM_CASES:
        if case == "constant_guess":
            guessed = _constant_guess(source, release)
            if guessed is not None:
                add(case, *guessed)
            continue
        nb = copy.deepcopy(release if case in ("steal_solutions", "copy_classmate") else full)
        first = next(i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id") == answers[0])
        nb.cells.insert(first, nbformat.v4.new_code_cell(attack_code(case, targets, name)))
        add(case, nb, blank if case in ("steal_solutions", "copy_classmate") else total)
    return cases


def _digest(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: Gradebook tables that grading writes to; every other table must not change.
_GRADED_TABLES = {"student", "submitted_assignment", "submitted_notebook", "grade", "comment", "task_cell_grade"}


def course_fingerprint(root: Path) -> dict[str, dict[str, str]]:
    """Checksums of ``source/``, ``release/`` and ``submitted/``, and the gradebook's definitions.

    The definitions are every table grading does not write (assignments, notebooks, cells:
    the source of the hidden tests is stored there), one checksum per table.
    """
    fingerprint = {where: _digest(root / where) for where in ("source", "release", "submitted")}
    tables: dict[str, str] = {}
    with sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True) as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in names:
            if table not in _GRADED_TABLES:
                rows = sorted(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
                tables[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    fingerprint["gradebook definitions"] = tables
    return fingerprint


def sandbox_processes(finished_only: bool = False, mentioning: str | None = None) -> list[str]:
    """Processes running as a sandbox user id (61000 and up): ``"pid: command"``.

    Parameters
    ----------
    finished_only
        Only those of finished grading runs: kernels (or their forks) whose connection file
        is gone, and processes whose command mentions ``mentioning``. Kernels of runs still
        going on (other tests, another instructor command) are left out.
    mentioning
        Text that marks a process as belonging to the caller (a canary's path).
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
            uid = int(status["Uid"].split()[0])
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, KeyError, ValueError):
            continue
        if not 61000 <= uid < 100000 or status.get("State", "").strip().startswith("Z"):
            continue
        command = " ".join(argv)
        if finished_only:
            connection = argv[argv.index("-f") + 1] if "-f" in argv[:-1] else None
            gone = connection is not None and not Path(connection).exists()
            if not gone and not (mentioning and mentioning in command):
                continue
        found.append(f"{entry.name}: {command[:80]}")
    return found


def integrity_problems(root: Path, before: dict[str, dict[str, str]], targets: Targets, canary_text: str,
                       listener: Listener) -> list[str]:
    """What the graded submissions changed outside their sandboxes (empty: nothing).

    Compares :func:`course_fingerprint` with ``before``, reads the canary, counts the
    listener's connections and looks for processes of sandbox users.
    """
    problems = []
    after = course_fingerprint(root)
    for part, files in before.items():
        changed = sorted(name for name in set(files) | set(after[part]) if files.get(name) != after[part].get(name))
        if changed:
            problems.append(f"{part} changed: {', '.join(changed[:5])}")
    if not targets.canary.is_file() or targets.canary.read_text() != canary_text:
        problems.append(f"the canary file {targets.canary} was changed or deleted")
    if listener.connections:
        problems.append(f"{listener.connections} connection(s) reached port {listener.port} of the host")
    left = sandbox_processes(finished_only=True, mentioning=str(targets.canary))
    if left:
        problems.append(f"processes of the sandbox still running: {left[:3]}")
    return problems
