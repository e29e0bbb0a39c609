"""AIgateway's job API behind the provider seam: `POST /v1/videos/generations` answered 202 with a job, polled at
`GET /v1/jobs/{id}` (queued | running | completed | failed | cancelled), the video at `result.file_url` (or the
seed's `result.url`), failures in `error {code, message}`.

A poll sooner than 3 s after the last one answers 304 Not Modified: the capabilities' `min_poll_s` keeps the
engine's poller slower than that, and a 304 that comes anyway (a retried poll) means "as you saw it last".
A 402 stops every later create of this run without asking again: no credit will not come back by itself.
"""

from __future__ import annotations

from ...errors import ProviderError
from .. import gateway
from ..base import JobStatus, ShotRequest
from ..jobs_http import Service
from .spec import MODEL_IDS, SPEC

SERVICE = Service(title="AIgateway", key_variable="AIGATEWAY_API_KEY", base_variable="AIGATEWAY_BASE_URL",
                  default_base_url="https://api.aigateway.sh/v1", fake_prefix="/aigateway/v1",
                  credit="add credit on the billing page of AIgateway's dashboard")
CREATE_PATH = "/videos/generations"
STATES = {"queued": "queued", "running": "dreaming", "processing": "dreaming", "completed": "completed",
          "failed": "failed", "cancelled": "failed", "canceled": "failed"}


class AigatewayProvider(gateway.GatewayProvider):
    """Ray 2 through AIgateway (paid): submit, status, fetch; it cannot list its jobs, so find_existing finds none."""

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid
    service = SERVICE

    def body(self, request: ShotRequest) -> dict:
        """The create body; a ProviderError for what this API cannot take (validation refuses it earlier)."""
        unsupported = [what for what, asked in (("a start keyframe", request.start is not None),
                                                 ("an end keyframe", request.end is not None),
                                                 ("a loop", request.loop), ("camera moves", bool(request.concepts)))
                       if asked]
        if request.model not in MODEL_IDS or unsupported:
            asked = ", ".join(unsupported) or f"the model {request.model}"
            raise ProviderError(f"AIgateway generates Ray 2 from text alone and cannot take {asked}: "
                                "see `pipeline providers`", shot_id=request.shot_id)
        return {"model": MODEL_IDS[request.model], "prompt": request.prompt, "duration": request.duration_s,
                "aspect_ratio": request.aspect_ratio}

    async def submit(self, request: ShotRequest) -> str:
        answer = await self._create(CREATE_PATH, self.body(request), shot_id=request.shot_id)
        job_id = str(answer.get("id") or "")
        if not job_id:
            raise ProviderError("AIgateway accepted the create but its answer has no job id; the job may exist: "
                                "check the jobs page of its dashboard", shot_id=request.shot_id)
        self._seen[job_id] = to_status(answer)
        return job_id

    async def status(self, job_id: str, *, shot_id: str | None = None) -> JobStatus:
        response = await self.client.get(f"/jobs/{job_id}", shot_id=shot_id, job_id=job_id)
        if response.status_code == 304:  # polled too soon: nothing changed since the last answer
            return self._seen.get(job_id) or JobStatus(state="queued")
        self._seen[job_id] = status = to_status(response.json())
        return status



def to_status(job: dict) -> JobStatus:
    """A job as the seam's JobStatus: the gateway's states in the engine's words, the video from either shape."""
    raw = str(job.get("status") or "unknown")
    result, error = job.get("result") or {}, job.get("error") or {}
    code = "cancelled" if raw in ("cancelled", "canceled") else error.get("code")
    reason = error.get("message") or code if STATES.get(raw) == "failed" else None
    return JobStatus(state=STATES.get(raw, raw), failure_reason=reason,
                     video_url=result.get("file_url") or result.get("url"),
                     extra={"failure_code": code, "status": raw, "created_at": job.get("created_at")})

