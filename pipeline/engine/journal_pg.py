"""The journal on PostgreSQL: the same ledger and shot cache as the SQLite journal (ledger.Ledger), for one film
of a slate that several machines work on. Every row carries its film; times are the database's clock, so
machines whose clocks differ agree on leases and windows.

Writes about a shot are fenced by its claim (leases.Leases): while another machine holds the shot, or after this
one's lease ran out, a write raises LeaseLost instead of landing. The account's limits (account_limits) are
checked in the same transaction that records a create's intent.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator

import psycopg

from ..errors import PipelineError
from ..layout import Layout
from ..plan import PlannedShot
from . import account_limits
from .file_facts import Hashing
from .journal import COLUMNS, NOT_SPENT, Entry, Spend, _entry, _stored
from .journal_pg_schema import NOW, migrate
from .leases import Leases
from .states import JobState

SHOT_COLUMNS = ", ".join(COLUMNS)
# a ledger row as the SQLite journal gives it (its film and account stay in the database)
CREATE_COLUMNS = ("id, key, shot_id, take, provider, model, request_digest, job_id, estimated_usd, outcome, rehearsal,"
                  " sent_at, answered_at")


def connect(url: str) -> psycopg.Connection:
    """A connection to the journal database, its schema brought up to date; a clear error if it cannot be had."""
    try:
        db = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="pipeline")
    except psycopg.Error as exc:
        said = " ".join(str(exc).split())
        raise PipelineError(f"cannot reach the journal database {_safe(url)} ({said}); check the URL "
                            "given to --journal or PIPELINE_JOURNAL and that the server is running") from exc
    migrate(db)
    return db


def _safe(url: str) -> str:
    """The URL without its password (it may reach a message)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())


