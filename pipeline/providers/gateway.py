"""What the gateway providers share beyond HTTP (jobs_http): the provider's frame (GatewayProvider: its job
client, no create after a refusal for want of credit, failures, downloads, closing), reading a failed job, and
fetching its video.

A gateway passes Luma's own failure reasons on (or words of its own), so a failure is read as Luma's would be
(luma.errors), plus the gateway's codes for moderation and cancellation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import ClassVar

import httpx

from .. import formats
from ..errors import MediaError, ProviderError
from ..ffmpeg import MediaInfo
from ..secrets import redact
from . import download as fetching
from .base import FailureKind, GenerationFailed, JobStatus, NotCreated, ShotRequest
from .jobs_http import JobClient, OutOfCredit, RetryPolicy, Service
from .luma.errors import PERMANENT_FAILURES, TRANSIENT_FAILURES

MODERATION_CODES = ("content_policy", "content_moderated", "moderation", "safety", "nsfw")
CANCELLED = "cancelled"


class GatewayProvider:
    """A gateway's provider, less what its API says differently (`submit`, `status`): a subclass sets `service`
    and the spec's fields. Gateways cannot list their jobs, so find_existing finds none: the engine fails closed."""

    service: ClassVar[Service]

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, retry: RetryPolicy | None = None,
                 fetch_attempts: int = 3, timeout: httpx.Timeout | float | None = None):
        self.client = JobClient(self.service, api_key=api_key, base_url=base_url, transport=transport, retry=retry,
                                timeout=timeout)
        self.fetch_attempts = fetch_attempts
        self._downloads = downloads(transport)
        self._out_of_credit: OutOfCredit | None = None
        self._seen: dict[str, JobStatus] = {}  # each job's last status: what a 304 Not Modified means

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.client.base_url}>"

    @property
    def rehearsal(self) -> bool:
        return self.client.rehearsal

    async def _create(self, path: str, body: dict, *, shot_id: str) -> dict:
        """POST a job; after a refusal for want of credit, no later create of the run is sent (credit will not
        come back by itself)."""
        if self._out_of_credit is not None:
            raise NotCreated(f"{self._out_of_credit.detail}; this create was not sent, since an earlier one was "
                             "refused for want of credit", shot_id=shot_id)
        try:
            return await self.client.create(path, body, shot_id=shot_id)
        except OutOfCredit as exc:
            self._out_of_credit = exc
            raise

    async def find_existing(self, request: ShotRequest, *, since: dt.datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        return None  # no list endpoint: the engine fails closed instead

    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        return failure_error(self.title, status, shot_id=shot_id, job_id=job_id)

    async def balance_usd(self) -> float | None:
        return None  # no balance endpoint is documented

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> MediaInfo:
        return await fetch(self._downloads, job_id, status, request, dest, attempts=self.fetch_attempts)

    async def close(self) -> None:
        await self.client.aclose()
        await self._downloads.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def failure_error(title: str, status: JobStatus, *, shot_id: str | None, job_id: str | None) -> GenerationFailed:
    """Refused when the same input will fail again (moderation, Luma's permanent reasons) or the job was
    cancelled (someone meant it); retryable for Luma's known transient reasons; unknown (retried too) else."""
    reason = redact(status.failure_reason)
    code = str(status.extra.get("failure_code") or "").lower()
    text = f"{code} {reason or ''}".lower()
    if code == CANCELLED:
        return GenerationFailed(f"the job was cancelled on {title}: run again to generate the shot anew (with an "
                                "estimate)", kind=FailureKind.REFUSED, reason=reason, shot_id=shot_id, job_id=job_id)
    permanent = next((words for known, words in PERMANENT_FAILURES.items() if known in text), None)
    if permanent or any(c in text for c in MODERATION_CODES):
        words = (permanent or f"{title}'s moderation refused the shot: reword the prompt").replace("Luma", title)
        return GenerationFailed(f"{words} ({title} said: {reason})", kind=FailureKind.REFUSED, reason=reason,
                                shot_id=shot_id, job_id=job_id)
    kind = FailureKind.RETRYABLE if any(t in text for t in TRANSIENT_FAILURES) else FailureKind.UNKNOWN
    return GenerationFailed(f"the generation failed on {title}'s side ({reason or 'no reason given'}): this is "
                            "usually transient, and the shot will be generated again", kind=kind, reason=reason,
                            shot_id=shot_id, job_id=job_id)


def downloads(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The client for result URLs: they sit on a CDN or are signed, so it never carries the API key."""
    return httpx.AsyncClient(transport=transport, follow_redirects=True, timeout=httpx.Timeout(120.0, connect=10.0))


async def fetch(client: httpx.AsyncClient, job_id: str, status: JobStatus, request: ShotRequest, dest: Path, *,
                attempts: int) -> MediaInfo:
    """Download the job's video to `dest`, verified: at least duration x 24 frames (an extension may also hold
    its parent's footage)."""
    if status.state != "completed" or not status.video_url:
        raise ProviderError(f"the job is {status.state} and has no video to fetch", shot_id=request.shot_id,
                            job_id=job_id)
    try:
        return await fetching.fetch_video(status.video_url, Path(dest), expected_frames=formats.frames_for(
            request.duration_s), at_least=True, client=client, attempts=attempts)
    except ProviderError as exc:
        raise ProviderError(str(exc), shot_id=request.shot_id, job_id=job_id, retryable=exc.retryable) from exc
    except MediaError as exc:
        raise MediaError(f"shot {request.shot_id} (job {job_id}): {exc}") from exc
