"""The account's limits counted in the shared journal: machines racing for the last place never overshoot, the
window of creates has a margin, and the account is named without its key."""

from __future__ import annotations

import threading

import pytest

from pipeline.engine.account_limits import AccountBusy, AccountLimits
from pipeline.engine.journal import Entry
from pipeline.engine.journal_pg import PgJournal
from pipeline.engine.states import JobState
from pipeline.layout import Layout
from pipeline.providers.account import account_of


def machine(pg_url, tmp_path, name: str, limits: AccountLimits, film: str = "board") -> PgJournal:
    journal = PgJournal.open(pg_url, Layout(tmp_path / name), film, holder=name, lease_s=30)
    journal.limits = limits
    return journal


def entry(key: str) -> Entry:
    return Entry(key=key, shot_id=key, take=1, provider="luma", state=JobState.INTENT, cost_usd=0.4)


def test_machines_racing_for_the_last_places_in_flight_take_only_those(pg_url, tmp_path):
    limits = AccountLimits("luma|h:443|abc", in_flight=3, per_minute=None)
    machines = [machine(pg_url, tmp_path, f"m{i}", limits, film=f"film{i % 2}") for i in range(8)]
    admitted, busy, start = [], [], threading.Barrier(len(machines))

    def race(i, m):
        assert m.leases.claim(f"k{i}")
        start.wait()
        try:
            m.intend(entry(f"k{i}"), model="m", request_digest="x")
            admitted.append(i)
        except AccountBusy:
            busy.append(i)

    threads = [threading.Thread(target=race, args=(i, m)) for i, m in enumerate(machines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 3 and len(busy) == 5
    # a finished generation frees its place; another account is not counted
    done = machines[admitted[0]]
    done.update(f"k{admitted[0]}", state=JobState.COMPLETED)
    machines[busy[0]].intend(entry(f"k{busy[0]}"), model="m", request_digest="x")
    other = machine(pg_url, tmp_path, "other", AccountLimits("luma|h:443|def", in_flight=3, per_minute=None))
    other.intend(entry("z"), model="m", request_digest="x")


def test_creates_a_minute_count_the_window_with_its_margin(pg_url, tmp_path):
    limits = AccountLimits("luma|h:443|abc", in_flight=100, per_minute=5, margin_s=2.0)
    journal = machine(pg_url, tmp_path, "a", limits)
    for i in range(5):
        journal.intend(entry(f"k{i}"), model="m", request_digest="x")
    with pytest.raises(AccountBusy, match="5 creates on the account in the last minute") as raised:
        journal.intend(entry("k5"), model="m", request_digest="x")
    assert 61.0 < raised.value.wait_s <= 62.0  # until the oldest is a minute and the margin old
    assert len(journal.creates()) == 5  # the refused intent wrote nothing
    journal._db.execute("UPDATE creates SET sent_at = sent_at - 61.5")  # 61.5 s ago: still inside the margin
    with pytest.raises(AccountBusy):
        journal.intend(entry("k5"), model="m", request_digest="x")
    journal._db.execute("UPDATE creates SET sent_at = sent_at - 1")  # 62.5 s ago: out of the window
    journal.intend(entry("k5"), model="m", request_digest="x")


def test_a_shot_looking_again_after_an_interrupted_create_does_not_count_itself(pg_url, tmp_path):
    limits = AccountLimits("luma|h:443|abc", in_flight=1, per_minute=None)
    journal = machine(pg_url, tmp_path, "a", limits)
    journal.intend(entry("k1"), model="m", request_digest="x")
    journal.not_found("k1")
    journal.intend(entry("k1"), model="m", request_digest="x")  # its own intent is not another in flight
    with pytest.raises(AccountBusy):
        journal.intend(entry("k2"), model="m", request_digest="x")


def test_the_account_is_named_by_provider_host_and_a_digest_of_the_key():
    from pipeline.providers.luma.provider import LumaProvider

    key = "luma-very-secret-key-1234567890"
    one = LumaProvider(api_key=key, base_url="http://127.0.0.1:8800/dream-machine/v1")
    same = LumaProvider(api_key=key, base_url="http://127.0.0.1:8800/dream-machine/v1")
    other = LumaProvider(api_key=key + "x", base_url="http://127.0.0.1:8800/dream-machine/v1")
    account = account_of(one)
    assert account.startswith("luma|127.0.0.1:8800|") and key not in account
    assert account == account_of(same) != account_of(other)
