"""The gateways' clients against the fake's dialects, one behaviour at a time: AIgateway's 304 for a poll that
comes too soon and the poller that never asks that often, both result shapes, cancellation, refusals; and
Crazyrouter's inline keyframes, extension bodies and refusals."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
import stamina

from pipeline.engine.polling import until_done
from pipeline.errors import ProviderError
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.app import create_app
from pipeline.fake_luma.testing import ManualClock, copying, quick_render
from pipeline.providers import FailureKind
from pipeline.providers.aigateway.provider import AigatewayProvider, to_status
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, JobStatus, NotCreated, ShotRequest
from pipeline.providers.crazyrouter.provider import CrazyrouterProvider
from pipeline.providers.crazyrouter.request import MAX_INLINE_BYTES, create_path_and_body
from pipeline.providers.gateway import failure_error as gateway_failure

AUTH = {"Authorization": "Bearer any-key"}
BODY = {"model": "luma/luma-dream-machine-ray-2", "prompt": "a paper boat on a puddle", "duration": 5,
        "aspect_ratio": "16:9"}


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def gateway(media):
    """(server, clock): the fake on loopback, its generations moving only when the clock is advanced."""
    clock = ManualClock()
    with running(FakeOptions(render=copying(media["video"]), clock=clock, latency=10.0)) as server:
        yield server, clock


def request(shot_id: str = "s1", **fields) -> ShotRequest:
    values = {"model": "ray-2", "resolution": "720p", "aspect_ratio": "16:9", "duration_s": 5,
              "prompt": "a paper boat on a puddle"}
    return ShotRequest(shot_id=shot_id, key=shot_id, **{**values, **fields})


def test_a_job_polled_again_within_3_seconds_answers_304_until_the_time_has_passed(gateway):
    server, clock = gateway
    with httpx.Client(base_url=server.root + "/aigateway/v1", headers=AUTH) as client:
        created = client.post("/videos/generations", json=BODY)
        job = created.json()["id"]
        first, soon = client.get(f"/jobs/{job}"), client.get(f"/jobs/{job}")
        clock.advance(2.9)
        still_soon = client.get(f"/jobs/{job}")
        clock.advance(0.2)
        later = client.get(f"/jobs/{job}")
    counted = httpx.get(server.root + "/_fake/stats").json()
    assert created.status_code == 202 and created.json()["status"] == "queued"
    assert (first.status_code, soon.status_code, still_soon.status_code, later.status_code) == (200, 304, 304, 200)
    assert soon.content == b"" and later.json()["status"] == "running"  # the store's dreaming, in its words
    assert counted["not_modified"] == 2 and counted["gets"] == 2


def test_a_cancelled_job_ends_cancelled_and_costs_nothing(gateway):
    server, clock = gateway
    with httpx.Client(base_url=server.root + "/aigateway/v1", headers=AUTH) as client:
        job = client.post("/videos/generations", json=BODY).json()["id"]
        cancelled = client.post(f"/jobs/{job}/cancel")
        clock.advance(11)
        for _ in range(100):  # until the fake's render thread is done with it
            if (answer := client.get(f"/jobs/{job}")).status_code == 200 and answer.json()["status"] != "running":
                break
            clock.advance(3)
        again = client.post(f"/jobs/{job}/cancel")
    counted = httpx.get(server.root + "/_fake/stats").json()
    assert cancelled.status_code == 200 and answer.json()["status"] == "cancelled"
    assert to_status(answer.json()).state == "failed" and to_status(answer.json()).extra["failure_code"] == "cancelled"
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert counted["refunded_cents"] == counted["charged_cents"] > 0


def test_the_provider_reads_a_304_as_no_change_and_the_poller_never_asks_that_often(gateway):
    server, clock = gateway

    async def scenario():
        async with AigatewayProvider(api_key="k", base_url=server.root + "/aigateway/v1") as provider:
            job = await provider.submit(request())
            seen = await provider.status(job), await provider.status(job)  # the second is answered 304
            waits = []

            async def sleep(seconds: float) -> None:  # the poller's waits pass on the fake's clock
                waits.append(seconds)
                clock.advance(seconds)
                await asyncio.sleep(0.05)  # lets the fake's render thread finish

            clock.advance(3)
            done = await until_done(provider, job, clock=clock, sleep=sleep, timeout_s=120)
            return seen, waits, done

    (first, again), waits, done = asyncio.run(scenario())
    counted = httpx.get(server.root + "/_fake/stats").json()
    assert first == again and first.state == "queued"
    assert counted["not_modified"] == 1  # only the one asked for on purpose
    assert waits and min(waits) >= AigatewayProvider.capabilities.min_poll_s == 3.0
    assert done.state == "completed" and done.video_url.endswith("/video.mp4")


@pytest.mark.parametrize("key", ["file_url", "url"])
def test_both_result_shapes_give_the_video(media, tmp_path, key):
    app = create_app(FakeOptions(render=quick_render, latency=0.1))
    app.state.aigateway.result_key = key

    async def scenario(server):
        async with AigatewayProvider(api_key="k", base_url=server.root + "/aigateway/v1") as provider:
            shot = request()
            job = await provider.submit(shot)
            status = await until_done(provider, job, timeout_s=30)
            await provider.fetch(job, status, shot, tmp_path / "clip.mp4")
            return status

    with running(app=app) as server:
        status = asyncio.run(scenario(server))
    assert status.state == "completed" and (tmp_path / "clip.mp4").stat().st_size > 0


def test_job_states_and_failures_read_as_the_engine_reads_them():
    failed = to_status({"id": "j", "status": "failed", "error": {"code": "generation_failed",
                                                                 "message": "Job failed"}})
    cancelled = to_status({"id": "j", "status": "cancelled", "error": None})
    moderated = to_status({"id": "j", "status": "failed", "error": {"code": "content_policy_violation",
                                                                    "message": "The prompt was flagged"}})

    def provider_failure(_, status):
        return gateway_failure("AIgateway", status, shot_id="s1", job_id="j")

    assert to_status({"status": "running"}).state == "dreaming"
    assert to_status({"status": "completed", "result": {"url": "https://x/v.mp4"}}).video_url == "https://x/v.mp4"
    assert failed.state == "failed" and failed.failure_reason == "Job failed"
    assert provider_failure(None, failed).kind is FailureKind.RETRYABLE
    assert cancelled.state == "failed" and provider_failure(None, cancelled).kind is FailureKind.REFUSED
    assert "cancelled on AIgateway" in str(provider_failure(None, cancelled))
    assert provider_failure(None, moderated).kind is FailureKind.REFUSED


def test_a_refused_key_is_named_and_never_shown(media):
    secret = "wrong-key-0123456789"
    with running(FakeOptions(render=copying(media["video"]), api_key="right")) as server:
        async def scenario():
            async with AigatewayProvider(api_key=secret, base_url=server.root + "/aigateway/v1") as provider:
                await provider.submit(request())
        with pytest.raises(NotCreated) as refused:
            asyncio.run(scenario())
    assert "refused the API key: check AIGATEWAY_API_KEY" in str(refused.value) and secret not in str(refused.value)


def test_a_request_the_gateway_cannot_take_is_refused_before_anything_is_sent():
    provider = AigatewayProvider(api_key="k", base_url="http://127.0.0.1:9/aigateway/v1")
    with pytest.raises(ProviderError, match="from text alone and cannot take a start keyframe"):
        provider.body(request(start=GenerationKeyframe("s0", job_id="j0")))
    asyncio.run(provider.close())


def test_crazyrouter_sends_local_keyframes_inline_and_extends_by_task(tmp_path, media):
    still = media["image"]
    path, body = create_path_and_body(request(resolution="540p", start=ImageKeyframe(path=still),
                                              end=ImageKeyframe(url="https://cdn.example/end.jpg")))
    assert path == "/luma/generations" and body["model_name"] == "ray-v2" and body["duration"] == "5"
    assert body["image_url"] == "data:image/png;base64," + base64.b64encode(still.read_bytes()).decode()
    assert body["image_end_url"] == "https://cdn.example/end.jpg" and body["expand_prompt"] is False
    path, body = create_path_and_body(request(start=GenerationKeyframe("s0", job_id="task-0"),
                                              end=ImageKeyframe(path=still)))
    assert path == "/luma/generations/task-0/extend" and set(body) == {"user_prompt", "expand_prompt",
                                                                       "image_end_url"}
    big = tmp_path / "big.png"
    big.write_bytes(b"\0" * (MAX_INLINE_BYTES + 1))
    with pytest.raises(ProviderError, match="Crazyrouter takes local images inline .* or give it as an https URL"):
        create_path_and_body(request(start=ImageKeyframe(path=big)))


def test_crazyrouter_refuses_to_extend_a_task_that_is_not_completed(gateway):
    server, clock = gateway

    async def scenario():
        async with CrazyrouterProvider(api_key="k", base_url=server.root + "/crazyrouter") as provider:
            parent = await provider.submit(request(resolution="540p"))
            await provider.submit(request("s2", start=GenerationKeyframe("s1", job_id=parent)))

    with pytest.raises(NotCreated, match="only completed tasks can be extended"):
        asyncio.run(scenario())
    assert httpx.get(server.root + "/_fake/stats").json()["creates"] == 1


def test_the_poller_floor_is_what_the_capabilities_declare():
    class Slow:
        capabilities = AigatewayProvider.capabilities
        answers = iter(["queued", "dreaming", "completed"])

        async def status(self, job_id):
            return JobStatus(next(self.answers))

    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    asyncio.run(until_done(Slow(), "j", sleep=sleep))
    assert waits == [3.0, 3.0]
