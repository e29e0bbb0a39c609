"""A shot as a list of cues (what each frame shows), and the frame each cue renders to.

Continuity rules the timing. The caption fades in after the first frame and out before the last, so a
clip's first and last frames are clean pictures even with captions burnt in, and a shot with an end
keyframe lands exactly on that picture. The end picture dissolves in while both pictures follow the
same camera move (see motion), and has the frame to itself for the last 15% of the shot. An extension
carries on its parent's move in the same picture (see framing) from the moment after its parent's last
frame, so a chain's cut shows every moment once and lasts exactly as long as its plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ..formats import FPS
from . import framing, text
from .framing import IDENTITY_VIEW, View
from .motion import Camera, Pose, ease
from .planes import Overlay, Source, blend

FADE_FRAMES = 12  # the caption's fade in and out: half a second
DISSOLVE = (0.15, 0.85)  # the part of the shot (0..1) over which the end picture dissolves in


@dataclass(frozen=True)
class Cue:
    start: View | None  # None once the end picture has the frame to itself
    end: View | None  # None while the end picture is not visible
    mix: float  # how far the dissolve to the end picture has gone, 0..1
    caption: float  # the caption's opacity, 0..1


def timeline(count: int, *, continues: bool) -> list[float]:
    """Each frame's progress through the shot, 0..1. A shot that continues its parent's move begins one
    frame into it: its parent's last frame already showed progress 0, and the cut shows each moment once."""
    if continues:
        return [(i + 1) / count for i in range(count)]
    return [i / (count - 1) for i in range(count)]


@dataclass(frozen=True)
class Film:
    """Everything needed to render any frame of a shot, shareable between threads."""

    start: Source
    end: Source | None
    overlay: Overlay | None

    def render(self, cue: Cue) -> list[bytes]:
        """The frame `cue` describes, as raw yuv420p planes."""
        frame = self.start.shoot(cue.start) if cue.start is not None else None
        if cue.end is not None:
            landed = self.end.shoot(cue.end)
            frame = landed if frame is None else blend(frame, landed, cue.mix)
        if cue.caption > 0:
            frame = self.overlay.apply(frame, cue.caption)
        return [plane.tobytes() for plane in frame]


def shoot(camera: Camera, progress: list[float], size: tuple[int, int], start: Source, first: View | None,
          end: Source | None, landing: View | None, *, band: Image.Image | None) -> tuple[Film, list[Cue]]:
    """The cues of a shot and the film that renders them. The start picture moves from `first` (None: a
    chain's first shot, framed to give its move room: framing.fit_start); the end picture, if any,
    dissolves in and lands on `landing` (None: where the start began, as a loop does). Both moves stay
    inside their pictures (framing.fit_move). `band` is the caption burnt in, if any."""
    count, fade = len(progress), max(1, min(FADE_FRAMES, len(progress) // 4))
    eased, seconds = [ease(u) for u in progress], [i / FPS for i in range(count)]
    mixes = [ease((u - DISSOLVE[0]) / (DISSOLVE[1] - DISSOLVE[0])) if end is not None else 0.0 for u in progress]
    shown, landing_in = [i for i in range(count) if mixes[i] < 1], [i for i in range(count) if mixes[i] > 0]

    def poses(frames: list[int], back: float) -> Callable[[float], list[Pose]]:
        return lambda amount: [camera.pose(amount * (eased[i] - back), seconds[i]) for i in frames]

    first = first or framing.fit_start(poses(shown, 0)(1.0), size, start.room)
    starts = dict(zip(shown, framing.fit_move(first, poses(shown, 0), size, start.room), strict=True))
    ends = dict(zip(landing_in, framing.fit_move(landing or first, poses(landing_in, 1), size, end.room),
                    strict=True)) if landing_in else {}
    cued = [Cue(starts.get(i), ends.get(i), mixes[i],
                min(1.0, i / fade, (count - 1 - i) / fade) if band is not None else 0.0) for i in range(count)]

    def ready(source: Source, views: dict[int, View]) -> Source:  # fine planes only for a picture that moves
        return source.moving() if any(v != IDENTITY_VIEW for v in views.values()) else source

    film = Film(ready(start, starts), ready(end, ends) if ends else None,
                Overlay.of(band, size[1] - band.height) if band is not None else None)
    return film, cued


def caption_band(shot_id: str, prompt: str | None, size: tuple[int, int]) -> Image.Image:
    """The burnt-in caption for a frame of `size`: a strip along the bottom, about 6% of its height."""
    height = max(16, round(size[1] * 0.06 / 2) * 2)
    return text.caption(shot_id, prompt, size[0], height)
