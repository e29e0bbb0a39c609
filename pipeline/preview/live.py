"""A served page that keeps up with a run in this process or another: the output folder is the source of truth.

On each look (a few times a second while a page is open) the server stats what a run changes (the journal
and its write-ahead log, the clips folder, the cut, assembly.json, final.srt) and the files the page was made
from (the storyboard and its keyframes, footage and music). When any of them moved it rebuilds the page once,
whatever the number of open pages, and each page's event stream sends the new pieces (shot states and rows
with their thumbnails, the player for a new cut, problems and notes) as a server-sent event; page.js puts them
in place without a reload. A look that finds nothing changed costs a dozen stat calls.

A rebuild that fails with a PipelineError (a storyboard saved with a mistake) is sent as a `problem` event:
the page shows it above the player and keeps what it had, the last good cut included.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..errors import PipelineError
from ..layout import Layout

LOOK_S = 0.25  # how often an open page's stream looks for changes
HEARTBEAT_S = 10.0  # a comment line this often keeps proxies and the browser from closing a quiet stream
STREAM_S = 60.0  # a stream ends after this and the browser reconnects at once (it says where it was):
#                  so a server shutting down never waits long on an open page
RETRY_MS = 500  # how soon the browser reconnects


@dataclass(frozen=True)
class Event:
    id: int
    name: str  # update | problem
    data: dict

    def encoded(self) -> str:
        return f"id: {self.id}\nevent: {self.name}\ndata: {json.dumps(self.data, ensure_ascii=False)}\n\n"


class Live:
    """The latest state of one output folder's page, rebuilt when what it shows has changed.

    `rebuild` writes the page and returns a preview.Built (or raises PipelineError); without one the page is
    served as it is on disk and nothing is sent.
    """

    def __init__(self, out_dir: Path, rebuild: Callable[[], object] | None):
        self.layout, self.rebuild = Layout(Path(out_dir)), rebuild
        self.lock = threading.Lock()  # two pages looking at once must not write the same thumbnails together
        self.sources: tuple[Path, ...] = ()
        self.seen: tuple | None = None
        self.latest: Event | None = None
        self.good = False  # a rebuild has succeeded at least once: index.html is a page worth showing
        self.closing = threading.Event()  # the server is stopping: streams end

    def watched(self) -> tuple[Path, ...]:
        folder = self.layout
        wal = folder.journal.with_name(folder.journal.name + "-wal")
        return (folder.journal, wal, folder.clips, folder.cut, folder.assembly_report, folder.captions,
                *self.sources)

    def signature(self) -> tuple:
        marks = []
        for path in self.watched():
            try:
                info = path.stat()
                marks.append((info.st_mtime_ns, info.st_size))
            except OSError:
                marks.append(None)
        return tuple(marks)

    def look(self) -> Event | None:
        """The latest event, after rebuilding the page if anything it shows has changed since the last look."""
        with self.lock:
            if self.rebuild is None:
                return None
            before = self.signature()
            if before == self.seen and self.latest is not None:
                return self.latest
            try:
                built = self.rebuild()
                self.good = True
                named, data = "update", {**built.update, "built_at": time.time()}
                if tuple(built.sources) != self.sources:
                    self.sources = tuple(built.sources)
                    before = self.signature()  # now with the files this build was made from
            except PipelineError as exc:
                named, data = "problem", {"message": str(exc)}
            except OSError as exc:  # e.g. a folder removed under a run: say it, and look again next time
                named, data = "problem", {"message": f"the output folder could not be read: {exc}"}
            self.seen = before
            self.latest = Event((self.latest.id + 1) if self.latest else 1, named, data)
            return self.latest


async def stream(live: Live, request: Request) -> AsyncIterator[str]:
    """One page's event stream: the latest event at once (unless the browser says it has it), then each new
    one as it comes."""
    told = request.headers.get("last-event-id")
    yield f"retry: {RETRY_MS}\n\n"
    started = quiet = time.monotonic()
    while time.monotonic() - started < STREAM_S and not live.closing.is_set():
        if await request.is_disconnected():
            return
        event = await run_in_threadpool(live.look)
        if event is not None and str(event.id) != told:
            told, quiet = str(event.id), time.monotonic()
            yield event.encoded()
        elif time.monotonic() - quiet > HEARTBEAT_S:
            quiet = time.monotonic()
            yield ": still here\n\n"
        await asyncio.sleep(LOOK_S)
