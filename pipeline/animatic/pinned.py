"""A shot with pinned keyframes: each picture shown untouched at its frame, dissolving into the next between.

The pictures hold still (a camera move would take a pinned frame off its picture), frames before the first
pin show the first picture and frames after the last show the last. A pin at the grid's end (frame
duration x FPS, one past the clip's last frame) lands on the last frame; two pins on one frame: the later
wins. The caption fades out at every pin, so each pinned frame is its picture alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats import FPS
from ..providers.base import ShotRequest
from . import keyframes, lineage
from .film import FADE_FRAMES, Cue, Film, caption_band
from .framing import IDENTITY_VIEW
from .motion import ease
from .planes import Overlay, Source


@dataclass(frozen=True)
class PinnedFilm:
    """Renders (segment, cue): segment k dissolves picture k into picture k+1 (the last holds its picture)."""

    films: tuple[Film, ...]

    def render(self, cued: tuple[int, Cue]) -> list[bytes]:
        segment, cue = cued
        return self.films[segment].render(cue)


def plan(request: ShotRequest, size: tuple[int, int], burn_in: bool) -> tuple[PinnedFilm, list, str]:
    """(film, per-frame cues, lineage tag of the last frame) of a shot with request.keyframes."""
    count = request.duration_s * FPS
    by_frame = {min(k.frame, count - 1): k.image for k in sorted(request.keyframes, key=lambda k: k.frame)}
    frames = sorted(by_frame)
    stills = [keyframes.pinned_still(by_frame[f], request.shot_id) for f in frames]
    sources = [Source.of(still.picture, size, cover=True) for still in stills]
    band = caption_band(request.shot_id, request.prompt, size) if burn_in else None
    overlay = Overlay.of(band, size[1] - band.height) if band is not None else None
    films = tuple(Film(source, sources[k + 1] if k + 1 < len(sources) else None, overlay)
                  for k, source in enumerate(sources))
    cued = [_cue(i, frames, count, caption=band is not None) for i in range(count)]
    return PinnedFilm(films), cued, lineage.tag(stills[-1].origin, IDENTITY_VIEW, size)


def _cue(i: int, frames: list[int], count: int, *, caption: bool) -> tuple[int, Cue]:
    fade = max(1, min(FADE_FRAMES, count // 4))
    opacity = min(1.0, i / fade, (count - 1 - i) / fade, *(abs(i - f) / fade for f in frames)) if caption else 0.0
    if i <= frames[0]:
        return 0, Cue(IDENTITY_VIEW, None, 0.0, opacity)
    if i >= frames[-1]:
        return len(frames) - 1, Cue(IDENTITY_VIEW, None, 0.0, opacity)
    k = max(n for n, f in enumerate(frames) if f <= i)
    if i == frames[k]:
        return k, Cue(IDENTITY_VIEW, None, 0.0, opacity)
    mix = ease((i - frames[k]) / (frames[k + 1] - frames[k]))
    return k, Cue(IDENTITY_VIEW, IDENTITY_VIEW, mix, opacity)
