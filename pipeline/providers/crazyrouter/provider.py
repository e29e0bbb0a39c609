"""Crazyrouter's Luma route behind the provider seam: `POST /luma/generations` (or `/luma/generations/{id}/extend`
to continue a task), polled at `GET /luma/generations/{id}` -> `{state: queued|dreaming|completed|failed,
video: {url, download_url}}`. It cannot list its tasks, so an ambiguous create fails closed (jobs_http).
"""

from __future__ import annotations

from ...errors import ProviderError
from .. import gateway
from ..base import JobStatus, ShotRequest
from ..jobs_http import Service
from .request import create_path_and_body
from .spec import SPEC

SERVICE = Service(title="Crazyrouter", key_variable="CRAZYROUTER_API_KEY", base_variable="CRAZYROUTER_BASE_URL",
                  default_base_url="https://crazyrouter.com", fake_prefix="/crazyrouter",
                  credit="top up the account's balance on Crazyrouter's dashboard")
STATES = {"pending": "queued", "queued": "queued", "processing": "dreaming", "dreaming": "dreaming",
          "completed": "completed", "failed": "failed"}


class CrazyrouterProvider(gateway.GatewayProvider):
    """Ray 2 through Crazyrouter (paid): submit (create or extend), status, fetch; find_existing finds none."""

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid
    service = SERVICE

    async def submit(self, request: ShotRequest) -> str:
        path, body = create_path_and_body(request)
        answer = await self._create(path, body, shot_id=request.shot_id)
        task_id = str(answer.get("id") or answer.get("task_id") or "")
        if not task_id:
            raise ProviderError("Crazyrouter accepted the create but its answer has no task id; the task may "
                                "exist: check its dashboard", shot_id=request.shot_id)
        return task_id

    async def status(self, job_id: str, *, shot_id: str | None = None) -> JobStatus:
        response = await self.client.get(f"/luma/generations/{job_id}", shot_id=shot_id, job_id=job_id)
        return to_status(response.json())



def to_status(task: dict) -> JobStatus:
    """A task as the seam's JobStatus; the video from `video.url`, else `video.download_url`."""
    raw = str(task.get("state") or "unknown")
    video = task.get("video") or {}
    state = STATES.get(raw, raw)
    reason = task.get("failure_reason") or task.get("fail_reason") if state == "failed" else None
    return JobStatus(state=state, failure_reason=reason, video_url=video.get("url") or video.get("download_url"),
                     extra={"created_at": task.get("created_at"), "state": raw})
