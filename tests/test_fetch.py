"""Downloads land whole or not at all: verified by probing, retried when cut short, temp files never left."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import stamina
from PIL import Image

from pipeline import ffmpeg
from pipeline.errors import MediaError, ProviderError
from pipeline.providers.download import check_video, fetch_image, fetch_video


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture(scope="module", params=["moov-last", "faststart"])
def video(request, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    flags = ["-movflags", "+faststart"] if request.param == "faststart" else []
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24", "-frames:v", "48", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", *flags, str(path)], what="test clip")
    return path.read_bytes()


def serving(*bodies, status: int = 200):
    """A client whose every GET answers the next of `bodies` (the last repeats); counts requests."""
    count = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        body = bodies[min(count[0], len(bodies)) - 1]
        if isinstance(body, int):
            return httpx.Response(body, text="nope")
        return httpx.Response(status, content=body)
    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), count


def fetch(client, dest: Path, **kwargs):
    async def main():
        async with client:
            return await fetch_video("https://cdn.test/v/clip.mp4?token=secret", dest, client=client, **kwargs)
    return asyncio.run(main())


def test_a_whole_video_is_verified_and_moved_into_place(video, tmp_path):
    client, count = serving(video)
    info = fetch(client, tmp_path / "out" / "clip.mp4", expected_frames=48)
    assert info.frames == 48 and count[0] == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["clip.mp4"]


def test_a_truncated_download_is_fetched_again(video, tmp_path):
    client, count = serving(video[: len(video) // 2], video[: -200], video)
    assert fetch(client, tmp_path / "clip.mp4", expected_frames=48).frames == 48
    assert count[0] == 3


def test_a_download_that_stays_truncated_raises_and_leaves_nothing(video, tmp_path):
    client, count = serving(video[: len(video) // 2])
    with pytest.raises(MediaError) as caught:
        fetch(client, tmp_path / "clip.mp4", expected_frames=48, attempts=3)
    assert str(caught.value).startswith(
        "video from https://cdn.test/v/clip.mp4 was incomplete or unreadable after 3 attempt(s)")
    assert "secret" not in str(caught.value)
    assert count[0] == 3 and list(tmp_path.iterdir()) == []


def test_a_body_shorter_than_its_content_length_is_caught_before_probing(video, tmp_path):
    def handler(request):
        return httpx.Response(200, content=video[:1000], headers={"Content-Length": str(len(video))})

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            with pytest.raises(MediaError, match=f"stopped after 1000 of {len(video)} bytes"):
                await fetch_video("https://cdn.test/clip.mp4", tmp_path / "c.mp4", client=client, attempts=2)
    asyncio.run(main())


def test_frame_counts_are_checked_within_one_frame(video, tmp_path):
    with pytest.raises(MediaError, match="48 frames, expected 120"):
        fetch(serving(video)[0], tmp_path / "a.mp4", expected_frames=120, attempts=1)
    assert fetch(serving(video)[0], tmp_path / "b.mp4", expected_frames=49).frames == 48
    with pytest.raises(MediaError, match="48 frames, expected 24"):
        fetch(serving(video)[0], tmp_path / "c.mp4", expected_frames=24, attempts=1)
    assert fetch(serving(video)[0], tmp_path / "d.mp4", expected_frames=24, at_least=True).frames == 48


def test_http_errors(video, tmp_path):
    client, count = serving(503, 503, video)
    assert fetch(client, tmp_path / "ok.mp4").frames == 48 and count[0] == 3
    client, count = serving(404)
    with pytest.raises(ProviderError) as caught:
        fetch(client, tmp_path / "missing.mp4")
    assert str(caught.value) == "could not download the video from https://cdn.test/v/clip.mp4: HTTP 404"
    assert count[0] == 1 and not caught.value.retryable


def test_a_network_failure_on_every_attempt(tmp_path):
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(ProviderError, match=r"after 2 attempt\(s\) \(ReadTimeout\): check the network"):
        fetch(client, tmp_path / "x.mp4", attempts=2)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_only_replaced_by_a_verified_one(video, tmp_path):
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"the old take")
    with pytest.raises(MediaError):
        fetch(serving(b"not a video")[0], dest, attempts=2)
    assert dest.read_bytes() == b"the old take"


def test_images_are_fetched_and_checked(tmp_path):
    Image.new("RGB", (32, 18), "navy").save(tmp_path / "key.png")
    client, _ = serving((tmp_path / "key.png").read_bytes())

    async def main():
        async with client:
            info = await fetch_image("https://cdn.test/key.png", tmp_path / "got" / "key.png", client=client)
            with pytest.raises(MediaError, match="was incomplete or unreadable"):
                await fetch_image("https://cdn.test/key.png", tmp_path / "bad.png",
                                  client=serving(b"<html>")[0], attempts=1)
            return info
    assert asyncio.run(main()).kind == "image"


def test_check_video_refuses_an_image(tmp_path):
    Image.new("RGB", (32, 18), "navy").save(tmp_path / "still.png")
    with pytest.raises(MediaError, match="expected a video, found image"):
        check_video(tmp_path / "still.png")
