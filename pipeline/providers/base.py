"""The provider seam: submit a shot, poll its status, fetch its video.

The run engine journals the job id that `submit` returns before it waits on anything, so a run killed at any
instant resumes by polling that job instead of paying for a new one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ImageKeyframe:
    """A still image: a local file (path) and/or a public URL the provider can fetch."""

    path: Path | None = None
    url: str | None = None


@dataclass(frozen=True)
class GenerationKeyframe:
    """Another shot's generation: its provider job id and, once fetched, its local clip."""

    shot_id: str
    job_id: str | None = None
    clip: Path | None = None


Keyframe = ImageKeyframe | GenerationKeyframe


@dataclass(frozen=True)
class ShotRequest:
    """Everything a provider needs to generate one shot; built by the planner from the storyboard."""

    shot_id: str
    key: str
    model: str
    resolution: str
    aspect_ratio: str
    duration_s: int
    prompt: str | None = None
    concepts: tuple[str, ...] = ()
    loop: bool = False
    start: Keyframe | None = None
    end: Keyframe | None = None
    caption: bool = True  # the animatic burns in the shot id and prompt unless told not to


@dataclass(frozen=True)
class JobStatus:
    state: str  # queued | dreaming | completed | failed
    failure_reason: str | None = None
    video_url: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state in ("completed", "failed")


class Provider(Protocol):
    name: str
    paid: bool

    async def submit(self, request: ShotRequest) -> str:
        """Start generating; return the provider's job id as soon as the provider has accepted the job."""

    async def status(self, job_id: str) -> JobStatus:
        """The job's current state."""

    async def fetch(self, job_id: str, status: JobStatus, request: ShotRequest, dest: Path) -> None:
        """Write the finished video to `dest` whole (temp file, then rename) or raise."""

    async def find_existing(self, request: ShotRequest, *, since: datetime | None = None,
                            exclude: Collection[str] = ()) -> str | None:
        """The job already made for `request` (since `since`, if given), not failed and not in `exclude` (jobs
        other shots hold), or None: a create whose answer was lost, or a journal that was lost."""

    async def balance_usd(self) -> float | None:
        """The account's balance where the provider reports one (None otherwise): read before and after a run."""

    async def close(self) -> None:
        """Release connections."""
