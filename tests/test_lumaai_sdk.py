"""Luma's official `lumaai` SDK (Dream Machine v1) against the fake: a client nobody here wrote parses every
answer with its own models, so the fake cannot drift from the real contract unnoticed (create, get, list,
extend, delete, credits, concepts, ping, and its error types)."""

from __future__ import annotations

import time

import httpx
import pytest

from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.testing import quick_render

lumaai = pytest.importorskip("lumaai", reason="the official SDK: pip install lumaai (the test extra)")


@pytest.fixture(scope="module")
def sdk():
    with running(FakeOptions(latency=0.1, render=quick_render)) as server:
        client = lumaai.LumaAI(auth_token="sdk-test-key", base_url=server.api, max_retries=0)
        yield client, server
        client.close()


def until_done(client, generation_id: str, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while (generation := client.generations.get(generation_id)).state in ("queued", "dreaming"):
        assert time.monotonic() < deadline, generation
        time.sleep(0.05)
    return generation


def test_the_sdk_creates_gets_lists_extends_and_deletes(sdk):
    client, _ = sdk
    made = client.generations.create(model="ray-2", prompt="a lighthouse at dusk", aspect_ratio="16:9",
                                     resolution="540p", duration="5s", concepts=[{"key": "push_in"}])
    assert isinstance(made, lumaai.types.Generation) and made.state in ("queued", "dreaming")
    done = until_done(client, made.id)
    assert done.state == "completed" and done.assets.video.startswith("http")
    assert httpx.get(done.assets.video).content[4:8] == b"ftyp"  # an MP4 at the URL the SDK parsed
    assert done.request.prompt == "a lighthouse at dusk"
    listed = client.generations.list(limit=100, offset=0)
    assert made.id in {g.id for g in listed.generations} and listed.count >= 1
    extension = client.generations.create(model="ray-2", prompt="the beam sweeps the sea", resolution="540p",
                                          duration="5s", keyframes={"frame0": {"type": "generation", "id": made.id}})
    extended = until_done(client, extension.id)
    assert extended.state == "completed" and extended.request.keyframes.frame0.id == made.id
    client.generations.delete(extension.id)
    with pytest.raises(lumaai.NotFoundError):
        client.generations.get(extension.id)


def test_the_sdk_reads_credits_concepts_and_ping(sdk):
    client, _ = sdk
    assert client.credits.get().credit_balance >= 0
    assert "push_in" in client.generations.concepts.list()
    client.ping.check()


def test_the_sdk_sees_refusals_as_its_own_errors(sdk):
    client, server = sdk
    with pytest.raises(lumaai.BadRequestError):
        client.generations.create(model="ray-2", prompt="a lighthouse", duration="7s", resolution="540p")
    with running(FakeOptions(latency=0.1, api_key="the-right-key")) as guarded:
        stranger = lumaai.LumaAI(auth_token="a-wrong-key", base_url=guarded.api, max_retries=0)
        with pytest.raises((lumaai.AuthenticationError, lumaai.PermissionDeniedError)):
            stranger.generations.list()
        stranger.close()
