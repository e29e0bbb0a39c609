"""The PostgreSQL journal's schema: created and brought up to date by the tool itself, one numbered migration at a
time, under an advisory lock so that machines starting at once do not race. A database of a newer version than
this one knows is refused (its meaning is unknown: acting on it could pay twice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import PipelineError

if TYPE_CHECKING:  # psycopg is the postgres extra's: the engine imports NOW without it
    import psycopg

NOW = "extract(epoch from clock_timestamp())::double precision"  # the database's clock: leases, windows, times
MIGRATION_LOCK = 7_150_170  # pg_advisory_xact_lock key that serialises migrations

MIGRATIONS: tuple[str, ...] = (
    # 1: the ledger, the shots, what each key asked, the folder facts and the published files, per film
    """
    CREATE TABLE creates (
        id BIGSERIAL PRIMARY KEY,
        film TEXT NOT NULL,
        key TEXT NOT NULL,
        shot_id TEXT NOT NULL,
        take INTEGER NOT NULL DEFAULT 1,
        provider TEXT NOT NULL,
        account TEXT,  -- provider|host|digest of the key: never the key
        model TEXT,
        request_digest TEXT,
        job_id TEXT,
        estimated_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL,  -- sent | accepted | refunded | recovered | not found
        rehearsal INTEGER NOT NULL DEFAULT 0,
        sent_at DOUBLE PRECISION NOT NULL,  -- the database's clock (epoch seconds)
        answered_at DOUBLE PRECISION
    );
    CREATE INDEX creates_by_key ON creates (film, key);
    CREATE INDEX creates_by_account ON creates (account, sent_at);
    CREATE TABLE shots (
        film TEXT NOT NULL,
        key TEXT NOT NULL,
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
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        rehearsal INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        intent_at DOUBLE PRECISION,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        account TEXT,
        PRIMARY KEY (film, key)
    );
    CREATE INDEX shots_by_account ON shots (account, state);
    CREATE TABLE requests (
        film TEXT NOT NULL, key TEXT NOT NULL, shot_id TEXT NOT NULL, asks TEXT NOT NULL, PRIMARY KEY (film, key)
    );
    CREATE TABLE meta (film TEXT NOT NULL, name TEXT NOT NULL, value TEXT, PRIMARY KEY (film, name));
    CREATE TABLE published (
        film TEXT NOT NULL, store TEXT NOT NULL, object TEXT NOT NULL, digest TEXT NOT NULL,
        bytes BIGINT NOT NULL DEFAULT 0, uploaded INTEGER NOT NULL DEFAULT 0, at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (film, store, object)
    );
    """,
    # 2: claims with leases (who works on a shot, until when by the database's clock, and a fencing token)
    """
    CREATE TABLE claims (
        film TEXT NOT NULL,
        key TEXT NOT NULL,
        holder TEXT,
        token BIGINT NOT NULL DEFAULT 0,  -- raised by every claim: a write under an older token is refused
        expires_at DOUBLE PRECISION,
        PRIMARY KEY (film, key)
    );
    """,
)


def migrate(db: psycopg.Connection) -> int:
    """Bring the schema up to date; the version it is at."""
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        version = row[0] or 0
        if version > len(MIGRATIONS):
            raise PipelineError(f"the journal database is at schema version {version}, newer than this version "
                                f"of pipeline knows ({len(MIGRATIONS)}): upgrade pipeline on this machine")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            db.execute(script)
            db.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        return len(MIGRATIONS)
