"""Serving a preview on loopback: the page (rebuilt when a run changed what it shows), its event stream
(live), its thumbnails and captions, and the cut with the files beside it that the page links to. Nothing else
of the output folder is served (not the journal, not the clips). FileResponse answers HTTP Range requests,
which <video> needs to seek."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import loopback
from ..errors import PipelineError
from ..layout import Layout
from . import review
from .fmt import esc
from .live import Live, stream
from .review import Reviewer

Rebuild = Callable[[], object]  # writes the page again and returns a preview.Built (e.g. a call of preview.refresh)
PAGE_PATH = "/preview/"
NO_STORE = {"Cache-Control": "no-store"}
GRACE_S = 2  # a server told to stop closes open event streams after this


def create_app(out_dir: Path, rebuild: Rebuild | None = None, reviewer: Reviewer | None = None) -> Starlette:
    """The app: / redirects to the page; the page's files; with a `reviewer`, the review page (/review/);
    404 for anything else in the folder."""
    layout = Layout(Path(out_dir))
    live = Live(layout.root, rebuild)

    async def show(request: Request) -> Response:
        event = await run_in_threadpool(live.look)
        if event is not None and event.name == "problem" and not (live.good and layout.preview_page.is_file()):
            return HTMLResponse(_problem_page(event.data["message"]), status_code=500, headers=NO_STORE)
        if not layout.preview_page.is_file():
            return HTMLResponse(_problem_page("there is no page here yet"), status_code=404, headers=NO_STORE)
        # the last good page: its stream says at once what is wrong now (a storyboard saved with a mistake)
        return FileResponse(layout.preview_page, media_type="text/html; charset=utf-8", headers=NO_STORE)

    async def events(request: Request) -> Response:
        return StreamingResponse(stream(live, request), media_type="text/event-stream", headers=NO_STORE)

    def side_file(path: Path) -> Callable[[Request], Response]:
        def send(request: Request) -> Response:
            if not path.is_file():
                return Response("not made yet", status_code=404)
            return FileResponse(path, headers=NO_STORE)
        return send

    captions = layout.preview / "captions.vtt"
    app = Starlette(routes=[
        Route("/", lambda request: RedirectResponse(PAGE_PATH)),
        Route(PAGE_PATH, show), Route(PAGE_PATH + "index.html", show), Route(PAGE_PATH + "events", events),
        Route(PAGE_PATH + captions.name, side_file(captions)),
        Mount(PAGE_PATH + "thumbs", StaticFiles(directory=layout.preview / "thumbs", check_dir=False)),
        *(Route("/" + path.name, side_file(path)) for path in layout.side_files),
        *(review.routes(reviewer) if reviewer else ()),
    ])
    app.state.live = live
    return app


def _problem_page(message: str) -> str:
    return ("<!doctype html><meta charset=utf-8><title>preview: a problem</title><body style=\"background:#0f1114;"
            "color:#e7e9ec;font:15px/1.5 system-ui,sans-serif;padding:32px\"><h1 style=\"font-size:18px\">"
            "The preview could not be rebuilt</h1><pre style=\"white-space:pre-wrap;color:#f0a39c\">"
            f"{esc(message)}</pre><p>Fix it: this page reloads itself when the preview is rebuilt.</p>"
            '<script>new EventSource("events").addEventListener("update", () => location.reload());</script>')


def serve(out_dir: Path, *, host: str = "127.0.0.1", port: int = 0, rebuild: Rebuild | None = None,
          ready: Callable[[str], None] = lambda url: None, reviewer: Reviewer | None = None) -> None:
    """Serve until interrupted (Ctrl-C returns). `ready(url)` is called with the page's address once the
    port is listening (port 0 picks a free one), before requests are answered: the CLI prints it there."""
    with contextlib.suppress(KeyboardInterrupt), running(out_dir, host=host, port=port, rebuild=rebuild,
                                                         reviewer=reviewer) as url:
        ready(url)
        while True:  # the server runs in its thread; Ctrl-C lands here, and open pages' streams are closed
            time.sleep(3600)


@contextlib.contextmanager
def running(out_dir: Path, *, host: str = "127.0.0.1", port: int = 0, rebuild: Rebuild | None = None,
            reviewer: Reviewer | None = None) -> Iterator[str]:
    """Serve `out_dir` in a background thread for the block (port 0: a free one); yields the page's URL."""
    sock = loopback.bound(_loopback(host), port, what="preview")
    app = create_app(out_dir, rebuild, reviewer)
    with loopback.in_thread(_config(app), sock, name="preview"):
        try:
            yield _url(host, sock)
        finally:
            app.state.live.closing.set()  # open event streams end now, so the server stops at once


def _loopback(host: str) -> str:
    """The page shows a storyboard's prompts and the cut: it is served to this machine only."""
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise PipelineError(f"the preview is served on loopback only (127.0.0.1), not on {host}")


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                          timeout_graceful_shutdown=GRACE_S)


def _url(host: str, sock: socket.socket) -> str:
    return f"http://{host}:{sock.getsockname()[1]}{PAGE_PATH}"
