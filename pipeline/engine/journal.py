"""The run journal: SQLite in the output folder, a ledger of every create first and a cache of shots second.

    creates   append-only: one row per create request sent (written before it leaves, completed with the job
              id the moment the create answers, marked refunded when the generation fails). Spend is the sum
              of this table, never of rows that were overwritten.
    shots     one row per shot key: its state (engine.states), job, the generations it extends (its lineage),
              and its clip (a path relative to the output folder) with the clip's sha256.
    picks, reviews, tiers   what the user decided (engine.decisions): each shot's picked take, verdict and
              note, and the tier it was last made at.
    requests  what each key a run planned asks for (plan.key_material, as JSON), so a shot generated again
              can say what changed since its last generation (older journals lack it: "settings changed").

A kill at any instant leaves either no row (nothing was sent) or a row whose job is known or can be found by
its request echo. A journal SQLite cannot read is set aside (renamed, never deleted) and a new one started;
the caller rebuilds it from the clips on disk and the provider's list before anything is created.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from ..layout import Layout
from ..plan import PlannedShot
from .file_facts import KeptFacts
from .journal_file import connect, move_aside
from .states import JobState

NOT_SPENT = ("refunded", "not found")  # failed generations are refunded in full; a lost create made nothing


@dataclass(frozen=True)
class Entry:
    key: str
    shot_id: str
    take: int
    provider: str
    state: str
    job_id: str | None = None
    parent_job: str | None = None  # the generation this one extends (frame0), as it was when created
    end_job: str | None = None  # the generation it leads into (frame1)
    failure_reason: str | None = None
    file: str | None = None  # relative to the output folder
    checksum: str | None = None
    cost_usd: float = 0.0
    rehearsal: bool = False
    attempts: int = 0
    intent_at: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


COLUMNS = [f.name for f in fields(Entry)]


@dataclass(frozen=True)
class Spend:
    """The ledger's sums: money, and what was counted against a rehearsal server (not money)."""

    usd: float = 0.0
    rehearsal_usd: float = 0.0


