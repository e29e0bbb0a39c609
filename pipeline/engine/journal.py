"""The run journal: SQLite in the output folder, one row per shot key, every write its own transaction.

A row moves through: intent (a create is about to be sent) -> queued/dreaming (the provider answered with a job
id) -> completed (the video exists remotely) -> fetched (the verified clip is on disk); or -> failed.
Writing the intent before the request goes out means a kill at any instant leaves either no row (nothing was
sent) or a row whose job is known or can be found by its request echo: a shot is never paid for twice.

The interface is narrow (get, all, and a few state changes) so a shared database can replace SQLite.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import PipelineError

SCHEMA = """
CREATE TABLE IF NOT EXISTS shots (
    key TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    job_id TEXT,
    failure_reason TEXT,
    asset_url TEXT,
    file TEXT,
    checksum TEXT,
    cost_usd REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    intent_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""
FILE_NAME = "journal.sqlite"  # in the output folder
PENDING = ("intent", "queued", "dreaming", "completed")  # a job that may exist remotely and is not on disk yet


@dataclass(frozen=True)
class Entry:
    key: str
    shot_id: str
    provider: str
    state: str
    job_id: str | None = None
    failure_reason: str | None = None
    asset_url: str | None = None
    file: str | None = None
    checksum: str | None = None
    cost_usd: float = 0.0
    attempts: int = 0
    intent_at: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


COLUMNS = [f.name for f in fields(Entry)]


class Journal:
    """The journal of one output folder. Safe to reopen after a kill: SQLite's WAL keeps it whole."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # an answered create must survive a power cut too
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise PipelineError(f"cannot open the run journal {path} ({exc}); check that the output folder "
                                "is writable, or choose another with --out") from exc

    def close(self) -> None:
        self._db.close()

    def get(self, key: str) -> Entry | None:
        row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots WHERE key = ?", (key,)).fetchone()
        return Entry(*row) if row else None

    def all(self) -> list[Entry]:
        rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots ORDER BY created_at").fetchall()
        return [Entry(*row) for row in rows]

    def spent_usd(self) -> float:
        """What the provider charged: created jobs that did not fail (failed generations are refunded)."""
        row = self._db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM shots WHERE job_id IS NOT NULL "
                               "AND state != 'failed'").fetchone()
        return round(row[0], 4)

    def intend(self, key: str, shot_id: str, provider: str, cost_usd: float) -> Entry:
        """Record that a create is about to be sent (before it is)."""
        now = time.time()
        self._db.execute(
            "INSERT INTO shots (key, shot_id, provider, state, cost_usd, attempts, intent_at, created_at, updated_at)"
            " VALUES (?, ?, ?, 'intent', ?, 1, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET state='intent', job_id=NULL,"
            " failure_reason=NULL, asset_url=NULL, file=NULL, checksum=NULL, cost_usd=excluded.cost_usd,"
            " attempts=attempts+1, intent_at=excluded.intent_at, updated_at=excluded.updated_at",
            (key, shot_id, provider, cost_usd, now, now, now))
        return self.get(key)

    def update(self, key: str, **changes: object) -> Entry:
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown journal columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self._db.execute(f"UPDATE shots SET {assignments}, updated_at = ? WHERE key = ?",
                         (*changes.values(), time.time(), key))
        return self.get(key)


def of_folder(out_dir: Path) -> Journal:
    """The journal of an output folder, created if this is the folder's first run."""
    return Journal(out_dir / FILE_NAME)


@contextlib.contextmanager
def reading(out_dir: Path) -> Iterator[Journal | None]:
    """The folder's journal for a look, or None when nothing has run there (a look creates no journal)."""
    path = out_dir / FILE_NAME
    if not path.exists():
        yield None
        return
    journal = Journal(path)
    try:
        yield journal
    finally:
        journal.close()
