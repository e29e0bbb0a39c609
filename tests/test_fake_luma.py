"""The fake Luma server speaks the API as LUMA_API.md describes it, and misbehaves exactly as told."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid

import httpx
import pytest

from pipeline.fake_luma import ConnectionDropped, FakeOptions, create_app, running
from pipeline.fake_luma.testing import ManualClock, quick_render

AUTH = {"Authorization": "Bearer any-key"}
BODY = {"model": "ray-2", "prompt": "a paper boat on a puddle", "resolution": "540p", "duration": "5s"}


def talk(scenario, **option_values):
    """Run `scenario(client, fake)` against an in-process fake with an authorised client."""
    options = FakeOptions(**{"latency": 0.1, "render": quick_render, **option_values})
    app = create_app(options)

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), headers=AUTH,
                                     base_url="http://fake.test/dream-machine/v1") as client:
            return await scenario(client, app.state.fake)
    try:
        return asyncio.run(main())
    finally:
        app.state.fake.close()


async def wait_for(client, generation_id: str, state: str, limit: float = 10) -> dict:
    deadline = time.monotonic() + limit
    while (answer := (await client.get(f"/generations/{generation_id}")).json())["state"] != state:
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.02)
    return answer


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic abc", "Bearer wrong"])
def test_requests_without_a_valid_key_are_refused(header):
    async def scenario(client, fake):
        headers = {"Authorization": header} if header else {}
        client.headers.pop("Authorization")
        return await client.get("/ping", headers=headers)

    answer = talk(scenario, api_key="right")
    assert answer.status_code == 401 and answer.json() == {"detail": "Invalid API key is provided"}


def test_a_create_answers_201_with_the_echo_then_moves_through_the_states():
    clock = ManualClock()

    async def scenario(client, fake):
        created = await client.post("/generations/video", json=BODY)
        generation = created.json()
        seen = [generation["state"]]
        clock.advance(0.1)
        done = await wait_for(client, generation["id"], "completed")
        video = await client.get(done["assets"]["video"])
        thumb = await client.get(done["assets"]["image"])
        return created.status_code, generation, seen, done, video, thumb

    status, generation, seen, done, video, thumb = talk(scenario, clock=clock)
    assert status == 201 and seen == ["queued"]
    uuid.UUID(generation["id"])
    assert dt.datetime.fromisoformat(generation["created_at"].replace("Z", "+00:00")).tzinfo is not None
    assert generation["created_at"].endswith("Z")
    assert generation["request"] == {
        "generation_type": "video", "prompt": "a paper boat on a puddle", "aspect_ratio": "16:9", "loop": False,
        "keyframes": None, "callback_url": None, "model": "ray-2", "resolution": "540p", "duration": "5s",
        "concepts": None}
    assert generation["assets"] is None and generation["failure_reason"] is None
    assert done["assets"]["progress_video"] is None
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert thumb.headers["content-type"] == "image/jpeg"


def test_queued_then_dreaming_follow_the_fakes_clock():
    clock = ManualClock()

    async def scenario(client, fake):
        generation_id = (await client.post("/generations", json=BODY)).json()["id"]
        seen = []
        for step in (0, 0.99, 0.02, 3.98, 0.02):  # to just before and just after each change of state
            clock.advance(step)
            seen.append((await client.get(f"/generations/{generation_id}")).json()["state"])
        fake.generations[generation_id].render.result(timeout=20)  # the render, not the clock, is waited for
        seen.append((await client.get(f"/generations/{generation_id}")).json()["state"])
        return seen

    seen = talk(scenario, queued_s=1.0, dreaming_s=4.0, latency=None, clock=clock)
    assert seen[:4] == ["queued", "queued", "dreaming", "dreaming"]
    assert seen[4] in ("dreaming", "completed") and seen[5] == "completed"  # dreaming until rendered


def test_a_generation_stays_queued_while_the_clock_stands_still():
    clock = ManualClock()

    async def scenario(client, fake):
        generation_id = (await client.post("/generations", json=BODY)).json()["id"]
        await asyncio.sleep(0.3)  # real time passes; the fake's time does not
        return (await client.get(f"/generations/{generation_id}")).json()["state"]

    assert talk(scenario, latency=0.01, clock=clock) == "queued"


REFUSALS = [
    ({**BODY, "prompt": None}, "Prompt is required"),
    ({**BODY, "prompt": "ab"}, "Prompt is too short, minimum length is 3 characters"),
    ({**BODY, "prompt": "x" * 5001}, "Prompt is too long, maximum length is 5000 characters"),
    ({**BODY, "keyframes": {}}, "No keyframes provided"),
    ({**BODY, "generation_type": "image"}, "Unknown request type"),
    ({**BODY, "model": "ray-9"}, "Unknown model: ray-9. Supported models: ray-2, ray-flash-2"),
    ({**BODY, "loop": True, "keyframes": {"frame1": {"type": "image", "url": "https://x.test/a.png"}}},
     "Loop is not supported with an end keyframe (frame1)"),
    ({**BODY, "loop": True, "keyframes": {"frame0": {"type": "image", "url": "https://x.test/a.png"},
                                          "frame1": {"type": "image", "url": "https://x.test/b.png"}}},
     "Loop is not supported for two image keyframes"),
    ({**BODY, "keyframes": {"frame0": {"type": "generation", "id": "no-such-id"}}},
     "Generation no-such-id not found (frame0)"),
]


@pytest.mark.parametrize(("body", "detail"), REFUSALS)
def test_documented_refusals(body, detail):
    async def scenario(client, fake):
        return await client.post("/generations/video", json=body), fake.snapshot()

    answer, stats = talk(scenario)
    assert (answer.status_code, answer.json()) == (400, {"detail": detail})
    assert stats["creates"] == 0 and stats["refused"] == 1


def test_loop_refusals_for_generation_keyframes_and_unfinished_parents():
    clock = ManualClock()

    async def scenario(client, fake):
        parent = (await client.post("/generations", json=BODY)).json()["id"]
        early = await client.post("/generations", json={**BODY, "keyframes": {
            "frame0": {"type": "generation", "id": parent}}})
        clock.advance(1)
        await wait_for(client, parent, "completed")
        details = []
        extend = {"type": "generation", "id": parent}
        for frames in ({"frame1": extend}, {"frame0": extend, "frame1": extend}):
            answer = await client.post("/generations", json={**BODY, "loop": True, "keyframes": frames})
            details.append(answer.json()["detail"])
        return early.json()["detail"], details

    early, details = talk(scenario, latency=0.3, clock=clock)
    assert early.startswith("Generation ") and "is queued: only completed generations can be extended" in early
    assert details == ["Loop is not supported for reverse extension (frame1 is a generation)",
                       "Loop is not supported for interpolation between two generations"]


def test_schema_errors_are_422_with_a_location():
    async def scenario(client, fake):
        return [await client.post("/generations", json=body) for body in (
            [1, 2], {**BODY, "loop": "yes"},
            {**BODY, "keyframes": {"frame0": {"type": "image"}}})] + [
            await client.post("/generations", content=b"{not json")]

    answers = talk(scenario)
    assert [a.status_code for a in answers] == [422] * 4
    assert answers[1].json()["detail"][0]["loc"] == ["body", "loop"]
    assert answers[2].json()["detail"][0]["loc"] == ["body", "keyframes.frame0.url"]


def test_list_is_newest_first_with_paging_and_delete_removes():
    async def scenario(client, fake):
        ids = [(await client.post("/generations", json={**BODY, "prompt": f"shot {i}"})).json()["id"]
               for i in range(5)]
        first = (await client.get("/generations", params={"limit": 2})).json()
        last = (await client.get("/generations", params={"limit": 2, "offset": 4})).json()
        deleted = await client.delete(f"/generations/{ids[0]}")
        again = await client.delete(f"/generations/{ids[0]}")
        gone = await client.get(f"/generations/{ids[0]}")
        return ids, first, last, deleted, again, gone

    ids, first, last, deleted, again, gone = talk(scenario)
    assert [g["id"] for g in first["generations"]] == ids[::-1][:2]
    assert (first["count"], first["has_more"], first["limit"], first["offset"]) == (5, True, 2, 0)
    assert [g["id"] for g in last["generations"]] == [ids[0]] and last["has_more"] is False
    assert deleted.status_code == 204 and deleted.content == b""
    assert again.status_code == gone.status_code == 404 and gone.json() == {"detail": "Generation not found"}


def test_the_small_endpoints():
    async def scenario(client, fake):
        paths = ["/ping", "/generations/concepts/list", "/generations/camera_motion/list", "/credits"]
        answers = [(await client.get(p)).json() for p in paths]
        image = await client.post("/generations/image", json={"prompt": "a cat", "model": "photon-1"})
        missing = await client.get("/nothing/here")
        return answers, image, missing

    (pong, concepts, motions, credits), image, missing = talk(scenario)
    assert pong == {"message": "pong"} and "orbit_left" in concepts and "camera orbit left" in motions
    assert credits == {"credit_balance": 100_000.0}
    assert image.status_code == 400 and "not supported by the fake" in image.json()["detail"]
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("reason", ["Contains blacklisted words", "Failed to read user input frames",
                                    "Frame moderation failed", "Advanced prompt moderation failed",
                                    "Prompt processing failed", "Error dispatching job", "Job failed"])
def test_a_marked_prompt_fails_with_that_reason_and_is_refunded(reason):
    async def scenario(client, fake):
        body = {**BODY, "prompt": f"a boat [[fail: {reason}]]"}
        generation = (await client.post("/generations", json=body)).json()
        failed = await wait_for(client, generation["id"], "failed")
        return failed, fake.snapshot()

    failed, stats = talk(scenario)
    assert failed["failure_reason"] == reason and failed["assets"] is None
    assert stats["failed"] == 1 and stats["credit_balance"] == 100_000.0


def test_injected_error_answers_carry_retry_after_and_are_counted():
    async def scenario(client, fake):
        answers = [await client.get("/generations") for _ in range(3)]
        return answers, fake.snapshot()

    answers, stats = talk(scenario, fault_rate=1.0, faults=("429",), retry_after_s=2.5)
    assert all(a.status_code == 429 and a.headers["retry-after"] == "2.5" for a in answers)
    assert (stats["faults"], stats["faults_429"], stats["lists"]) == (3, 3, 0)


def test_the_same_seed_injects_the_same_faults():
    async def scenario(client, fake):
        return [(await client.get("/generations")).status_code for _ in range(30)]

    first = talk(scenario, fault_rate=0.3, faults=("500", "503"), seed=11)
    assert first == talk(scenario, fault_rate=0.3, faults=("500", "503"), seed=11)
    assert {500, 503, 200} == set(first)


def test_a_dropped_create_raises_in_process_but_the_generation_exists():
    async def scenario(client, fake):
        with pytest.raises(ConnectionDropped) as caught:
            await client.post("/generations", json=BODY)
        return caught.value, fake.snapshot()

    error, stats = talk(scenario, fault_rate=1.0, faults=("drop",))
    assert isinstance(error, httpx.RemoteProtocolError)
    assert (stats["creates"], stats["faults_drop"]) == (1, 1)


def test_a_dropped_create_closes_the_socket_without_an_answer_over_loopback(caplog):
    with running(FakeOptions(latency=0.1, render=quick_render, fault_rate=1.0, faults=("drop",))) as server:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            httpx.post(server.api + "/generations", json=BODY, headers=AUTH)
        ping = httpx.get(server.api + "/ping", headers=AUTH)  # the server lives on
        stats = httpx.get(server.root + "/_fake/stats").json()
    assert ping.json() == {"message": "pong"}
    assert (stats["creates"], stats["faults_drop"]) == (1, 1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_options_are_checked():
    with pytest.raises(ValueError, match="unknown fault kinds \\['fire'\\]"):
        FakeOptions(faults=("fire",))
    with pytest.raises(ValueError, match="fault_rate must be between 0 and 1"):
        FakeOptions(fault_rate=2)
    assert FakeOptions(latency=10).state_times() == (2.0, 8.0)


def test_serving_on_a_busy_port_is_a_pipeline_error():
    from pipeline.errors import PipelineError
    from pipeline.fake_luma import serve

    with running(FakeOptions(render=quick_render)) as server:
        port = int(server.root.rsplit(":", 1)[1])
        with pytest.raises(PipelineError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(FakeOptions(), port=port)
