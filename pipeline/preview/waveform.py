"""The music bed under the preview's timeline: its waveform as the cut plays it (from its offset, looped or
ended, at its volume) and the beats the cuts snap to, drawn as one SVG the width of the timeline."""

from __future__ import annotations

import functools

import numpy as np

from .. import ffmpeg
from ..errors import MediaError
from ..music.grid import Grid
from ..storyboard.load import Project

RATE, BINS = 2000, 600  # samples a second read for the drawing; columns across the timeline


def peaks(project: Project, seconds: float) -> list[float] | None:
    """The bed's loudest sample in each of BINS columns over `seconds` of the cut, 0..1; None without a bed
    (or one that cannot be read: the cut's own checks say why)."""
    music = project.board.audio
    if music is None or seconds <= 0:
        return None
    path = project.file(music.path)
    try:
        found = path.stat()
        return list(_peaks(str(path), found.st_mtime_ns, found.st_size, music.offset, music.loop, music.volume,
                           round(seconds, 3)))
    except (OSError, MediaError):
        return None


@functools.lru_cache(maxsize=8)  # a live page is rebuilt at every event of a run; the bed rarely changes
def _peaks(path: str, _mtime: int, _size: int, offset: float, loop: bool, volume: float,
           seconds: float) -> tuple[float, ...]:
    sound = ffmpeg.mono_samples(path, RATE)[round(offset * RATE):]
    need = max(BINS, round(seconds * RATE))
    if loop and len(sound):
        sound = np.tile(sound, -(-need // len(sound)))
    heard = np.abs(np.pad(sound[:need], (0, max(0, need - len(sound))))) * volume
    return tuple(float(min(1.0, c.max(initial=0.0))) for c in np.array_split(heard, BINS))


def svg(levels: list[float], seconds: float, beats: Grid | None) -> str:
    """The waveform as mirrored bars and, where the film cuts to the beats, a line at each beat (longer at a
    downbeat)."""
    bars = " ".join(f"M{x} {50 - 48 * v:.1f}V{50 + 48 * v:.1f}" for x, v in enumerate(levels) if v > 0.004)
    lines = []
    if beats is not None:
        down = set(beats.downbeats)
        for t in beats.beats:
            if t < seconds:
                x, tall = BINS * t / seconds, t in down
                lines.append(f'<line class="{"downbeat" if tall else "beat"}" x1="{x:.2f}" x2="{x:.2f}" '
                             f'y1="{0 if tall else 20}" y2="{100 if tall else 80}"/>')
    return (f'<svg class="wave" viewBox="0 0 {BINS} 100" preserveAspectRatio="none" aria-label="music bed">'
            f'<path d="{bars}"/>{"".join(lines)}</svg>')
