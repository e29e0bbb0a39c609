"""Luma's official `luma-agents` SDK against the fake's Agents dialect: a client nobody here wrote parses every
answer with its own models, so the fake cannot drift from the real contract unnoticed (create, get, extend,
files upload, and the output's presigned URL)."""

from __future__ import annotations

import time

import httpx
import pytest
from PIL import Image

from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.agents import PREFIX
from pipeline.fake_luma.testing import quick_render

luma_agents = pytest.importorskip("luma_agents", reason="the official SDK: pip install luma-agents (the test extra)")


@pytest.fixture(scope="module")
def sdk():
    with running(FakeOptions(latency=0.1, render=quick_render)) as server:
        client = luma_agents.Luma(auth_token="sdk-test-key", base_url=server.root + PREFIX, max_retries=0)
        yield client, server
        client.close()


def until_done(client, generation_id: str, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while (generation := client.generations.get(generation_id)).state in ("queued", "processing"):
        assert time.monotonic() < deadline, generation
        time.sleep(0.05)
    return generation


def test_the_sdk_creates_gets_and_extends_a_video(sdk):
    client, _ = sdk
    made = client.generations.create(type="video", model="ray-3.2", prompt="a lighthouse at dusk",
                                     aspect_ratio="16:9", video={"duration": "5s", "resolution": "360p"})
    assert isinstance(made, luma_agents.types.Generation) and made.state in ("queued", "processing")
    done = until_done(client, made.id)
    assert done.state == "completed" and done.model == "ray-3.2" and done.type == "video"
    assert done.output and done.output[0].type == "video"
    assert httpx.get(done.output[0].url).headers["content-type"] == "video/mp4"

    forward = client.generations.create(type="video", model="ray-3.2", prompt="the beam sweeps the sea",
                                        video={"duration": "5s", "resolution": "360p",
                                               "start_frame": {"generation_id": made.id}})
    backward = client.generations.create(type="video", model="ray-3.2", prompt="the boat arrives",
                                         video={"duration": "5s", "resolution": "360p",
                                                "end_frame": {"generation_id": made.id}})
    assert until_done(client, forward.id).state == until_done(client, backward.id).state == "completed"


def test_the_sdk_reads_a_failure_code(sdk):
    client, _ = sdk
    made = client.generations.create(type="video", model="ray-3.2", prompt="a shot [[fail: content_moderated]]",
                                     video={"duration": "5s", "resolution": "360p"})
    failed = until_done(client, made.id)
    assert failed.state == "failed" and failed.failure_code == "content_moderated"


def test_the_sdk_uploads_a_file_and_a_generation_starts_from_it(sdk, tmp_path):
    client, server = sdk
    picture = tmp_path / "key.png"
    Image.new("RGB", (640, 360), (20, 20, 220)).save(picture)
    data = picture.read_bytes()
    created = client.files.create(mime_type="image/png", size_bytes=len(data), filename="key.png", purpose="input")
    assert created.state == "pending" and created.upload is not None and created.upload.method == "PUT"
    put = httpx.put(created.upload.url, content=data, headers=created.upload.headers or {})
    assert put.status_code == 200
    completed = client.files.complete(created.id)
    assert completed.id == created.id and client.files.get(created.id).state == "ready"

    made = client.generations.create(type="video", model="ray-3.2", prompt="the blue hour",
                                     video={"duration": "5s", "resolution": "360p",
                                            "start_frame": {"file_id": created.id}})
    assert until_done(client, made.id).state == "completed"
    client.files.delete(created.id)
    assert client.files.get(created.id).state == "deleted"


def test_the_sdk_sees_a_refusal_as_its_own_error(sdk):
    client, _ = sdk
    with pytest.raises(luma_agents.BadRequestError):
        client.generations.create(type="video", model="ray-3.2", prompt="a loop",
                                  video={"duration": "10s", "resolution": "360p", "loop": True})
    with pytest.raises(luma_agents.NotFoundError):
        client.generations.get("no-such-generation")
