"""Serving the fake on a port: `serve()` for the CLI, `running()` for tests and benchmarks (a thread)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from .. import loopback
from ..errors import PipelineError
from .agents import PREFIX as AGENTS_PREFIX
from .app import PREFIX, create_app
from .faults import CURRENT_TRANSPORT
from .options import FakeOptions
from .store import FakeLuma


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing each request's transport to the app so that the fake can cut a
    connection without answering (ASGI itself has no way to say that)."""

    def data_received(self, data: bytes) -> None:
        token = CURRENT_TRANSPORT.set(self.transport)  # request tasks created below copy this context
        try:
            super().data_received(data)
        finally:
            CURRENT_TRANSPORT.reset(token)


def _config(app: Starlette, log_level: str, **kwargs) -> uvicorn.Config:
    return uvicorn.Config(app, http=DroppableH11Protocol, log_level=log_level, lifespan="on", **kwargs)


def serve(options: FakeOptions | None = None, host: str = "127.0.0.1", port: int = 8800, *,
          log_level: str = "info") -> None:
    """Run the fake until interrupted (Ctrl-C shuts it down cleanly and returns). Point the luma provider at
    it with LUMAAI_BASE_URL=http://HOST:PORT/dream-machine/v1 and any LUMAAI_API_KEY."""
    if options and options.cdn_dir and not options.cdn_dir.is_dir():
        raise PipelineError(f"--cdn {options.cdn_dir}: no such folder; give the folder to serve at /cdn "
                            "(e.g. the storyboard's)")
    sock = loopback.bound(host, port, what="fake Luma server")
    app = create_app(options)
    config = _config(app, log_level)  # sets up uvicorn's loggers: a line logged before it is dropped
    keys = "its configured key" if app.state.fake.options.api_key else "any bearer key"
    logging.getLogger("uvicorn.error").info(  # uvicorn's own line does not say the API's prefix
        "fake Luma API on http://%s:%d%s, its Agents API at %s (accepts %s; stats at /_fake/stats)",
        host, sock.getsockname()[1], PREFIX, AGENTS_PREFIX, keys)
    loopback.serve_until_interrupted(config, sock)


@dataclass(frozen=True)
class RunningFake:
    root: str  # http://127.0.0.1:PORT
    api: str  # root + /dream-machine/v1: the provider's base URL
    fake: FakeLuma  # its state and stats


@contextlib.contextmanager
def running(options: FakeOptions | None = None, *, host: str = "127.0.0.1",
            app: Starlette | None = None) -> Iterator[RunningFake]:
    """Serve the fake on a free loopback port in a background thread for the duration of the block."""
    app = app or create_app(options)
    sock = loopback.bound(host, 0, what="fake Luma server")
    root = f"http://{host}:{sock.getsockname()[1]}"
    with loopback.in_thread(_config(app, "warning", access_log=False), sock, name="fake-luma"):
        yield RunningFake(root=root, api=root + PREFIX, fake=app.state.fake)
