"""Never lose a grade: back the gradebook up before grading, check it after, restore it if damaged.

::

    guard = GradebookGuard(course_dir)
    before = guard.snapshot()
    backup = guard.backup()
    ...                                   # autograde
    problems = guard.check(before, regraded={("ps01_lstm_cell", "alice")})
    if problems:
        guard.restore(backup)             # and say so

Backups are consistent SQLite copies (the ``backup`` API) in ``<course>/backups/``; the
newest :data:`KEEP` are kept.
"""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KEEP", "Snapshot", "GradebookGuard", "GradebookDamaged"]

#: Backups kept in ``<course>/backups/``.
KEEP = 20


class GradebookDamaged(RuntimeError):
    """The gradebook failed its check after grading (it has been restored from the backup)."""


@dataclass(frozen=True)
class Snapshot:
    """What the gradebook held: its students and the score of every submission.

    Attributes
    ----------
    students
        Student ids.
    scores
        ``(assignment, student) -> (score, max_score)``.
    """

    students: frozenset[str] = frozenset()
    scores: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)


class GradebookGuard:
    """Backup, check and restore of one course's ``gradebook.db``.

    Parameters
    ----------
    course
        The nbgrader course folder.
    course_id
        The course id of its ``nbgrader_config.py``.
    """

    def __init__(self, course: Path | str, course_id: str) -> None:
        self.course = Path(course)
        self.course_id = course_id
        self.path = self.course / "gradebook.db"
        self.backups = self.course / "backups"

    def integrity_problem(self) -> str | None:
        """None if the file is a sound SQLite database, else what is wrong."""
        if not self.path.is_file():
            return f"{self.path} is missing"
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
                result = db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return f"{self.path} cannot be read: {exc}"
        return None if result == "ok" else f"{self.path} failed SQLite's integrity check: {result}"

    def snapshot(self) -> Snapshot:
        """Read every student and every submission's score (empty when there is no gradebook).

        Raises
        ------
        GradebookDamaged
            If the gradebook exists but cannot be read.
        """
        if not self.path.is_file():
            return Snapshot()
        problem = self.integrity_problem()
        if problem:
            raise GradebookDamaged(problem)
        from nbgrader.api import Gradebook, MissingEntry

        scores: dict[tuple[str, str], tuple[float, float]] = {}
        try:
            with Gradebook(f"sqlite:///{self.path}", self.course_id) as gb:
                students = frozenset(s.id for s in gb.students)
                for assignment in gb.assignments:
                    for student in students:
                        try:
                            sub = gb.find_submission(assignment.name, student)
                        except MissingEntry:
                            continue
                        scores[(assignment.name, student)] = (float(sub.score), float(sub.max_score))
        except Exception as exc:  # SQLAlchemy raises many kinds for a damaged file
            raise GradebookDamaged(f"{self.path} cannot be opened by nbgrader: {type(exc).__name__}: {exc}") from None
        return Snapshot(students, scores)

    def backup(self) -> Path | None:
        """Write a consistent copy to ``backups/gradebook-<time>.db``; None when there is no gradebook."""
        if not self.path.is_file():
            return None
        self.backups.mkdir(exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self.backups / f"gradebook-{stamp}.db"
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        for old in sorted(self.backups.glob("gradebook-*.db"))[:-KEEP]:
            old.unlink()
        return target

    def check(self, before: Snapshot, regraded: set[tuple[str, str]]) -> list[str]:
        """What went wrong since ``before``: empty when the gradebook is sound.

        Sound means: it opens and passes SQLite's integrity check, every student and
        submission of ``before`` is still there, and every score not in ``regraded``
        (``(assignment, student)`` pairs graded in between) is unchanged.
        """
        try:
            after = self.snapshot()
        except GradebookDamaged as exc:
            return [str(exc)]
        problems = []
        lost = sorted(before.students - after.students)
        if lost:
            problems.append(f"students missing: {', '.join(lost[:10])}")
        for key, value in sorted(before.scores.items()):
            if key not in after.scores:
                problems.append(f"submission missing: {key[1]}/{key[0]}")
            elif key not in regraded and after.scores[key] != value:
                problems.append(f"score of {key[1]}/{key[0]} changed from {value[0]:g} to {after.scores[key][0]:g} "
                                "without being graded")
        return problems

    def restore(self, backup: Path) -> None:
        """Put ``backup`` back in place of the gradebook.

        Raises
        ------
        ValueError
            If ``backup`` is not a file.
        """
        backup = Path(backup)
        if not backup.is_file():
            raise ValueError(f"No backup at {backup}; the backups are in {self.backups}.")
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        if self.path.exists() or self.path.is_symlink():
            self.path.unlink()
        shutil.copyfile(backup, self.path)
