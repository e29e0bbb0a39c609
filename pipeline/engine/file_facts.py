"""The journal's memory of files it has read (pipeline.file_facts), so a run, plan or status that finds a file
as it was reads none of its bytes again:

    files     path (relative to the output folder where it lies inside it), size, mtime_ns, sha256
    contents  sha256, what (media/1: the probe and packet counts; clip/1: the assembly gate's), facts (JSON)

The files are read once, when first asked, a content's facts each time they are asked (a long film's clip
facts are not all held); new facts are written in one transaction when the journal closes (a look through a
read-only journal keeps them for itself only).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..file_facts import FileFacts
from ..files import sha256_of


class KeptFacts:
    """A FileFacts over the journal's tables: the files' versions read when first asked, a content's facts
    looked up when asked; what was learnt is written back when the journal closes."""

    def __init__(self, db: sqlite3.Connection, root: Path):
        self._db, self._root = db, root
        self._facts: FileFacts | None = None

    @property
    def facts(self) -> FileFacts:
        if self._facts is None:
            self._facts = FileFacts(self._root, self._versions(), lookup=self._lookup)
        return self._facts

    def detached(self, what: str) -> FileFacts:
        """The versions and the `what` facts of every content, held: a FileFacts that outlives the journal (a
        look's, for the storyboard's load)."""
        contents = _rows(self._db, "SELECT sha256, what, facts FROM contents WHERE what = ?",
                         lambda digest, kind, text: ((digest, kind), text), what)
        return FileFacts(self._root, self._versions(), dict(contents))

    def _versions(self) -> dict:
        return dict(_rows(self._db, "SELECT path, size, mtime_ns, sha256 FROM files",
                          lambda path, *version: (path, tuple(version))))

    def _lookup(self, key: tuple[str, str]) -> str | None:
        found = _rows(self._db, "SELECT facts FROM contents WHERE sha256 = ? AND what = ?", lambda text: text, *key)
        return found[0] if found else None

    def sha256(self, path: Path) -> str | None:
        return self.facts.sha256(path)

    def about(self, path: Path, what: str, learn: Callable[[Path], object],
              read: Callable[[object], object] = lambda data: data) -> object:
        return self.facts.about(path, what, learn, read)

    def learn(self, other: FileFacts) -> None:
        self.facts.learn(other)

    def save(self) -> None:
        """Write what was learnt (nothing in a read-only look)."""
        facts = self._facts
        if facts is None or not (facts.new_versions or facts.new_contents):
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                                     [(name, *fact) for name, fact in facts.new_versions.items()])
                self._db.executemany("INSERT OR REPLACE INTO contents (sha256, what, facts) VALUES (?, ?, ?)",
                                     [(*key, text) for key, text in facts.new_contents.items()])
            facts.saved()
        except sqlite3.OperationalError:  # read-only, or a journal from before the tables: the next run keeps them
            pass


def _rows(db: sqlite3.Connection, query: str, row, *args):
    try:
        found = db.execute(query, args).fetchall()
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

    def about(self, path: Path, what: str, learn: Callable[[Path], object],
              read: Callable[[object], object] = lambda data: data) -> object:
        if not path.is_file():
            raise FileNotFoundError(path)
        return read(learn(path))

    def learn(self, other: FileFacts) -> None:
        pass  # another machine's paths mean nothing here

    def save(self) -> None:
        pass
