"""The journal's SQLite file: open it, check it is whole, bring an older format up to date, set a damaged one
aside; and every statement's disk trouble (full, read-only, I/O) as one clear error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import PipelineError

SCHEMA = """
CREATE TABLE IF NOT EXISTS creates (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    shot_id TEXT NOT NULL,
    take INTEGER NOT NULL DEFAULT 1,
    provider TEXT NOT NULL,
    model TEXT,
    request_digest TEXT,
    job_id TEXT,
    estimated_usd REAL NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,  -- sent | accepted | refunded | recovered | not found
    rehearsal INTEGER NOT NULL DEFAULT 0,
    sent_at REAL NOT NULL,
    answered_at REAL
);
CREATE TABLE IF NOT EXISTS published (
    store TEXT NOT NULL,  -- s3://bucket/prefix/: never a signed URL
    object TEXT NOT NULL,
    digest TEXT NOT NULL,
    bytes INTEGER NOT NULL DEFAULT 0,
    uploaded INTEGER NOT NULL DEFAULT 0,  -- sent by this folder's runs (0: the store had it already)
    at REAL NOT NULL,
    PRIMARY KEY (store, object)
);
CREATE TABLE IF NOT EXISTS files (  -- facts of files read (engine.file_facts)
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contents (  -- facts of a file's content, by its sha256 (engine.file_facts)
    sha256 TEXT NOT NULL,
    what TEXT NOT NULL,  -- which facts: media/1 (probe, packet counts), clip/1 (the assembly gate's)
    facts TEXT NOT NULL,  -- JSON
    PRIMARY KEY (sha256, what)
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS requests (  -- what each key asked for (plan.key_material), so a new key says what changed
    key TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    asks TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS picks (  -- the take each shot plays (the first where none is picked)
    shot_id TEXT PRIMARY KEY,
    take INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (  -- a shot's verdict (approved | rejected | none) and note
    shot_id TEXT PRIMARY KEY,
    verdict TEXT,
    note TEXT,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tiers (  -- the tier each shot was last made at (draft | final)
    shot_id TEXT PRIMARY KEY,
    tier TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shots (
    key TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    take INTEGER NOT NULL DEFAULT 1,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    job_id TEXT,
    parent_job TEXT,
    end_job TEXT,
    failure_reason TEXT,
    file TEXT,
    checksum TEXT,
    cost_usd REAL NOT NULL DEFAULT 0,
    rehearsal INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    intent_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""

# 1: ledger, shots, requests, published, meta; 2: the user's decisions (picks, reviews, tiers), added empty
SCHEMA_VERSION = 2


class _Connection(sqlite3.Connection):
    """Every statement's disk trouble (full, read-only, I/O) as the clear error, in one place."""

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if _is_disk_problem(exc):
                raise _unopenable(Path(self.path), exc) from exc
            raise


def connect(path: Path) -> sqlite3.Connection:
    """Open and check the journal; sqlite3.DatabaseError when the file is not a whole SQLite database."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30, factory=_Connection)
        db.path = str(path)
    except (OSError, sqlite3.OperationalError) as exc:
        raise _unopenable(path, exc) from exc
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # an answered create must survive a power cut too
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check failed")
        _migrate(db)
        db.executescript(SCHEMA)
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # the decisions' tables were added above
        return db
    except sqlite3.DatabaseError as exc:
        db.close()
        if _is_disk_problem(exc):
            raise _unopenable(path, exc) from exc
        raise


def _is_disk_problem(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("readonly", "read-only", "disk is full", "disk i/o", "unable to open"))


def _unopenable(path: Path, exc: Exception) -> PipelineError:
    return PipelineError(f"cannot open the run journal {path} ({exc}); check that the disk has space and the "
                         "output folder is writable (free some space, or choose another with --out), then "
                         "run again: what is finished is kept")


def _migrate(db: sqlite3.Connection) -> None:
    """A journal of the first format (one row per key, spend summed over shot rows) becomes a ledger: its
    creates are kept as ledger rows, so spend survives the upgrade; its keys no longer match and are kept aside."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(shots)")}
    if not columns or "take" in columns:
        return
    with db:
        db.execute("ALTER TABLE shots RENAME TO shots_v1")
        db.executescript(SCHEMA)
        db.execute("INSERT INTO creates (key, shot_id, provider, job_id, estimated_usd, outcome, sent_at)"
                   " SELECT key, shot_id, provider, job_id, cost_usd, CASE state WHEN 'failed' THEN 'refunded'"
                   " ELSE 'accepted' END, COALESCE(intent_at, created_at) FROM shots_v1 WHERE job_id IS NOT NULL")


def move_aside(path: Path, aside: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
