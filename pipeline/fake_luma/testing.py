"""Helpers for tests and benchmarks: a fake wired to a provider, waiting on a job the engine's way, and a quick
stand-in renderer.

quick_render (no text, no camera move) honours what the provider checks: the frame size of
resolution and aspect, 24 fps, H.264, duration x 24 frames.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import httpx

from .. import ffmpeg
from ..engine.polling import until_done
from ..formats import FPS, frame_size, frames_for
from ..providers.base import JobStatus, Provider, ShotRequest
from ..providers.luma.provider import LumaProvider
from .app import PREFIX, create_app
from .options import FakeOptions
from .server import running
from .store import FakeLuma

ASGI_ROOT = "http://fake-luma.test"


class Pair(NamedTuple):
    provider: LumaProvider
    fake: FakeLuma
    root: str  # where the fake's /cdn/ and /_fake/ live


async def wait(provider: Provider, job_id: str, *, timeout_s: float = 30.0) -> JobStatus:
    """Poll `job_id` until completed or failed through the engine's poller (the one a run uses); a retryable
    ProviderError after `timeout_s`, kept short so that a test that would hang fails instead."""
    return await until_done(provider, job_id, timeout_s=timeout_s)


def quick_render(request: ShotRequest, dest: Path, *, burn_in=None) -> None:
    width, height = frame_size(request.resolution, request.aspect_ratio)
    hue = int(request.key.encode().hex()[:6], 16) % 360 if request.key else 0
    source = f"testsrc2=size={width}x{height}:rate={FPS},hue=h={hue}"
    ffmpeg.run(["-f", "lavfi", "-i", source, "-frames:v", str(frames_for(request.duration_s)),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", str(FPS),
                str(dest)], what="quick render")


@contextlib.asynccontextmanager
async def provider_and_fake(mode: str, options: FakeOptions, **provider_kwargs) -> AsyncIterator[Pair]:
    """A LumaProvider wired to a fake, in-process ("asgi": httpx.ASGITransport) or over loopback
    ("loopback": uvicorn on a free 127.0.0.1 port in a thread). Both are closed on exit."""
    provider_kwargs.setdefault("api_key", "test-key")
    if mode == "asgi":
        app = create_app(options)
        transport = httpx.ASGITransport(app)
        try:
            async with LumaProvider(base_url=ASGI_ROOT + PREFIX, transport=transport,
                                    **provider_kwargs) as provider:
                yield Pair(provider, app.state.fake, ASGI_ROOT)
        finally:
            app.state.fake.close()
    elif mode == "loopback":
        with running(options) as server:
            async with LumaProvider(base_url=server.api, **provider_kwargs) as provider:
                yield Pair(provider, server.fake, server.root)
    else:
        raise ValueError(f"unknown mode {mode!r}: asgi or loopback")