class PgJournal:
    """The journal of one film (`film`) in a shared database; `layout` is this machine's folder (its cache)."""

    def __init__(self, layout: Layout, db: psycopg.Connection, film: str, *, leases: Leases):
        self.layout, self._db, self.film, self.leases = layout, db, film, leases
        self.set_aside = None
        self.limits: account_limits.AccountLimits | None = None  # set by the engine for a provider with an account
        self.files = Hashing()  # the clips are this machine's, not the database's

    @classmethod
    def open(cls, url: str, layout: Layout, film: str, *, holder: str | None = None,
             lease_s: float | None = None) -> PgJournal:
        db = connect(url)
        return cls(layout, db, film, leases=Leases(db, film, holder=holder, lease_s=lease_s))

    def close(self) -> None:
        self._db.close()

    def _one(self, sql: str, params: tuple = ()) -> tuple | None:
        return self._db.execute(sql, params).fetchone()

    @property
    def empty(self) -> bool:
        return not self._one("SELECT 1 FROM shots WHERE film = %s LIMIT 1", (self.film,))

    def get(self, key: str) -> Entry | None:
        row = self._one(f"SELECT {SHOT_COLUMNS} FROM shots WHERE film = %s AND key = %s", (self.film, key))
        return _entry(row) if row else None

    def all(self) -> list[Entry]:
        rows = self._db.execute(f"SELECT {SHOT_COLUMNS} FROM shots WHERE film = %s ORDER BY created_at",
                                (self.film,)).fetchall()
        return [_entry(row) for row in rows]

    def earlier(self, shot_id: str, provider: str, take: int, *, not_key: str) -> Entry | None:
        row = self._one(f"SELECT {SHOT_COLUMNS} FROM shots WHERE film = %s AND shot_id = %s AND provider = %s AND"
                        " take = %s AND key != %s ORDER BY updated_at DESC LIMIT 1",
                        (self.film, shot_id, provider, take, not_key))
        return _entry(row) if row else None

    def asked(self, key: str) -> dict | None:
        row = self._one("SELECT asks FROM requests WHERE film = %s AND key = %s", (self.film, key))
        return json.loads(row[0]) if row else None

    def remember(self, shots: Iterable[PlannedShot]) -> None:
        rows = [(self.film, p.key, p.id, json.dumps(p.asks, sort_keys=True)) for p in shots if p.generate and p.asks]
        with self._db.cursor() as cursor:
            cursor.executemany("INSERT INTO requests (film, key, shot_id, asks) VALUES (%s, %s, %s, %s)"
                               " ON CONFLICT DO NOTHING", rows)

    def job_ids(self) -> set[str]:
        """Every job any film's shots hold: on one account a job is never adopted for another shot."""
        return {row[0] for row in self._db.execute("SELECT job_id FROM shots WHERE job_id IS NOT NULL")}

    def spent(self) -> Spend:
        real, rehearsal = self._one(
            "SELECT COALESCE(SUM(CASE WHEN rehearsal = 0 THEN estimated_usd END), 0),"
            " COALESCE(SUM(CASE WHEN rehearsal = 1 THEN estimated_usd END), 0)"
            " FROM creates WHERE film = %s AND outcome != ALL(%s)", (self.film, list(NOT_SPENT)))
        return Spend(round(real, 4), round(rehearsal, 4))

    def spent_usd(self) -> float:
        return self.spent().usd

    def creates(self) -> list[dict]:
        cursor = self._db.execute(f"SELECT {CREATE_COLUMNS} FROM creates WHERE film = %s ORDER BY id", (self.film,))
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def intend(self, entry: Entry, *, model: str, request_digest: str) -> int:
        """Record a create about to be sent, fenced by the shot's claim; where the engine set the account's
        limits, only when they allow it (else account_limits.AccountBusy, nothing written)."""
        with self.fenced(entry.key):
            account = None
            if self.limits is not None:
                # raises AccountBusy; holds the account's lock
                account_limits.admit(self._db, self.limits, film=self.film, key=entry.key)
                account = self.limits.account
            ledger = self._one(
                "INSERT INTO creates (film, key, shot_id, take, provider, account, model, request_digest,"
                f" estimated_usd, outcome, rehearsal, sent_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'sent',"
                f" %s, {NOW}) RETURNING id, sent_at",
                (self.film, entry.key, entry.shot_id, entry.take, entry.provider, account, model, request_digest,
                 entry.cost_usd, int(entry.rehearsal)))
            old = self.get(entry.key)
            self._put(entry, state=JobState.INTENT, job_id=None, file=None, checksum=None, failure_reason=None,
                      intent_at=ledger[1], attempts=(old.attempts if old else 0) + 1, account=account)
        return ledger[0]

    def accepted(self, ledger_id: int, key: str, job_id: str) -> Entry:
        with self.fenced(key):
            self._db.execute(f"UPDATE creates SET job_id = %s, outcome = 'accepted', answered_at = {NOW}"
                             " WHERE id = %s", (job_id, ledger_id))
            self._update(key, job_id=job_id, state=JobState.QUEUED)
        return self.get(key)

    def adopted(self, key: str, job_id: str) -> Entry:
        with self.fenced(key):
            self._db.execute(f"UPDATE creates SET job_id = %s, outcome = 'accepted', answered_at = {NOW} WHERE id ="
                             " (SELECT MAX(id) FROM creates WHERE film = %s AND key = %s AND job_id IS NULL)",
                             (job_id, self.film, key))
            self._update(key, job_id=job_id, state=JobState.QUEUED)
        return self.get(key)

    def not_found(self, key: str) -> None:
        with self.fenced(key):
            self._db.execute("UPDATE creates SET outcome = 'not found' WHERE film = %s AND key = %s AND job_id IS"
                             " NULL AND outcome = 'sent'", (self.film, key))

    def refunded(self, job_id: str) -> None:
        row = self._one("SELECT key FROM creates WHERE film = %s AND job_id = %s LIMIT 1", (self.film, job_id))
        with self.fenced(row[0] if row else None):
            self._db.execute("UPDATE creates SET outcome = 'refunded' WHERE film = %s AND job_id = %s",
                             (self.film, job_id))

    def recovered(self, entry: Entry) -> None:
        with self.fenced(entry.key):
            if entry.job_id and entry.cost_usd and not self._one(
                    "SELECT 1 FROM creates WHERE job_id = %s", (entry.job_id,)):
                self._db.execute(
                    "INSERT INTO creates (film, key, shot_id, take, provider, job_id, estimated_usd, outcome,"
                    f" rehearsal, sent_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'recovered', %s,"
                    f" COALESCE(%s, {NOW}))",
                    (self.film, entry.key, entry.shot_id, entry.take, entry.provider, entry.job_id, entry.cost_usd,
                     int(entry.rehearsal), entry.created_at or None))
            self._put(entry)

    def update(self, key: str, **changes: object) -> Entry:
        with self.fenced(key):
            self._update(key, **changes)
        return self.get(key)

    def _update(self, key: str, **changes: object) -> None:
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown journal columns: {sorted(unknown)}")
        assignments = "".join(f"{name} = %s, " for name in changes)
        self._db.execute(f"UPDATE shots SET {assignments}updated_at = {NOW} WHERE film = %s AND key = %s",
                         (*(_stored(v) for v in changes.values()), self.film, key))

    def meta(self, name: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE film = %s AND name = %s", (self.film, name))
        return row[0] if row else None

    def set_meta(self, **values: str) -> None:
        with self._db.transaction(), self._db.cursor() as cursor:
            cursor.executemany("INSERT INTO meta (film, name, value) VALUES (%s, %s, %s) ON CONFLICT (film, name)"
                               " DO UPDATE SET value = excluded.value",
                               [(self.film, n, v) for n, v in values.items()])

    def published(self, store: str, location: str, digest: str, *, size: int, uploaded: bool) -> None:
        self._db.execute("INSERT INTO published (film, store, object, digest, bytes, uploaded, at) VALUES"
                         f" (%s, %s, %s, %s, %s, %s, {NOW}) ON CONFLICT (film, store, object) DO UPDATE SET"
                         " uploaded = GREATEST(published.uploaded, excluded.uploaded)",
                         (self.film, store, location, digest, size, int(uploaded)))

    def publications(self) -> list[dict]:
        cursor = self._db.execute("SELECT store, object, digest, bytes, uploaded, at FROM published WHERE film = %s"
                                  " ORDER BY at", (self.film,))
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def forget(self, key: str) -> bool:
        with self.fenced(key):
            return self._db.execute("DELETE FROM shots WHERE film = %s AND key = %s", (self.film, key)).rowcount > 0

    @contextlib.contextmanager
    def fenced(self, key: str | None) -> Iterator[None]:
        """One transaction whose writes land only if this machine may write about `key` (leases.fence): a
        shot's key, or a claim of another kind (a film's assembly)."""
        with self._db.transaction():
            if key is not None:
                self.leases.fence(key)
            yield

    def _put(self, entry: Entry, account: str | None = None, **changes: object) -> None:
        values = {**{name: getattr(entry, name) for name in COLUMNS}, **changes}
        names = [n for n in COLUMNS if n not in ("created_at", "updated_at")]
        self._db.execute(
            f"INSERT INTO shots (film, {', '.join(names)}, created_at, updated_at, account) VALUES"
            f" (%s, {', '.join(['%s'] * len(names))}, COALESCE(%s, {NOW}), {NOW}, %s) ON CONFLICT (film, key) DO UPDATE"
            f" SET {', '.join(f'{n} = excluded.{n}' for n in names if n != 'key')}, updated_at = excluded.updated_at,"
            " account = COALESCE(excluded.account, shots.account)",
            [self.film, *(_stored(values[n]) for n in names), values["created_at"] or None, account])
