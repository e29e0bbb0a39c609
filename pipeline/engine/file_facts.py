"""The journal's memory of files it has read (pipeline.file_facts), so a run, plan or status that finds a file
as it was reads none of its bytes again:

    files   path (relative to the output folder where it lies inside it), size, mtime_ns, sha256
    media   sha256, the probe and packet counts of that content (JSON)

The tables are read once, when first asked; new facts are written in one transaction when the journal closes
(a look through a read-only journal keeps them for itself only).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..file_facts import FileFacts, Media
from ..files import sha256_of


class KeptFacts:
    """A FileFacts read from the journal's tables when first asked, and written back when the journal closes."""

    def __init__(self, db: sqlite3.Connection, root: Path):
        self._db, self._root = db, root
        self._facts: FileFacts | None = None

    @property
    def facts(self) -> FileFacts:
        if self._facts is None:
            self._facts = FileFacts(self._root, dict(_rows(self._db, "SELECT path, size, mtime_ns, sha256 FROM files",
                                                           lambda path, *version: (path, tuple(version)))),
                                    dict(_rows(self._db, "SELECT sha256, facts FROM media",
                                               lambda digest, text: (digest, Media.from_json(text)))))
        return self._facts

    def sha256(self, path: Path) -> str | None:
        return self.facts.sha256(path)

    def learn(self, other: FileFacts) -> None:
        self.facts.learn(other)

    def save(self) -> None:
        """Write what was learnt (nothing in a read-only look)."""
        facts = self._facts
        if facts is None or not (facts.new_versions or facts.new_media):
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                                     [(name, *fact) for name, fact in facts.new_versions.items()])
                self._db.executemany("INSERT OR REPLACE INTO media (sha256, facts) VALUES (?, ?)",
                                     [(digest, media.to_json()) for digest, media in facts.new_media.items()])
            facts.saved()
        except sqlite3.OperationalError:  # read-only, or a journal from before the tables: the next run keeps them
            pass


def _rows(db: sqlite3.Connection, query: str, row):
    try:
        found = db.execute(query).fetchall()
    except sqlite3.OperationalError:  # a read-only look at a journal from before the table
        return []
    out = []
    for values in found:
        try:
            out.append(row(*values))
        except (ValueError, TypeError, KeyError):  # a row this code did not write: learnt again
            continue
    return out


class Hashing:
    """File facts for a journal that keeps none of this machine's files (the shared one): every look hashes."""

    def sha256(self, path: Path) -> str | None:
        return sha256_of(path) if path.is_file() else None

    def learn(self, other: FileFacts) -> None:
        pass  # another machine's paths mean nothing here

    def save(self) -> None:
        pass
