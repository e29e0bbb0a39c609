"""A shot as a list of cues (what each frame shows), and the frame each cue renders to.

Continuity rules the timing. The caption fades in after the first frame and out before the last, so a
clip's first and last frames are clean pictures even with captions burnt in: an extension that starts
from its parent's decoded last frame does not inherit the parent's caption, and a shot with an end
keyframe lands exactly on that picture. The end picture dissolves in while both pictures follow the
same camera move (see motion), and has the frame to itself for the last 15% of the shot.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from ..formats import FPS
from . import text
from .motion import Camera, Pose, ease, reach
from .planes import Overlay, Picture, Source, blend

FADE_FRAMES = 12  # the caption's fade in and out: half a second
DISSOLVE = (0.15, 0.85)  # the part of the shot (0..1) over which the end picture dissolves in


@dataclass(frozen=True)
class Cue:
    start: Pose
    end: Pose | None  # None while the end picture is not visible
    mix: float  # how far the dissolve to the end picture has gone, 0..1
    caption: float  # the caption's opacity, 0..1


def cues(camera: Camera, count: int, *, ending: bool, captioned: bool) -> list[Cue]:
    """One cue per frame of a `count`-frame shot (count >= 2)."""
    fade = max(1, min(FADE_FRAMES, count // 4))
    made = []
    for i in range(count):
        u = i / (count - 1)
        s, seconds = ease(u), i / FPS
        mix = ease((u - DISSOLVE[0]) / (DISSOLVE[1] - DISSOLVE[0])) if ending else 0.0
        end = camera.pose(s - 1, seconds) if mix > 0 else None
        opacity = min(1.0, i / fade, (count - 1 - i) / fade) if captioned else 0.0
        made.append(Cue(camera.pose(s, seconds) if mix < 1 else Pose(), end, mix, opacity))
    return made


@dataclass(frozen=True)
class Film:
    """Everything needed to render any frame of a shot, shareable between threads."""

    start: Source
    end: Source | None
    overlay: Overlay | None

    @classmethod
    def of(cls, cued: list[Cue], size: tuple[int, int], start: Picture, end: Picture | None,
           band: Image.Image | None) -> Film:
        """Prepare the pictures with just the margin their poses in `cued` look into."""
        def source(picture: Picture, poses: list[Pose]) -> Source:
            moves = any(not pose.is_identity for pose in poses)
            return Source.of(picture, size, reach(poses, *size), moves=moves)
        ends = [c.end for c in cued if c.end is not None]
        return cls(source(start, [c.start for c in cued]),
                   source(end, ends) if end is not None and ends else None,
                   Overlay.of(band, size[1] - band.height) if band is not None else None)

    def render(self, cue: Cue) -> list[bytes]:
        """The frame `cue` describes, as raw yuv420p planes."""
        frame = self.start.shoot(cue.start) if cue.mix < 1 else None
        if cue.end is not None:
            landed = self.end.shoot(cue.end)
            frame = landed if frame is None else blend(frame, landed, cue.mix)
        if cue.caption > 0:
            frame = self.overlay.apply(frame, cue.caption)
        return [plane.tobytes() for plane in frame]


def caption_band(shot_id: str, prompt: str | None, size: tuple[int, int]) -> Image.Image:
    """The burnt-in caption for a frame of `size`: a strip along the bottom, about 6% of its height."""
    height = max(16, round(size[1] * 0.06 / 2) * 2)
    return text.caption(shot_id, prompt, size[0], height)
