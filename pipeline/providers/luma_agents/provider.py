"""Luma's Agents API (Ray 3.2) behind the provider seam.

    provider = LumaAgentsProvider()                  # LUMA_AGENTS_API_KEY, LUMA_BASE_URL
    job_id = await provider.submit(request)          # local keyframes are uploaded through the Files API
    status = await polling.until_done(provider, job_id)
    await provider.fetch(job_id, status, request, dest)   # an expired output URL is asked for again

Nothing here can list generations, so `find_existing` finds nothing and an ambiguous create fails closed
(MayExist; the engine then refuses to create the shot again until it is forgotten).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import mimetypes
from collections.abc import Collection
from pathlib import Path

import httpx

from ... import formats
from ...errors import MediaError, PipelineError, ProviderError
from ...ffmpeg import MediaInfo
from ...files import sha256_of
from .. import download as fetching
from ..base import GenerationFailed, ImageKeyframe, JobStatus, Keyframe, MayExist, NotCreated, ShotRequest
from ..luma.calls import RetryPolicy
from .client import DEFAULT_BASE_URL, AgentsClient
from .errors import OUT_OF_CREDIT, failure_error
from .request import FRAMES, image_ref, request_body
from .spec import SPEC

STATES = {"queued": "queued", "processing": "dreaming", "completed": "completed", "failed": "failed"}
EXPIRED_STATUSES = frozenset({403, 404})  # what a presigned URL answers once it has expired


class LumaAgentsProvider:
    """Luma's Agents API as a provider (paid): submit, status, fetch, failure; no job listing."""

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, retry: RetryPolicy | None = None,
                 fetch_attempts: int = 3, timeout: httpx.Timeout | float | None = None,
                 file_ready_timeout_s: float = 120.0):
        self.client = AgentsClient(api_key=api_key, base_url=base_url, transport=transport, retry=retry,
                                   timeout=timeout)
        self.fetch_attempts, self.file_ready_timeout_s = fetch_attempts, file_ready_timeout_s
        self._downloads = httpx.AsyncClient(transport=transport, follow_redirects=True,
                                            timeout=httpx.Timeout(120.0, connect=10.0))
        self._files: dict[str, str] = {}  # content digest -> file id: each file is uploaded once per run
        self._uploading: collections.defaultdict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self.out_of_credit = False  # set by a budget_exhausted failure: no create is sent after it

    def __repr__(self) -> str:
        return f"<LumaAgentsProvider {self.client.base_url}>"

    @property
    def rehearsal(self) -> bool:
        return self.client.base_url != DEFAULT_BASE_URL

    async def submit(self, request: ShotRequest) -> str:
        """The new generation's id. Any error but MayExist is NotCreated: nothing was made."""
        if self.out_of_credit:
            raise NotCreated(OUT_OF_CREDIT, shot_id=request.shot_id)
        try:
            refs = {name: await self._ref(getattr(request, end), request.shot_id) for name, end in FRAMES
                    if getattr(request, end) is not None}
            pinned = [await self._ref(k.image, request.shot_id) for k in request.keyframes]
            generation = await self.client.create(request_body(request, refs, pinned), shot_id=request.shot_id)
        except MayExist:
            raise
        except ProviderError as exc:
            raise NotCreated(exc.detail, shot_id=exc.shot_id or request.shot_id, retryable=exc.retryable) from exc
        except PipelineError as exc:
            raise NotCreated(str(exc), shot_id=request.shot_id) from exc
        return generation["id"]

    async def find_existing(self, request: ShotRequest, *, since: dt.datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        return None  # the API has no list of generations (capabilities.lists_jobs is False)

    async def status(self, job_id: str, *, shot_id: str | None = None) -> JobStatus:
        return to_status(await self.client.get(job_id, shot_id=shot_id))

    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        code = status.extra.get("failure_code")
        self.out_of_credit = self.out_of_credit or code == "budget_exhausted"
        return failure_error(code, status.failure_reason, shot_id=shot_id, job_id=job_id)

    async def balance_usd(self) -> float | None:
        return None  # no balance endpoint is documented for this API

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> MediaInfo:
        """Download the video to `dest`, verified. Output URLs expire an hour after they are made: one that
        has (403/404), or a status without one, is asked for again with a fresh GET of the generation."""
        if status.state != "completed":
            raise ProviderError(f"the generation is {status.state} and has no video to fetch",
                                shot_id=request.shot_id, job_id=job_id)
        try:
            if status.video_url:
                try:
                    return await self._download(status.video_url, request, dest)
                except ProviderError as exc:
                    if fetching.http_status(exc) not in EXPIRED_STATUSES:
                        raise
            fresh = await self.status(job_id, shot_id=request.shot_id)
            if not fresh.video_url:
                raise ProviderError("the generation is completed but Luma gives no video URL for it: run again "
                                    "later", retryable=True)
            return await self._download(fresh.video_url, request, dest)
        except ProviderError as exc:
            raise ProviderError(str(exc), shot_id=request.shot_id, job_id=job_id, retryable=exc.retryable) from exc
        except MediaError as exc:
            raise MediaError(f"shot {request.shot_id} (generation {job_id}): {exc}") from exc

    async def _download(self, url: str, request: ShotRequest, dest: Path) -> MediaInfo:
        return await fetching.fetch_video(url, Path(dest), expected_frames=formats.frames_for(request.duration_s),
                                          at_least=True, client=self._downloads, attempts=self.fetch_attempts)

    async def _ref(self, keyframe: Keyframe, shot_id: str) -> dict:
        if isinstance(keyframe, ImageKeyframe) and keyframe.path is not None and not keyframe.url:
            return image_ref(keyframe, shot_id=shot_id, file_id=await self.upload(keyframe, shot_id=shot_id))
        return image_ref(keyframe, shot_id=shot_id)

    async def upload(self, keyframe: ImageKeyframe, *, shot_id: str | None = None) -> str:
        """The id of `keyframe`'s file on Luma, uploaded (create, PUT, complete, ready) once per content."""
        path = Path(keyframe.path)
        digest = keyframe.digest or await asyncio.to_thread(sha256_of, path)
        async with self._uploading[digest]:
            if digest not in self._files:
                self._files[digest] = await self._upload(path, shot_id)
            return self._files[digest]

    async def _upload(self, path: Path, shot_id: str | None) -> str:
        data = await asyncio.to_thread(path.read_bytes)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        created = await self.client.create_file(mime_type=mime, size_bytes=len(data), filename=path.name,
                                                shot_id=shot_id)
        await self.client.put_upload(created["upload"], data, shot_id=shot_id)
        answer = await self.client.complete_file(created["id"], shot_id=shot_id)
        return await self._until_ready(answer, path, shot_id)

    async def _until_ready(self, file: dict, path: Path, shot_id: str | None) -> str:
        loop = asyncio.get_running_loop()
        deadline, wait = loop.time() + self.file_ready_timeout_s, 0.2
        while file.get("state") == "pending" and loop.time() < deadline:
            await asyncio.sleep(wait)
            wait = min(wait * 2, 5.0)
            file = await self.client.get_file(file["id"], shot_id=shot_id)
        if file.get("state") == "ready":
            return file["id"]
        if file.get("state") == "pending":
            raise ProviderError(f"Luma has not taken the keyframe {path.name} after {self.file_ready_timeout_s:g} s: "
                                "resume the run later", shot_id=shot_id, retryable=True)
        why = file.get("failure_reason") or file.get("state")
        raise ProviderError(f"Luma refused the keyframe {path.name} ({why}): use another image (a PNG, JPEG or "
                            "WebP)", shot_id=shot_id)

    async def close(self) -> None:
        await self.client.aclose()
        await self._downloads.aclose()

    async def __aenter__(self) -> LumaAgentsProvider:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def to_status(generation: dict) -> JobStatus:
    """A Generation as the seam's JobStatus: processing is the engine's dreaming; the first video output's URL."""
    state = generation.get("state") or "unknown"
    video = next((o.get("url") for o in generation.get("output") or () if o.get("type") == "video"), None)
    extra = {"created_at": generation.get("created_at"), "model": generation.get("model"),
             "failure_code": generation.get("failure_code")}
    return JobStatus(state=STATES.get(state, state), failure_reason=generation.get("failure_reason"),
                     video_url=video, extra=extra)
