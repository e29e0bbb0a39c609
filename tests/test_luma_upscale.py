"""Luma v1's upscale (`POST /generations/{id}/upscale`) through the real client against the fake on loopback:
a new generation, charged, whose video is the source scaled up; refusals for what Luma refuses."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pipeline import ffmpeg
from pipeline.errors import ProviderError
from pipeline.providers.luma.client import LumaClient

KEY = "test-key-not-secret"
BODY = {"generation_type": "video", "prompt": "a harbour at dawn, gulls over the masts", "model": "ray-flash-2",
        "resolution": "540p", "duration": "5s", "aspect_ratio": "16:9"}


async def finished(luma: LumaClient, generation_id: str) -> dict:
    for _ in range(400):
        got = await luma.get(generation_id)
        if got["state"] in ("completed", "failed"):
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"{generation_id} never finished")


def test_an_upscale_is_its_own_paid_generation_at_the_new_resolution(fake, tmp_path):
    async def scenario():
        async with LumaClient(api_key=KEY, base_url=fake.api) as luma:
            source = await luma.create(BODY)
            with pytest.raises(ProviderError, match="completed"):
                await luma.upscale(source["id"], "1080p")  # still queued
            await finished(luma, source["id"])
            before = await luma.credits()
            up = await luma.upscale(source["id"], "1080p")
            assert up["id"] != source["id"] and up["request"]["generation_type"] == "upscale_video"
            done = await finished(luma, up["id"])
            at_1080p = fake.fake.price_of({**BODY, "resolution": "1080p"})  # charged like a generation
            assert at_1080p > fake.fake.price_of(BODY)
            assert done["state"] == "completed" and before - await luma.credits() == pytest.approx(at_1080p)
            with pytest.raises(ProviderError, match="already"):
                await luma.upscale(up["id"], "1080p")
            with pytest.raises(ProviderError, match="not found"):
                await luma.upscale("00000000-0000-0000-0000-000000000000", "4k")
            return done["assets"]["video"]

    video = tmp_path / "up.mp4"
    video.write_bytes(httpx.get(asyncio.run(scenario())).content)
    info = ffmpeg.probe(video)
    assert (info.width, info.height) == (1920, 1080)
