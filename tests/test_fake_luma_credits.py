"""The fake's account over loopback: GET /credits, pre-charged per generated second, refunded on failure,
402 when the balance is short, and the `pipeline fake-luma --credits` option."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time

import httpx
import pytest

from pipeline.fake_luma import FakeOptions
from pipeline.fake_luma.billing import CENTS_PER_SECOND
from pipeline.fake_luma.testing import ManualClock, copying, on_loopback

AUTH = {"Authorization": "Bearer any-key"}


def body(model="ray-2", resolution="720p", duration="5s", prompt="a paper boat on a puddle") -> dict:
    return {"model": model, "prompt": prompt, "resolution": resolution, "duration": duration}


@pytest.fixture
def account(media):
    """account(clock, **options): a client of a fake on loopback whose generations move only when `clock` is
    advanced, and its stats. Every video is a copy of one small clip: billing does not look at pixels."""
    @contextlib.contextmanager
    def open_account(clock: ManualClock | None = None, **options):
        options = FakeOptions(render=copying(media["video"]), clock=clock or ManualClock(), **options)
        with on_loopback(options) as (client, stats, root):
            yield client, stats
    return open_account


def balance(client) -> float:
    answer = client.get("/credits")
    assert answer.status_code == 200 and set(answer.json()) == {"credit_balance"}
    return answer.json()["credit_balance"]


def test_each_create_is_charged_per_generated_second_by_model_and_resolution(account):
    with account() as (client, stats):
        before = balance(client)
        answers = [client.post("/generations/video", json=b) for b in (
            body(), body(resolution="540p", duration="9s"), body(model="ray-flash-2"), body(resolution=None))]
        after, counted = balance(client), stats()
    assert [a.status_code for a in answers] == [201] * 4
    charged = 8.0 * 5 + 4.5 * 9 + 3.7 * 5 + 8.0 * 5  # Ray 2 720p $0.08/s; no resolution renders 720p
    assert before == 100_000.0 and after == pytest.approx(before - charged)
    assert counted["creates"] == 4 and counted["charged_cents"] == pytest.approx(charged)
    assert CENTS_PER_SECOND[("ray-2", "1080p")] > CENTS_PER_SECOND[("ray-2", "720p")]


def test_a_flat_rate_can_be_given_instead_of_the_table(account):
    with account(prices_cents_per_s=10, credit_balance=500) as (client, stats):
        client.post("/generations", json=body(model="ray-flash-2", resolution="4k", duration="9s"))
        assert balance(client) == 500 - 90


def test_a_failed_generation_is_refunded_in_full(account):
    clock = ManualClock()
    with account(clock) as (client, stats):
        failing = client.post("/generations", json=body(prompt="a boat [[fail: Job failed]]")).json()
        kept = client.post("/generations", json=body())
        clock.advance(10)
        state = client.get(f"/generations/{failing['id']}").json()["state"]
        left, counted = balance(client), stats()
    assert kept.status_code == 201 and state == "failed"
    assert left == 100_000.0 - 40
    assert (counted["creates"], counted["charged_cents"], counted["refunded_cents"]) == (2, 80, 40)


def test_a_create_the_balance_cannot_pay_for_is_refused_with_402_and_not_charged(account):
    with account(credit_balance=30) as (client, stats):
        refused = client.post("/generations", json=body())  # 40 cents
        cheaper = client.post("/generations", json=body(model="ray-flash-2", resolution="540p"))  # 10.4
        left, counted = balance(client), stats()
    assert refused.status_code == 402
    assert re.fullmatch(r"Insufficient credits: .*costs 40 .*balance is 30.*", refused.json()["detail"])
    assert cheaper.status_code == 201 and left == pytest.approx(30 - 2.081 * 5)
    assert (counted["creates"], counted["refused_credits"]) == (1, 1)


def test_the_command_serves_the_balance_given_in_usd():
    command = [sys.executable, "-m", "pipeline", "fake-luma", "--port", "0", "--credits", "12.5", "--latency", "1"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        api = _announced_api(server)
        credits = httpx.get(api + "/credits", headers=AUTH).json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert credits == {"credit_balance": 1250.0}


def _announced_api(server: subprocess.Popen, limit_s: float = 20) -> str:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if found := re.search(r"fake Luma API on (http://\S+)", line):
            return found.group(1)
        assert line or server.poll() is None, "the fake exited before announcing its address"
    raise AssertionError("the fake did not announce its address")


def test_a_negative_balance_is_refused_by_the_command(capsys):
    from pipeline.cli import main

    assert main(["fake-luma", "--credits", "-1"]) == 1
    assert "--credits is a balance in USD" in capsys.readouterr().err
