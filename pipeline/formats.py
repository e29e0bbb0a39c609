"""Frame sizes, rates and durations the pipeline renders and assembles at."""

from __future__ import annotations

from fractions import Fraction

FPS = 24
MODELS = ("ray-2", "ray-flash-2", "ray-3.2")  # every model some provider offers (each says which in its spec)
RESOLUTIONS = {"360p": 360, "540p": 540, "720p": 720, "1080p": 1080, "4k": 2160}
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21")
DURATIONS_S = (5, 9, 10)


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """(width, height) with the short side at the resolution's height, both even (yuv420p needs it)."""
    short = RESOLUTIONS[resolution]
    w, h = (int(x) for x in aspect_ratio.split(":"))
    ratio = Fraction(max(w, h), min(w, h))
    long = round(short * ratio / 2) * 2
    return (long, short) if w >= h else (short, long)


def frames_for(seconds: float) -> int:
    """Whole frames at FPS for a duration in seconds (durations are planned in frames, not seconds)."""
    return round(seconds * FPS)
