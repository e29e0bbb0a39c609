"""The luma-agents provider against the fake's Agents dialect on loopback: local keyframes through the Files API,
expired output URLs asked for again, failure codes read as retry or refuse, out of credit, and the request body."""

from __future__ import annotations

import asyncio

import pytest
import stamina
from PIL import Image

from pipeline import ffmpeg
from pipeline.errors import PipelineError, ProviderError
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.agents import PREFIX
from pipeline.fake_luma.testing import quick_render, wait
from pipeline.providers import FailureKind, create
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest
from pipeline.providers.luma_agents.request import request_body


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def shot(shot_id: str, **fields) -> ShotRequest:
    values = {"model": "ray-3.2", "resolution": "360p", "aspect_ratio": "16:9", "duration_s": 5,
              "prompt": f"a lighthouse at dusk, {shot_id}", "caption": False}
    return ShotRequest(shot_id=shot_id, key=f"key-{shot_id}", **{**values, **fields})


def with_agents(options: FakeOptions, scenario):
    """Run `scenario(provider, fake)` with a provider pointed at the fake's Agents API on loopback."""
    async def main(server):
        provider = create("luma-agents", api_key="agents-test-key", base_url=server.root + PREFIX)
        try:
            return await scenario(provider, server.fake)
        finally:
            await provider.close()
    with running(options) as server:
        return asyncio.run(main(server))


def test_a_local_keyframe_is_uploaded_once_through_the_files_api_and_shown(tmp_path):
    picture = tmp_path / "red.png"
    Image.new("RGB", (640, 360), (220, 20, 20)).save(picture)
    first = shot("first", start=ImageKeyframe(path=picture))

    async def scenario(provider, fake):
        job_id = await provider.submit(first)
        status = await wait(provider, job_id)
        assert status.state == "completed", status
        await provider.fetch(job_id, status, first, tmp_path / "first.mp4")
        again = await provider.upload(ImageKeyframe(path=picture))  # the same content: not uploaded again
        return fake.snapshot(), again, provider._files

    counted, again, uploaded = with_agents(FakeOptions(latency=0.1), scenario)
    assert (counted["files"], counted["uploads"]) == (1, 1) and list(uploaded.values()) == [again]
    corner = ffmpeg.frame_at(tmp_path / "first.mp4", 0)[:90, :160].reshape(-1, 3).mean(axis=0)
    assert corner[0] > 150 and corner[1] < 80 and corner[2] < 80  # the fake rendered the uploaded picture


def test_an_expired_output_url_is_asked_for_again(tmp_path):
    request = shot("late")

    async def scenario(provider, fake):
        job_id = await provider.submit(request)
        status = await wait(provider, job_id)
        await asyncio.sleep(0.6)  # longer than the URL lives
        await provider.fetch(job_id, status, request, tmp_path / "late.mp4")
        return fake.snapshot()

    counted = with_agents(FakeOptions(latency=0.1, render=quick_render, agents_output_ttl_s=0.5), scenario)
    assert counted["downloads_expired"] == 1 and counted["downloads"] == 1
    assert (tmp_path / "late.mp4").stat().st_size > 0


@pytest.mark.parametrize(("code", "kind"), [
    ("content_moderated", FailureKind.REFUSED), ("image_too_large", FailureKind.REFUSED),
    ("unsupported_format", FailureKind.REFUSED), ("corrupt_input", FailureKind.REFUSED),
    ("invalid_request", FailureKind.REFUSED), ("generation_failed", FailureKind.RETRYABLE),
    ("rate_limited", FailureKind.RETRYABLE), ("output_not_found", FailureKind.RETRYABLE),
])
def test_each_failure_code_is_read_as_retry_or_refuse(code, kind):
    async def scenario(provider, fake):
        job_id = await provider.submit(shot("doomed", prompt=f"a doomed shot [[fail: {code}]]"))
        status = await wait(provider, job_id)
        return status, provider.failure(status, shot_id="doomed", job_id=job_id)

    status, error = with_agents(FakeOptions(latency=0.05, render=quick_render), scenario)
    assert status.state == "failed" and status.extra["failure_code"] == code
    assert error.kind is kind and error.retryable == (kind is not FailureKind.REFUSED) and code in str(error)


def test_out_of_credit_stops_every_later_create():
    async def scenario(provider, fake):
        job_id = await provider.submit(shot("first"))
        status = await wait(provider, job_id)
        error = provider.failure(status, shot_id="first", job_id=job_id)
        with pytest.raises(ProviderError, match="out of credit") as later:
            await provider.submit(shot("second"))
        return error, later.value, fake.snapshot()

    error, later, counted = with_agents(FakeOptions(latency=0.05, credit_balance=1.0), scenario)
    assert error.kind is FailureKind.REFUSED and "out of credit" in str(error) and "budget_exhausted" in str(error)
    assert counted["creates"] == 1 and counted["refunded_cents"] == counted["charged_cents"]
    assert "resume the run" in str(later)


def test_a_processing_generation_is_the_engines_dreaming():
    async def scenario(provider, fake):
        job_id = await provider.submit(shot("slow"))
        return await provider.status(job_id)

    status = with_agents(FakeOptions(queued_s=0.0, dreaming_s=30.0, render=quick_render), scenario)
    assert status.state == "dreaming" and not status.done


def test_the_body_extends_forward_and_backward_by_generation_id():
    request = shot("middle", start=GenerationKeyframe("before", job_id="gen-1"),
                   end=GenerationKeyframe("after", job_id="gen-2"), concepts=("push_in",), duration_s=5)
    body = request_body(request, {"start_frame": {"generation_id": "gen-1"}, "end_frame": {"generation_id": "gen-2"}})
    assert body == {"type": "video", "model": "ray-3.2", "prompt": "a lighthouse at dusk, middle. Camera: push in.",
                    "aspect_ratio": "16:9", "video": {"duration": "5s", "resolution": "360p", "loop": False,
                                                      "start_frame": {"generation_id": "gen-1"},
                                                      "end_frame": {"generation_id": "gen-2"}}}
    with pytest.raises(PipelineError, match="requires a prompt"):
        request_body(shot("silent", prompt=None))


def test_the_fake_refuses_what_the_api_refuses():
    async def scenario(provider, fake):
        refusals = []
        for request in (shot("looped", duration_s=10, loop=True), shot("old", model="ray-2"),
                        shot("keyed", duration_s=10, start=ImageKeyframe(url="https://example.com/a.png"))):
            with pytest.raises(ProviderError) as caught:
                await provider.submit(request)
            refusals.append(str(caught.value))
        return refusals, fake.snapshot()

    refusals, counted = with_agents(FakeOptions(latency=0.05), scenario)
    assert "loop is not supported with duration=10s" in refusals[0]
    assert "Unknown or unsupported video model: ray-2" in refusals[1]
    assert "not supported with duration=10s" in refusals[2]
    assert counted["creates"] == 0 and counted["refused"] == 3


def test_a_create_that_never_left_is_retried_and_reported_as_unreachable():
    import socket

    with socket.socket() as probe:  # a port nothing listens on: the connection is refused, nothing was sent
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario():
        provider = create("luma-agents", api_key="agents-test-key", base_url=f"http://127.0.0.1:{port}/agents/v1")
        try:
            await provider.submit(shot("unsent"))
        finally:
            await provider.close()

    with pytest.raises(ProviderError, match="could not reach Luma") as caught:
        asyncio.run(scenario())
    assert "may exist" not in str(caught.value) and caught.value.retryable
