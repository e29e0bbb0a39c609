"""Shapes more than one picture uses: boxes, silhouettes, stars and streaks of cloud."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .canvas import Canvas, Point, W


def rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    """The four corners of an axis-aligned rectangle, as a polygon."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def centred_box(x: float, y: float, rx: float, ry: float | None = None) -> list[float]:
    """The bounding box of an ellipse (or circle) centred on (x, y)."""
    ry = rx if ry is None else ry
    return [x - rx, y - ry, x + rx, y + ry]


def profile_polygon(xs: np.ndarray, ys: np.ndarray, bottom: float) -> list[Point]:
    """A silhouette polygon: the top edge (xs, ys), closed down to y=bottom."""
    pts = list(zip(xs.tolist(), ys.tolist(), strict=True))
    return [(float(xs[0]), bottom), *pts, (float(xs[-1]), bottom)]


def stars(c: Canvas, seed: int, count: int, y_max: float, fade_to: float) -> None:
    """Stars of a few sizes, fading out as they near the glow of the horizon at y = fade_to."""
    rng = np.random.default_rng(seed)
    lay, pen = c.layer()
    for _ in range(count):
        x, y = rng.uniform(0, W), rng.uniform(0, y_max) ** 1.0
        a = int(230 * (1 - y / fade_to) * rng.uniform(0.3, 1.0))
        if a <= 10:
            continue
        r = rng.choice([0.6, 0.8, 1.1, 1.5], p=[0.45, 0.3, 0.18, 0.07])
        pen.ellipse(centred_box(x, y, r), fill=(255, 250, 240, a))
    c.put(lay)


def cloud_streaks(rng: np.random.Generator, count: int, heights: tuple[float, float],
                  lengths: tuple[float, float], thicknesses: tuple[float, float],
                  ) -> Iterator[tuple[float, float, float, float, float]]:
    """Where to put long thin clouds: (cx, cy, half length, half thickness, warmth). Warmth runs from 0 at
    the top of the band to 1 at its bottom, nearest the sun below the horizon. The caller may draw more
    numbers from rng between clouds; the sequence stays the same from run to run."""
    top, bottom = heights
    for _ in range(count):
        cx, cy = rng.uniform(-100, 1380), rng.uniform(top, bottom)
        w, h = rng.uniform(*lengths), rng.uniform(*thicknesses)
        yield cx, cy, w, h, np.clip((cy - top) / (bottom - top), 0, 1)
