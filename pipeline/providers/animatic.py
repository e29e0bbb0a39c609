"""The offline, free provider: every shot is rendered locally by the animatic (pipeline.animatic)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from .. import formats
from ..errors import ProviderError
from .base import FailureKind, GenerationFailed, JobStatus, ShotRequest
from .capabilities import NEVER_EXPIRES, Capabilities, ImageInput, ModelCapabilities, ProviderSpec

# Every model and setting the storyboard offers: the animatic stands in for any of them, for free. An
# extension (either way) continues from the other clip's exact frame; both ends may be clips. Pinned
# keyframes are shown untouched at their frames, as many as the API that pins most takes.
ANY_MODEL = ModelCapabilities(extend_backward=True, interpolate=True, pinned_keyframes=64)
CAPABILITIES = Capabilities(
    paid=False, remote=False, models={model: ANY_MODEL for model in formats.MODELS},
    images=frozenset({ImageInput.LOCAL_FILE, ImageInput.PUBLIC_URL}), lists_jobs=False,
    result_url_ttl_s=NEVER_EXPIRES,  # a "fetch" renders from the request, whenever it is asked
    concurrency=2,  # renders take this machine's CPU
    render_options=("burn_in",),
    repeats_join_frame=False,  # an extension carries on from the moment after its parent's last frame
    renderer_version=2,  # 2: moves framed inside the picture, a chain's picture carried, no repeated join frame
    upscales=True)  # an upscale renders the shot again at the larger size (free)
SPEC = ProviderSpec(name="animatic", title="the animatic", summary="renders offline for free",
                    capabilities=CAPABILITIES, implementation="pipeline.providers.animatic:AnimaticProvider")


class AnimaticProvider:
    """Accepts at once and renders in `fetch`, in a worker thread so the event loop keeps polling others.

    Job ids derive from the shot key and nothing is kept between calls: `fetch` is handed the request, and
    the render is a pure function of it, so a resumed run (a new instance) fetches a journalled job alike.
    """

    name, title, summary, capabilities = SPEC.name, SPEC.title, SPEC.summary, SPEC.capabilities
    paid = capabilities.paid
    rehearsal = False  # nothing here is money

    def __init__(self, *, burn_in: bool = True):
        self.burn_in = burn_in

    async def submit(self, request: ShotRequest) -> str:
        return f"animatic-{request.key[:16]}"

    async def status(self, job_id: str) -> JobStatus:
        return JobStatus(state="completed")

    async def find_existing(self, request: ShotRequest, *, since: datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        return None  # nothing is paid for: an interrupted render is simply rendered again

    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        # Renders fail by raising in `fetch`, so a `failed` state is one this provider never reports.
        return GenerationFailed(f"the render failed ({status.failure_reason or 'no reason given'})",
                                kind=FailureKind.UNKNOWN, reason=status.failure_reason, shot_id=shot_id,
                                job_id=job_id)

    async def balance_usd(self) -> float | None:
        return None  # free: there is no account

    async def close(self) -> None:
        return None

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> None:
        import asyncio  # here, not at the top: planning and validation import this module and never wait

        from ..animatic import render_shot  # imported late: planning and validation never need Pillow work

        if status.state != "completed":
            raise ProviderError(f"cannot fetch a {status.state} render", shot_id=request.shot_id, job_id=job_id)
        await asyncio.to_thread(render_shot, request, Path(dest), burn_in=self.burn_in and request.caption)
