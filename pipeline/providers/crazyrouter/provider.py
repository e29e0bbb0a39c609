"""Crazyrouter's Luma route behind the provider seam: `POST /luma/generations` (or `/luma/generations/{id}/extend`
to continue a task), polled at `GET /luma/generations/{id}` -> `{state: queued|dreaming|completed|failed,
video: {url, download_url}}`. It cannot list its tasks, so an ambiguous create fails closed (jobs_http).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

import httpx

from ...errors import ProviderError
from ...ffmpeg import MediaInfo
from .. import gateway
from ..base import GenerationFailed, JobStatus, NotCreated, ShotRequest
from ..jobs_http import JobClient, OutOfCredit, RetryPolicy, Service
from .request import create_path_and_body
from .spec import SPEC

SERVICE = Service(title="Crazyrouter", key_variable="CRAZYROUTER_API_KEY", base_variable="CRAZYROUTER_BASE_URL",
                  default_base_url="https://crazyrouter.com", fake_prefix="/crazyrouter",
                  credit="top up the account's balance on Crazyrouter's dashboard")
STATES = {"pending": "queued", "queued": "queued", "processing": "dreaming", "dreaming": "dreaming",
          "completed": "completed", "failed": "failed"}


class CrazyrouterProvider:
    """Ray 2 through Crazyrouter (paid): submit (create or extend), status, fetch; find_existing finds none."""

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, retry: RetryPolicy | None = None,
                 fetch_attempts: int = 3, timeout: httpx.Timeout | float | None = None):
        self.client = JobClient(SERVICE, api_key=api_key, base_url=base_url, transport=transport, retry=retry,
                                timeout=timeout)
        self.fetch_attempts = fetch_attempts
        self._downloads = gateway.downloads(transport)
        self._out_of_credit: OutOfCredit | None = None

    def __repr__(self) -> str:
        return f"<CrazyrouterProvider {self.client.base_url}>"

    @property
    def rehearsal(self) -> bool:
        return self.client.rehearsal

    async def submit(self, request: ShotRequest) -> str:
        if self._out_of_credit is not None:  # no credit will not come back by itself during a run
            raise NotCreated(f"{self._out_of_credit.detail}; this create was not sent, since an "
                                "earlier one was refused for want of credit", shot_id=request.shot_id)
        path, body = create_path_and_body(request)
        try:
            answer = await self.client.create(path, body, shot_id=request.shot_id)
        except OutOfCredit as exc:
            self._out_of_credit = exc
            raise
        task_id = str(answer.get("id") or answer.get("task_id") or "")
        if not task_id:
            raise ProviderError("Crazyrouter accepted the create but its answer has no task id; the task may "
                                "exist: check its dashboard", shot_id=request.shot_id)
        return task_id

    async def status(self, job_id: str, *, shot_id: str | None = None) -> JobStatus:
        response = await self.client.get(f"/luma/generations/{job_id}", shot_id=shot_id, job_id=job_id)
        return to_status(response.json())

    async def find_existing(self, request: ShotRequest, *, since: dt.datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        return None  # no list endpoint: the engine fails closed instead

    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        return gateway.failure_error(self.title, status, shot_id=shot_id, job_id=job_id)

    async def balance_usd(self) -> float | None:
        return None  # no balance endpoint is documented for this route

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> MediaInfo:
        return await gateway.fetch(self._downloads, job_id, status, request, dest, attempts=self.fetch_attempts)

    async def close(self) -> None:
        await self.client.aclose()
        await self._downloads.aclose()

    async def __aenter__(self) -> CrazyrouterProvider:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def to_status(task: dict) -> JobStatus:
    """A task as the seam's JobStatus; the video from `video.url`, else `video.download_url`."""
    raw = str(task.get("state") or "unknown")
    video = task.get("video") or {}
    state = STATES.get(raw, raw)
    reason = task.get("failure_reason") or task.get("fail_reason") if state == "failed" else None
    return JobStatus(state=state, failure_reason=reason, video_url=video.get("url") or video.get("download_url"),
                     extra={"created_at": task.get("created_at"), "state": raw})
