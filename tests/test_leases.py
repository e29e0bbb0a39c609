"""Claims with leases on a real PostgreSQL: one machine works on a shot at a time, a dead machine's shot is taken
over when its lease runs out (by the database's clock), and a machine that lost its lease cannot write."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from pipeline.engine.journal import Entry
from pipeline.engine.journal_pg import PgJournal
from pipeline.engine.journal_pg_schema import MIGRATIONS, migrate
from pipeline.engine.leases import LeaseLost
from pipeline.engine.states import JobState
from pipeline.errors import PipelineError
from pipeline.layout import Layout


def machine(pg_url, tmp_path, name: str, lease_s: float = 0.6) -> PgJournal:
    return PgJournal.open(pg_url, Layout(tmp_path / name), "board", holder=name, lease_s=lease_s)


def entry(key: str = "k1") -> Entry:
    return Entry(key=key, shot_id="dawn", take=1, provider="luma", state=JobState.INTENT, cost_usd=0.4)


def test_one_machine_holds_a_shot_and_the_other_cannot_write_about_it(pg_url, tmp_path):
    a, b = machine(pg_url, tmp_path, "a"), machine(pg_url, tmp_path, "b")
    assert a.leases.claim("k1") and not b.leases.claim("k1")
    ledger = a.intend(entry(), model="m", request_digest="x")
    with pytest.raises(LeaseLost, match="held by a"):
        b.intend(entry(), model="m", request_digest="x")
    with pytest.raises(LeaseLost):
        b.update("k1", state=JobState.FAILED)
    with pytest.raises(LeaseLost):  # `pipeline forget` on another machine waits for the holder to let go
        b.forget("k1")
    a.accepted(ledger, "k1", "job-1")
    assert [r["outcome"] for r in b.creates()] == ["accepted"] and b.get("k1").state == "queued"
    assert b.leases.holders()["k1"][0] == "a"


def test_a_dead_machines_lease_runs_out_and_its_writes_are_fenced_after_takeover(pg_url, tmp_path):
    a, b = machine(pg_url, tmp_path, "a"), machine(pg_url, tmp_path, "b")
    assert a.leases.claim("k1")
    a.accepted(a.intend(entry(), model="m", request_digest="x"), "k1", "job-1")
    time.sleep(0.8)  # a stops renewing (as if killed): its lease runs out
    assert b.leases.claim("k1")
    assert b.get("k1").job_id == "job-1"  # the taker resumes the job by id
    with pytest.raises(LeaseLost, match="ran out or was taken over"):
        a.update("k1", state=JobState.COMPLETED)  # the old holder woke up: its write does not land
    assert a.get("k1").state == "queued"
    assert a.leases.renew() == []  # it dropped the lost claim already
    b.update("k1", state=JobState.DREAMING)
    assert b.get("k1").state == "dreaming"


def test_renewing_keeps_a_lease_past_its_length_and_release_frees_it(pg_url, tmp_path):
    a, b = machine(pg_url, tmp_path, "a"), machine(pg_url, tmp_path, "b")
    assert a.leases.claim("k1")
    for _ in range(4):
        time.sleep(0.25)
        assert a.leases.renew() == []
    assert not b.leases.claim("k1")  # a second past the lease's length, still a's
    a.leases.release("k1")
    assert b.leases.claim("k1")


def test_a_renewal_too_late_is_lost(pg_url, tmp_path):
    a = machine(pg_url, tmp_path, "a", lease_s=0.3)
    assert a.leases.claim("k1")
    time.sleep(0.5)
    assert a.leases.renew() == ["k1"] and not a.leases.holds("k1")


def test_a_claim_does_not_wait_behind_a_locked_row(pg_url, tmp_path):
    """SKIP LOCKED: while one machine's write holds the shot's claim row, another's claim answers at once."""
    a, b = machine(pg_url, tmp_path, "a", lease_s=0.1), machine(pg_url, tmp_path, "b")
    assert a.leases.claim("k1")
    time.sleep(0.2)  # expired, so b could take it, but the row is locked below
    with psycopg.connect(pg_url) as locker, locker.transaction():
        locker.execute("SELECT 1 FROM claims WHERE key = 'k1' FOR UPDATE")
        started = time.monotonic()
        assert not b.leases.claim("k1")
        assert time.monotonic() - started < 2
    assert b.leases.claim("k1")


def test_only_one_of_many_racing_machines_wins_a_claim(pg_url, tmp_path):
    machines = [machine(pg_url, tmp_path, f"m{i}") for i in range(6)]
    won, start = [], threading.Barrier(len(machines))

    def race(m):
        start.wait()
        if m.leases.claim("k1"):
            won.append(m.leases.holder)

    threads = [threading.Thread(target=race, args=(m,)) for m in machines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_the_schema_is_migrated_once_and_a_newer_one_is_refused(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as db:
        assert migrate(db) == len(MIGRATIONS) and migrate(db) == len(MIGRATIONS)
        assert [r[0] for r in db.execute("SELECT version FROM schema_version ORDER BY version")] == \
            list(range(1, len(MIGRATIONS) + 1))
        db.execute("INSERT INTO schema_version VALUES (%s)", (len(MIGRATIONS) + 1,))
        with pytest.raises(PipelineError, match="newer than this version"):
            migrate(db)


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="cannot reach the journal database.*--journal") as raised:
        PgJournal.open("postgresql://nobody:secret@127.0.0.1:1/none", Layout(tmp_path), "board")
    assert "secret" not in str(raised.value)
