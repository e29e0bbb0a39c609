"""Helpers for tests and benchmarks: a fake wired to a provider, waiting on a job the engine's way, a quick
stand-in renderer, a manual clock.

quick_render (no text, no camera move) honours what the provider checks: the frame size of
resolution and aspect, 24 fps, H.264, duration x 24 frames.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
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


class ManualClock:
    """A clock that moves only when told: FakeOptions(clock=clock), then clock.advance(seconds). A state
    then lasts exactly as long as the test says, however loaded the machine is."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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


def copying(clip: Path) -> Callable[[ShotRequest, Path], None]:
    """A renderer that gives every generation a copy of `clip`: for tests that never look at the pixels."""
    def render(request: ShotRequest, dest: Path) -> None:
        shutil.copy(clip, dest)
    return render


class Loopback(NamedTuple):
    client: httpx.Client  # authorised, based at the API's prefix
    stats: Callable[[], dict]  # GET /_fake/stats
    root: str


@contextlib.contextmanager
def on_loopback(options: FakeOptions, key: str = "any-key") -> Iterator[Loopback]:
    """The fake on a loopback port and a synchronous client of its API."""
    with running(options) as server, httpx.Client(base_url=server.api,
                                                   headers={"Authorization": f"Bearer {key}"}) as client:
        yield Loopback(client, lambda: httpx.get(server.root + "/_fake/stats").json(), server.root)


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
