"""What the journal remembers of files it has read: a clip's sha256 per (path, size, mtime_ns), so a run, plan
or status that finds a clip as it was does not read its bytes again.

    files   path (relative to the output folder where it lies inside it), size, mtime_ns, sha256

The table is read once, when first asked; new facts are written in one transaction when the journal closes
(a look through a read-only journal keeps them for itself only). A file whose size or mtime moved is hashed
again: a clip rewritten in place always changes its mtime.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..files import sha256_of


class FileFacts:
    def __init__(self, db: sqlite3.Connection, root: Path):
        self._db, self._root = db, root
        self._known: dict[str, tuple[int, int, str]] | None = None
        self._new: dict[str, tuple[int, int, str]] = {}

    def sha256(self, path: Path) -> str | None:
        """The file's sha256 (None when it is not a file), read from its bytes only when unknown or changed."""
        try:
            stat = path.stat()
        except OSError:
            return None
        name, known = self._name(path), self._table()
        fact = known.get(name)
        if fact is None or fact[:2] != (stat.st_size, stat.st_mtime_ns):
            fact = known[name] = self._new[name] = (stat.st_size, stat.st_mtime_ns, sha256_of(path))
        return fact[2]

    def save(self) -> None:
        """Write what was learnt (nothing in a read-only look)."""
        if not self._new:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                                     [(name, *fact) for name, fact in self._new.items()])
            self._new.clear()
        except sqlite3.OperationalError:  # read-only, or a journal from before the table: the next run keeps them
            pass

    def _table(self) -> dict[str, tuple[int, int, str]]:
        if self._known is None:
            try:
                rows = self._db.execute("SELECT path, size, mtime_ns, sha256 FROM files").fetchall()
            except sqlite3.OperationalError:  # a read-only look at a journal from before the table
                rows = []
            self._known = {path: (size, mtime, digest) for path, size, mtime, digest in rows}
        return self._known

    def _name(self, path: Path) -> str:
        """Relative to the output folder where it lies there, so a moved folder keeps its facts."""
        try:
            return str(path.resolve().relative_to(self._root.resolve()))
        except ValueError:
            return str(path.resolve())
