"""The gaps LUMA_API.md says the fake must play, over loopback: a careless server that quotes the key, a 5xx
after the create was accepted, a job the server no longer knows, model-specific refusals, odd durations."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import stamina

from pipeline.fake_luma import FakeOptions
from pipeline.fake_luma.testing import ManualClock, copying, on_loopback
from pipeline.providers.luma.client import LumaClient

KEY = "sk-test-SECRET-1234"
BODY = {"model": "ray-2", "prompt": "a paper boat on a puddle", "resolution": "540p", "duration": "5s"}


@pytest.fixture
def fake(media):
    """fake(clock, **options): (a client of a fake on loopback, its stats, its root URL); every video is a copy
    of one small clip, and generations move only when `clock` is advanced."""
    def open_fake(clock: ManualClock | None = None, **options):
        options = FakeOptions(render=copying(media["video"]), clock=clock or ManualClock(), **options)
        return on_loopback(options, key=KEY)
    return open_fake


def error_bodies(client, clock: ManualClock) -> list[str]:
    """The text of every kind of error answer, and a failed generation's failure_reason."""
    answers = [client.post("/generations", json={**BODY, "prompt": "no"}),  # 400
               client.post("/generations", json={**BODY, "loop": "yes"}),  # 422, a list
               client.get("/generations/no-such-id"),  # 404
               client.get("/generations", params={"limit": "x"}),  # 422 on a query
               client.get("/ping", headers={"Authorization": "Bearer wrong-SECRET-9"})]  # 401
    failed = client.post("/generations", json={**BODY, "prompt": "a boat [[fail: Job failed]]"}).json()
    clock.advance(60)
    reason = client.get(f"/generations/{failed['id']}").json()["failure_reason"]
    assert [a.status_code for a in answers] == [400, 422, 404, 422, 401]
    return [a.text for a in answers] + [reason]


def test_echo_auth_quotes_the_authorization_header_in_every_error_and_failure_reason(fake):
    clock = ManualClock()
    with fake(clock, echo_auth=True, api_key=KEY) as (client, stats, root):
        said = error_bodies(client, clock)
    assert all(f"Bearer {KEY}" in text for text in said[:4]) and "Bearer wrong-SECRET-9" in said[4]
    assert said[5].startswith("Job failed (") and KEY in said[5]


def test_injected_faults_quote_it_too(fake):
    with fake(echo_auth=True, fault_rate=1.0, faults=("429",)) as (client, stats, root):
        answer = client.get("/generations")
    assert answer.status_code == 429 and KEY in answer.json()["detail"]


def test_without_echo_auth_no_answer_quotes_the_key(fake):
    clock = ManualClock()
    with fake(clock, api_key=KEY) as (client, stats, root):
        said = error_bodies(client, clock)
    assert not [text for text in said if "SECRET" in text] and said[5] == "Job failed"


def test_a_5xx_after_the_create_was_accepted_leaves_a_charged_generation(fake):
    with fake(fault_rate=1.0, faults=("accepted_5xx",), seed=3) as (client, stats, root):
        answers = [client.post("/generations", json={**BODY, "prompt": f"shot {i}"}) for i in range(6)]
        listed = client.get("/generations").json()  # accepted_5xx strikes creates only
        counted = stats()
    assert {a.status_code for a in answers} <= {500, 502, 504} and len({a.status_code for a in answers}) > 1
    assert listed["count"] == counted["creates"] == counted["faults_accepted_5xx"] == 6
    assert counted["charged_cents"] == 6 * 4.5 * 5


def test_the_client_adopts_a_create_answered_5xx_instead_of_paying_again(fake):
    async def create(api: str) -> dict:
        async with LumaClient(api_key=KEY, base_url=api) as luma:
            return await luma.create(BODY)

    with fake(fault_rate=1.0, faults=("accepted_5xx",)) as (client, stats, root):
        with stamina.set_testing(True, attempts=3):
            adopted = asyncio.run(create(str(client.base_url).rstrip("/")))
        counted = stats()
    assert counted["creates"] == 1 and adopted["request"]["prompt"] == BODY["prompt"]


def test_a_forgotten_generation_answers_404_to_a_journaled_id(fake):
    with fake() as (client, stats, root):
        ids = [client.post("/generations", json=BODY).json()["id"] for _ in range(3)]
        one = httpx.post(root + "/_fake/forget", json={"ids": [ids[0], "never-made"]}).json()
        gone, kept = client.get(f"/generations/{ids[0]}"), client.get(f"/generations/{ids[1]}")
        every = httpx.post(root + "/_fake/forget").json()
        left = client.get("/generations").json()["count"]
    assert one == {"forgotten": 1} and every == {"forgotten": 2} and left == 0
    assert gone.status_code == 404 and gone.json() == {"detail": "Generation not found"}
    assert kept.status_code == 200


def test_concepts_are_refused_for_the_models_told(fake):
    with_concepts = {**BODY, "concepts": [{"key": "dolly_zoom"}]}
    with fake(concepts_refused_for=("ray-flash-2",)) as (client, stats, root):
        flash = client.post("/generations", json={**with_concepts, "model": "ray-flash-2"})
        plain_flash = client.post("/generations", json={**BODY, "model": "ray-flash-2"})
        ray2 = client.post("/generations", json=with_concepts)
    assert (flash.status_code, flash.json()) == (400, {"detail": "400: concepts are not supported for this model"})
    assert plain_flash.status_code == ray2.status_code == 201


def test_by_default_concepts_pass_for_every_model(fake):
    with fake() as (client, stats, root):
        answer = client.post("/generations", json={**BODY, "model": "ray-flash-2", "concepts": [{"key": "pan_left"}]})
    assert answer.status_code == 201


def test_durations_luma_does_not_generate_are_refused(fake):
    with fake() as (client, stats, root):
        answers = {d: client.post("/generations", json={**BODY, "duration": d}) for d in ("7s", "5", "10s", "9s")}
    assert {d: a.status_code for d, a in answers.items()} == {"7s": 400, "5": 400, "10s": 400, "9s": 201}
    assert answers["7s"].json() == {"detail": "Invalid duration: 7s. Supported durations: 5s, 9s"}


def test_other_durations_can_be_allowed_for_quick_tests(fake):
    with fake(durations=("2s",)) as (client, stats, root):
        assert client.post("/generations", json={**BODY, "duration": "2s"}).status_code == 201
        assert client.post("/generations", json=BODY).status_code == 400