class Journal:
    """The journal of one output folder. Safe to reopen after a kill: SQLite's WAL keeps it whole."""

    def __init__(self, layout: Layout, db: sqlite3.Connection, *, set_aside: Path | None = None):
        self.layout, self._db = layout, db
        self.set_aside = set_aside  # where an unreadable journal was moved when this one was started
        self._spent: Spend | None = None
        self.files = KeptFacts(db, layout.root)  # files' sha256 and media facts: read once per version

    @classmethod
    def open(cls, layout: Layout) -> Journal:
        """The folder's journal for writing: created on the first run; an unreadable one is set aside."""
        try:
            return cls(layout, connect(layout.journal))
        except sqlite3.DatabaseError:
            aside = layout.set_aside(layout.journal)
            move_aside(layout.journal, aside)
            return cls(layout, connect(layout.journal), set_aside=aside)

    def close(self) -> None:
        self.files.save()
        self._db.close()

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, for the user's decisions (engine.decisions) kept beside the ledger."""
        return self._db

    @property
    def empty(self) -> bool:
        return self._db.execute("SELECT NOT EXISTS (SELECT 1 FROM shots)").fetchone()[0] == 1

    def get(self, key: str) -> Entry | None:
        row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row else None

    def all(self) -> list[Entry]:
        rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots ORDER BY created_at").fetchall()
        return [_entry(row) for row in rows]

    def earlier(self, shot_id: str, provider: str, take: int, *, not_key: str) -> Entry | None:
        """The shot's latest journaled generation under another key (before an edit), if any."""
        row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots WHERE shot_id = ? AND provider = ? AND take"
                               " = ? AND key != ? ORDER BY updated_at DESC LIMIT 1",
                               (shot_id, provider, take, not_key)).fetchone()
        return _entry(row) if row else None

    def asked(self, key: str) -> dict | None:
        """What `key` asked for, where a run planned it (None for a journal older than the requests table)."""
        try:
            row = self._db.execute("SELECT asks FROM requests WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # read-only look at an older journal: the next run adds the table
            return None
        return json.loads(row[0]) if row else None

    def remember(self, shots: Iterable[PlannedShot]) -> None:
        """Keep what each planned key asks for (once per key), so a later edit can be named."""
        rows = [(p.key, p.id, json.dumps(p.asks, sort_keys=True)) for p in shots if p.generate and p.asks]
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO requests (key, shot_id, asks) VALUES (?, ?, ?)", rows)

    def job_ids(self) -> set[str]:
        """Every job this folder's shots hold: never adopted for another shot."""
        return {row[0] for row in self._db.execute("SELECT job_id FROM shots WHERE job_id IS NOT NULL")}

    def spent(self) -> Spend:
        """The sum of the ledger: every create not refunded (kept as a running total between writes)."""
        if self._spent is None:
            real, rehearsal = self._db.execute(
                "SELECT COALESCE(SUM(CASE WHEN rehearsal = 0 THEN estimated_usd END), 0),"
                " COALESCE(SUM(CASE WHEN rehearsal = 1 THEN estimated_usd END), 0)"
                f" FROM creates WHERE outcome NOT IN ({', '.join('?' * len(NOT_SPENT))})", NOT_SPENT).fetchone()
            self._spent = Spend(round(real, 4), round(rehearsal, 4))
        return self._spent

    def spent_usd(self) -> float:
        return self.spent().usd

    def creates(self) -> list[dict]:
        cursor = self._db.execute("SELECT * FROM creates ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def intend(self, entry: Entry, *, model: str, request_digest: str) -> int:
        """Record that a create is about to be sent (before it is): a ledger row and the shot's intent."""
        now = time.time()
        with self._db:
            ledger = self._db.execute(
                "INSERT INTO creates (key, shot_id, take, provider, model, request_digest, estimated_usd, outcome,"
                " rehearsal, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?)",
                (entry.key, entry.shot_id, entry.take, entry.provider, model, request_digest, entry.cost_usd,
                 int(entry.rehearsal), now)).lastrowid
            self._put(entry, state=JobState.INTENT, job_id=None, file=None, checksum=None, failure_reason=None,
                      intent_at=now, attempts=(old.attempts if (old := self.get(entry.key)) else 0) + 1)
        self._spent = None
        return ledger

    def accepted(self, ledger_id: int, key: str, job_id: str) -> Entry:
        """The create answered with `job_id` (or the job was found by its request echo)."""
        with self._db:
            self._db.execute("UPDATE creates SET job_id = ?, outcome = 'accepted', answered_at = ? WHERE id = ?",
                             (job_id, time.time(), ledger_id))
            entry = self.update(key, job_id=job_id, state=JobState.QUEUED)
        return entry

    def adopted(self, key: str, job_id: str) -> Entry:
        """An interrupted create found by its request echo: its ledger row gets the job id."""
        with self._db:
            self._db.execute("UPDATE creates SET job_id = ?, outcome = 'accepted', answered_at = ? WHERE id = (SELECT"
                             " MAX(id) FROM creates WHERE key = ? AND job_id IS NULL)", (job_id, time.time(), key))
            entry = self.update(key, job_id=job_id, state=JobState.QUEUED)
        self._spent = None
        return entry

    def not_found(self, key: str) -> None:
        """An interrupted create the provider's list does not show: it made nothing, so it is not spend."""
        self._db.execute("UPDATE creates SET outcome = 'not found' WHERE key = ? AND job_id IS NULL AND "
                         "outcome = 'sent'", (key,))
        self._spent = None

    def refunded(self, job_id: str) -> None:
        self._db.execute("UPDATE creates SET outcome = 'refunded' WHERE job_id = ?", (job_id,))
        self._spent = None

    def recovered(self, entry: Entry) -> None:
        """A shot rebuilt from its clip's record or the provider's list after the journal was lost: its row,
        and its create in the ledger (its cost was paid, once)."""
        with self._db:
            if entry.job_id and entry.cost_usd and not self._db.execute(
                    "SELECT 1 FROM creates WHERE job_id = ?", (entry.job_id,)).fetchone():
                self._db.execute(
                    "INSERT INTO creates (key, shot_id, take, provider, job_id, estimated_usd, outcome, rehearsal,"
                    " sent_at) VALUES (?, ?, ?, ?, ?, ?, 'recovered', ?, ?)",
                    (entry.key, entry.shot_id, entry.take, entry.provider, entry.job_id, entry.cost_usd,
                     int(entry.rehearsal), entry.created_at or time.time()))
            self._put(entry)
        self._spent = None

    def update(self, key: str, **changes: object) -> Entry:
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown journal columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self._db.execute(f"UPDATE shots SET {assignments}, updated_at = ? WHERE key = ?",
                         (*(_stored(v) for v in changes.values()), time.time(), key))
        return self.get(key)

    def meta(self, name: str) -> str | None:
        """A fact about the folder (e.g. which provider made the cut)."""
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self._db:
            self._db.executemany("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET"
                                 " value = excluded.value", values.items())

    def published(self, store: str, location: str, digest: str, *, size: int, uploaded: bool) -> None:
        """Note a file the asset store holds (`location`: its place, never a signed URL)."""
        with self._db:
            self._db.execute("INSERT INTO published (store, object, digest, bytes, uploaded, at)"
                             " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(store, object)"
                             " DO UPDATE SET uploaded = MAX(uploaded, excluded.uploaded)",
                             (store, location, digest, size, int(uploaded), time.time()))

    def publications(self) -> list[dict]:
        cursor = self._db.execute("SELECT * FROM published ORDER BY at")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def forget(self, key: str) -> bool:
        """Drop a shot's row (its ledger rows stay): the next run plans it afresh, through the money gate."""
        return self._db.execute("DELETE FROM shots WHERE key = ?", (key,)).rowcount > 0

    def _put(self, entry: Entry, **changes: object) -> None:
        values = {**{name: getattr(entry, name) for name in COLUMNS}, **changes}
        now = time.time()
        values["created_at"] = values["created_at"] or now
        values["updated_at"] = now
        names = [n for n in COLUMNS if n != "key"]
        self._db.execute(
            f"INSERT INTO shots ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT(key)"
            f" DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names if n != 'created_at')}",
            [_stored(values[n]) for n in COLUMNS])


def _stored(value: object) -> object:
    return int(value) if isinstance(value, bool) else str(value) if isinstance(value, JobState) else value


def _entry(row: tuple) -> Entry:
    values = dict(zip(COLUMNS, row, strict=True))
    return Entry(**{**values, "rehearsal": bool(values["rehearsal"])})


@contextlib.contextmanager
def reading(layout: Layout) -> Iterator[Journal | None]:
    """The folder's journal for a look, or None when nothing has run there or it cannot be read (a look never
    creates, moves or repairs one: the next run does)."""
    if not layout.journal.exists():
        yield None
        return
    wal = layout.journal.with_name(layout.journal.name + "-wal")
    # no run is writing (its log is empty): read the file as it is, touching nothing beside it; else read through
    # the log, as SQLite's shared index needs (the only file a look may change, and it is SQLite's own)
    settled = not wal.exists() or wal.stat().st_size == 0
    db = sqlite3.connect(f"file:{layout.journal}?{'immutable=1' if settled else 'mode=ro'}", uri=True,
                         check_same_thread=False, timeout=30)
    try:
        db.execute(f"SELECT {', '.join(COLUMNS)} FROM shots LIMIT 1").fetchall()
        db.execute("SELECT outcome FROM creates LIMIT 1").fetchall()
    except sqlite3.Error:  # damaged, or of an older format: the next run sets it aside or migrates it
        db.close()
        yield None
        return
    journal = Journal(layout, db)
    try:
        yield journal
    finally:
        journal.close()
