"""Serving an output folder on loopback: the page (rebuilt on each load, so a reload shows progress), its
thumbnails, and the cut. Starlette's static files answer HTTP Range requests, which <video> needs to seek."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import loopback
from ..errors import PipelineError
from ..layout import Layout
from .fmt import esc

Rebuild = Callable[[], Path]  # writes the page again and returns its path (e.g. a call of preview.build)
PAGE_PATH = "/preview/"
NO_STORE = {"Cache-Control": "no-store"}


def create_app(out_dir: Path, rebuild: Rebuild | None = None) -> Starlette:
    """The app: / redirects to the page; everything else is a file of `out_dir`."""
    page = Layout(Path(out_dir)).preview_page
    lock = threading.Lock()  # two tabs reloading at once must not write the same thumbnails together

    def fresh() -> Path:
        with lock:
            return rebuild() if rebuild else page

    async def show(request: Request) -> Response:
        try:
            path = await run_in_threadpool(fresh)
        except PipelineError as exc:  # e.g. the storyboard was saved with a mistake: say so, keep serving
            return HTMLResponse(_problem_page(str(exc)), status_code=500, headers=NO_STORE)
        return FileResponse(path, media_type="text/html; charset=utf-8", headers=NO_STORE)

    return Starlette(routes=[
        Route("/", lambda request: RedirectResponse(PAGE_PATH)),
        Route(PAGE_PATH, show), Route(PAGE_PATH + "index.html", show),
        Mount("/", StaticFiles(directory=Path(out_dir))),
    ])


def _problem_page(message: str) -> str:
    return ("<!doctype html><meta charset=utf-8><title>preview: a problem</title><body style=\"background:#0f1114;"
            "color:#e7e9ec;font:15px/1.5 system-ui,sans-serif;padding:32px\"><h1 style=\"font-size:18px\">"
            "The preview could not be rebuilt</h1><pre style=\"white-space:pre-wrap;color:#f0a39c\">"
            f"{esc(message)}</pre><p>Fix it and reload this page.</p>")


def serve(out_dir: Path, *, host: str = "127.0.0.1", port: int = 0, rebuild: Rebuild | None = None,
          ready: Callable[[str], None] = lambda url: None) -> None:
    """Serve until interrupted (Ctrl-C returns). `ready(url)` is called with the page's address once the
    port is listening (port 0 picks a free one), before requests are answered: the CLI prints it there."""
    sock = loopback.bound(host, port, what="preview")
    ready(_url(host, sock))
    loopback.serve_until_interrupted(_config(create_app(out_dir, rebuild)), sock)


@contextlib.contextmanager
def running(out_dir: Path, *, host: str = "127.0.0.1", rebuild: Rebuild | None = None) -> Iterator[str]:
    """Serve `out_dir` on a free port in a background thread for the block; yields the page's URL."""
    sock = loopback.bound(host, 0, what="preview")
    with loopback.in_thread(_config(create_app(out_dir, rebuild)), sock, name="preview"):
        yield _url(host, sock)


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")


def _url(host: str, sock: socket.socket) -> str:
    return f"http://{host}:{sock.getsockname()[1]}{PAGE_PATH}"
