"""The provider seam: submit a shot, poll its status, fetch its video; and what a failed job means.

The run engine journals the job id that `submit` returns before it waits on anything, so a run killed at any
instant resumes by polling that job instead of paying for a new one. Each provider reads its own failures
(`failure`), so the engine decides on a kind (retryable, refused, unknown), never on one provider's words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Protocol

from ..errors import ProviderError
from .capabilities import Capabilities


@dataclass(frozen=True)
class ImageKeyframe:
    """A still image: a local file (path) and/or a public URL the provider can fetch."""

    path: Path | None = None
    url: str | None = None  # for a local file: set at submit time by the asset store (maybe signed: never kept)
    digest: str | None = None  # sha256 of a local file's content: where a content-addressed store keeps it


@dataclass(frozen=True)
class GenerationKeyframe:
    """Another shot's generation: its provider job id and, once fetched, its local clip."""

    shot_id: str
    job_id: str | None = None
    clip: Path | None = None


Keyframe = ImageKeyframe | GenerationKeyframe


@dataclass(frozen=True)
class PinnedKeyframe:
    """An image the video shows at one frame inside the shot: `frame` on the FPS grid, 0..duration x FPS."""

    frame: int
    image: ImageKeyframe


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
    keyframes: tuple[PinnedKeyframe, ...] = ()  # in frame order; never with start, end or loop
    caption: bool = True  # the animatic burns in the shot id and prompt unless told not to
    upscale_of: str | None = None  # the job id of a finished generation to upscale to `resolution` instead


@dataclass(frozen=True)
class JobStatus:
    state: str  # queued | dreaming | completed | failed
    failure_reason: str | None = None
    video_url: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state in ("completed", "failed")


class FailureKind(StrEnum):
    RETRYABLE = "retryable"  # the same request may well succeed: generate it again
    REFUSED = "refused"  # the input was refused and will be again: change the storyboard
    UNKNOWN = "unknown"  # the provider gave no reason we know


class GenerationFailed(ProviderError):
    """A job that ended `failed`, classified by its provider. Unknown reasons are retried like retryable
    ones (a failed generation is refunded, and the engine bounds the tries); refused ones never are."""

    def __init__(self, message: str, *, kind: FailureKind, reason: str | None = None,
                 shot_id: str | None = None, job_id: str | None = None):
        super().__init__(message, shot_id=shot_id, job_id=job_id, retryable=kind is not FailureKind.REFUSED)
        self.kind, self.reason = kind, reason


class NotCreated(ProviderError):
    """A create that certainly made nothing (refused outright, no credit, or never sent): nothing was made or
    charged, so the engine journals the attempt as failed rather than as an intent that may have made a job
    (which, on a provider that cannot list its jobs, would stop the shot until it is forgotten)."""


class MayExist(ProviderError):
    """A create was sent and its answer lost, on a provider that cannot list its jobs: the (paid) generation may
    exist, so nothing is sent again for the shot without the user's word (`pipeline forget`)."""


class Provider(Protocol):
    name: ClassVar[str]  # the key in the registry, the storyboard's `provider:` and --provider
    title: ClassVar[str]  # how messages call it
    summary: ClassVar[str]  # one line for the schema and --help
    capabilities: ClassVar[Capabilities]
    paid: ClassVar[bool]  # capabilities.paid

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


    def failure(self, status: JobStatus, *, shot_id: str | None = None,
                job_id: str | None = None) -> GenerationFailed:
        """The error for a job that ended `failed`, with its kind and a message that names the next step."""

    @property
    def rehearsal(self) -> bool:
        """True when talking to a stand-in server (the fake), so that what it counts is not money."""

    async def balance_usd(self) -> float | None:
        """The account's balance as the provider reports it, in USD; None when it keeps none."""

    async def close(self) -> None:
        """Release connections."""
