"""The offline, free provider: every shot is rendered locally by the animatic (pipeline.animatic)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from ..errors import ProviderError
from .base import JobStatus, ShotRequest


class AnimaticProvider:
    """Accepts at once and renders in `fetch`, in a worker thread so the event loop keeps polling others.

    Job ids derive from the shot key and nothing is kept between calls: `fetch` is handed the request, and
    the render is a pure function of it, so a resumed run (a new instance) fetches a journalled job alike.
    """

    name = "animatic"
    paid = False

    def __init__(self, *, burn_in: bool = True):
        self.burn_in = burn_in

    async def submit(self, request: ShotRequest) -> str:
        return f"animatic-{request.key[:16]}"

    async def status(self, job_id: str) -> JobStatus:
        return JobStatus(state="completed")

    async def find_existing(self, request: ShotRequest, *, since: datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        return None  # nothing is paid for: an interrupted render is simply rendered again

    async def balance_usd(self) -> float | None:
        return None

    async def close(self) -> None:
        return None

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> None:
        from ..animatic import render_shot  # imported late: planning and validation never need Pillow work

        if status.state != "completed":
            raise ProviderError(f"cannot fetch a {status.state} render", shot_id=request.shot_id, job_id=job_id)
        await asyncio.to_thread(render_shot, request, Path(dest), burn_in=self.burn_in and request.caption)
