"""Turn a planned shot into the ShotRequest a provider generates from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ..plan import PlannedShot, pinned
from ..providers.base import GenerationKeyframe, ImageKeyframe, Keyframe, PinnedKeyframe, ShotRequest
from ..storyboard.checks import is_url
from ..storyboard.load import Project
from ..storyboard.model import NONE


@dataclass(frozen=True)
class Generated:
    """A finished generation: the provider's job id and the local clip."""

    job_id: str
    clip: Path


def shot_request(project: Project, planned: PlannedShot, done: dict[str, Generated], *,
                 caption: bool = True) -> ShotRequest:
    """The request for `planned`; the shots it depends on must be in `done` already."""
    shot, board = planned.shot, project.board
    return ShotRequest(
        shot_id=planned.id, key=planned.key, model=planned.look.model if planned.look else board.model,
        resolution=planned.look.resolution if planned.look else board.resolution,
        aspect_ratio=board.aspect_ratio, duration_s=shot.duration or board.duration, prompt=shot.prompt,
        concepts=shot.concepts, loop=shot.loop if shot.loop is not None else board.loop,
        start=_keyframe(project, shot.start, planned.parent, done),
        end=_keyframe(project, shot.end, planned.end_ref, done),
        keyframes=tuple(PinnedKeyframe(frame, _keyframe(project, image, None, done)) for frame, image in pinned(shot)),
        caption=caption,
    )


def _keyframe(project: Project, ref: object, shot_id: str | None, done: dict[str, Generated]) -> Keyframe | None:
    if shot_id is not None:
        return GenerationKeyframe(shot_id=shot_id, job_id=done[shot_id].job_id, clip=done[shot_id].clip)
    if not isinstance(ref, str) or ref == NONE:
        return None
    if is_url(ref):
        return ImageKeyframe(url=ref)
    return ImageKeyframe(path=project.file(ref), digest=project.digests.get(ref))  # published at submit time


def request_digest(request: ShotRequest) -> str:
    """What the provider is asked, without which shot asks it: equal for two shots with the same words, so
    their creates take turns and neither adopts the other's generation."""
    asked = {name: value for name, value in asdict(request).items() if name not in ("shot_id", "key", "caption")}
    for end in ("start", "end"):
        if isinstance(asked[end], dict):
            asked[end] = {k: v for k, v in asked[end].items() if k not in ("shot_id", "clip")}
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()[:32]
