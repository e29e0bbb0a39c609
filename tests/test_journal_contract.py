"""One contract for every journal backend: the folder's SQLite file and PostgreSQL behave the same to the engine,
status, preview and forget (ledger.Ledger). The PostgreSQL runs use a real server (tests/postgres_server.py)."""

from __future__ import annotations

import contextlib

import pytest

from pipeline.engine.journal import Entry
from pipeline.engine.journals import open_journal
from pipeline.engine.ledger import Ledger
from pipeline.engine.states import JobState
from pipeline.layout import Layout


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """A function that opens the journal of `film` afresh (reopening sees what was written before)."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    opened = []

    def open_(film: str = "board"):
        journal = open_journal(Layout(tmp_path / film), film, url)
        opened.append(journal)
        return journal

    yield open_
    for journal in opened:
        with contextlib.suppress(Exception):
            journal.close()


def entry(key: str = "k1", shot_id: str = "dawn", cost: float = 0.4, **more) -> Entry:
    return Entry(**{"key": key, "shot_id": shot_id, "take": 1, "provider": "luma", "state": JobState.INTENT,
                    "cost_usd": cost, **more})


def test_each_backend_keeps_the_interface(backend):
    assert isinstance(backend(), Ledger)


def test_a_create_is_spend_from_its_intent_and_its_answer_gives_the_job(backend):
    journal = backend()
    assert journal.empty and journal.spent().usd == 0
    ledger = journal.intend(entry(), model="ray-2", request_digest="d1")
    assert journal.get("k1").state == "intent" and journal.get("k1").intent_at
    assert journal.spent().usd == 0.4  # an unanswered create may have been paid
    accepted = journal.accepted(ledger, "k1", "job-1")
    assert (accepted.state, accepted.job_id, accepted.attempts) == ("queued", "job-1", 1)
    [row] = journal.creates()
    assert (row["outcome"], row["job_id"], row["model"], row["request_digest"]) == ("accepted", "job-1", "ray-2", "d1")
    assert set(row) == {"id", "key", "shot_id", "take", "provider", "model", "request_digest", "job_id",
                        "estimated_usd", "outcome", "rehearsal", "sent_at", "answered_at"}
    assert row["sent_at"] <= row["answered_at"] and row["rehearsal"] == 0
    assert journal.job_ids() == {"job-1"} and not journal.empty


def test_refunded_and_not_found_creates_are_not_spend(backend):
    journal = backend()
    journal.accepted(journal.intend(entry("a", cost=1.0), model="m", request_digest="x"), "a", "job-a")
    journal.intend(entry("b", shot_id="beam", cost=2.0), model="m", request_digest="y")
    journal.intend(entry("c", shot_id="sea", cost=4.0), model="m", request_digest="z")
    assert journal.spent().usd == 7.0
    journal.refunded("job-a")
    journal.not_found("b")
    assert journal.spent().usd == 4.0
    assert [r["outcome"] for r in journal.creates()] == ["refunded", "not found", "sent"]


def test_a_second_intent_is_a_second_ledger_row_and_attempt(backend):
    journal = backend()
    first = journal.intend(entry(), model="m", request_digest="x")
    journal.accepted(first, "k1", "job-1")
    journal.update("k1", state=JobState.FAILED, failure_reason="Job failed")
    journal.refunded("job-1")
    journal.intend(entry(), model="m", request_digest="x")
    again = journal.get("k1")
    assert (again.state, again.job_id, again.failure_reason, again.attempts) == ("intent", None, None, 2)
    adopted = journal.adopted("k1", "job-2")
    assert (adopted.state, adopted.job_id) == ("queued", "job-2")
    assert [(r["outcome"], r["job_id"]) for r in journal.creates()] == [("refunded", "job-1"), ("accepted", "job-2")]
    assert journal.spent().usd == 0.4


def test_recovered_is_paid_once_however_often_it_is_recovered(backend):
    journal = backend()
    found = entry(job_id="job-9", state=JobState.FETCHED, file="clips/dawn-k1.mp4", checksum="c" * 64)
    journal.recovered(found)
    journal.recovered(found)
    assert journal.spent().usd == 0.4 and [r["outcome"] for r in journal.creates()] == ["recovered"]
    got = journal.get("k1")
    assert (got.state, got.file, got.checksum) == ("fetched", "clips/dawn-k1.mp4", "c" * 64)


def test_update_names_its_columns(backend):
    journal = backend()
    journal.intend(entry(), model="m", request_digest="x")
    with pytest.raises(ValueError, match="unknown journal columns"):
        journal.update("k1", colour="red")
    before = journal.get("k1")
    after = journal.update("k1", state=JobState.DREAMING)
    assert after.state == "dreaming" and after.updated_at >= before.updated_at
    assert after.created_at == before.created_at


def test_the_shot_before_an_edit(backend):
    journal = backend()
    assert journal.asked("k1") is None
    journal.intend(entry("old"), model="m", request_digest="x")
    journal.intend(entry("new"), model="m", request_digest="y")
    assert journal.earlier("dawn", "luma", 1, not_key="new").key == "old"
    assert journal.earlier("dawn", "luma", 1, not_key="old").key == "new"
    assert journal.earlier("beam", "luma", 1, not_key="new") is None


def test_remember_keeps_the_first_asks_of_a_key(backend, tmp_path):
    from pipeline.storyboard.load import load

    from .runs import TWO_SHOTS, write_board

    plan = load(write_board(tmp_path, TWO_SHOTS)).plan()
    journal = backend()
    journal.remember(plan.shots)
    journal.remember(plan.shots)
    first = plan.shots[0]
    assert journal.asked(first.key) == first.asks


def test_meta_is_overwritten_and_publications_keep_that_they_were_uploaded(backend):
    journal = backend()
    assert journal.meta("cut_provider") is None
    journal.set_meta(cut_provider="animatic", cut_paid="0")
    journal.set_meta(cut_provider="luma")
    assert (journal.meta("cut_provider"), journal.meta("cut_paid")) == ("luma", "0")
    journal.published("s3://b/p/", "s3://b/p/ab.png", "ab", size=10, uploaded=True)
    journal.published("s3://b/p/", "s3://b/p/ab.png", "ab", size=10, uploaded=False)
    [row] = journal.publications()
    assert (row["object"], row["digest"], row["bytes"], row["uploaded"]) == ("s3://b/p/ab.png", "ab", 10, 1)


def test_forget_drops_the_shot_and_keeps_what_was_paid(backend):
    journal = backend()
    journal.accepted(journal.intend(entry(), model="m", request_digest="x"), "k1", "job-1")
    assert journal.forget("k1") and not journal.forget("k1")
    assert journal.get("k1") is None and journal.spent().usd == 0.4


def test_a_reopened_journal_has_what_was_written(backend):
    journal = backend()
    journal.accepted(journal.intend(entry(), model="m", request_digest="x"), "k1", "job-1")
    journal.close()
    again = backend()
    assert again.get("k1").job_id == "job-1" and again.spent().usd == 0.4
    assert [e.key for e in again.all()] == ["k1"]


def test_films_keep_to_themselves(backend):
    one, two = backend("one"), backend("two")
    one.accepted(one.intend(entry(), model="m", request_digest="x"), "k1", "job-1")
    assert two.get("k1") is None and two.spent().usd == 0 and two.empty
