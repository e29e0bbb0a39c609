"""Luma Dream Machine (Ray 2) behind the provider seam.

    provider = LumaProvider()                        # LUMAAI_API_KEY, LUMAAI_BASE_URL
    job_id = await provider.submit(request)          # journal it at once; local keyframes carry their URLs
    status = await polling.until_done(provider, job_id)   # the engine's poller (pipeline.engine.polling)
    if status.state == "failed":
        raise provider.failure(status, shot_id=request.shot_id, job_id=job_id)
    info = await provider.fetch(job_id, status, request, dest)   # info.frames: what arrived

The HTTP details, retries and never-pay-twice live in client; pure request building in request;
what Luma's errors mean in errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

import httpx

from ... import formats
from ...errors import MediaError, ProviderError
from ...ffmpeg import MediaInfo
from .. import download as fetching
from ..base import GenerationFailed, JobStatus, ShotRequest
from .client import CREATE_PATH, DEFAULT_BASE_URL, LumaClient, RetryPolicy
from .errors import failure_error
from .request import request_body
from .spec import SPEC


class LumaProvider:
    """Luma's Dream Machine API v1 as a provider (paid): submit, status, fetch, find_existing, failure."""

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, create_path: str = CREATE_PATH,
                 retry: RetryPolicy | None = None, fetch_attempts: int = 3,
                 timeout: httpx.Timeout | float | None = None):
        self.client = LumaClient(api_key=api_key, base_url=base_url, transport=transport,
                                 create_path=create_path, retry=retry, timeout=timeout)
        self.fetch_attempts = fetch_attempts
        # Assets sit on a CDN: fetched by a second client that never carries the API key.
        self._downloads = httpx.AsyncClient(transport=transport, follow_redirects=True,
                                            timeout=httpx.Timeout(120.0, connect=10.0))

    def __repr__(self) -> str:
        return f"<LumaProvider {self.client.base_url}>"

    def body(self, request: ShotRequest) -> dict:
        """The create body for `request` (raises KeyframeURLError for a keyframe without a public URL)."""
        return request_body(request)

    async def submit(self, request: ShotRequest) -> str:
        if request.upscale_of is not None:
            upscaled = await self.client.upscale(request.upscale_of, request.resolution, shot_id=request.shot_id)
            return upscaled["id"]
        generation = await self.client.create(self.body(request), shot_id=request.shot_id)
        return generation["id"]

    async def find_existing(self, request: ShotRequest, *, since: dt.datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        """The id of a generation already made for `request` (not failed, not in `exclude`), e.g. by a run
        killed mid-create or one whose journal was lost."""
        found = await self.client.find(self.body(request), since=since, exclude=exclude)
        return found["id"] if found else None


    @property
    def rehearsal(self) -> bool:
        """Talking to another server than Luma's (the fake): what is counted there is not money."""
        return self.client.base_url != DEFAULT_BASE_URL

    async def status(self, job_id: str, *, shot_id: str | None = None) -> JobStatus:
        generation = await self.client.get(job_id, shot_id=shot_id)
        return to_status(generation)

    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        return failure_error(status.failure_reason, shot_id=shot_id, job_id=job_id)

    async def balance_usd(self) -> float | None:
        """The account's balance (GET /credits, in USD cents) in USD; None where the API has no /credits."""
        return await self.client.balance_usd()

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> MediaInfo:
        """Download the video to `dest`, verified; at least duration x 24 frames (an extension may also
        hold its parent's footage). The returned MediaInfo's `frames` is what actually arrived."""
        if status.state != "completed" or not status.video_url:
            raise ProviderError(f"the generation is {status.state} and has no video to fetch",
                                shot_id=request.shot_id, job_id=job_id)
        try:
            return await fetching.fetch_video(
                status.video_url, Path(dest), expected_frames=formats.frames_for(request.duration_s), at_least=True,
                client=self._downloads, attempts=self.fetch_attempts)
        except ProviderError as exc:
            raise ProviderError(str(exc), shot_id=request.shot_id, job_id=job_id,
                                retryable=exc.retryable) from exc
        except MediaError as exc:
            raise MediaError(f"shot {request.shot_id} (generation {job_id}): {exc}") from exc

    async def delete(self, job_id: str) -> None:
        await self.client.delete(job_id)

    async def close(self) -> None:
        await self.client.aclose()
        await self._downloads.aclose()

    async def __aenter__(self) -> LumaProvider:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def to_status(generation: dict) -> JobStatus:
    """A Luma Generation as the seam's JobStatus; created_at, thumbnail and the rest ride in `extra`."""
    assets = generation.get("assets") or {}
    extra = {"created_at": generation.get("created_at"), "model": generation.get("model"),
             "image": assets.get("image"), "progress_video": assets.get("progress_video")}
    return JobStatus(state=generation.get("state") or "unknown",
                     failure_reason=generation.get("failure_reason"),
                     video_url=assets.get("video"), extra=extra)
