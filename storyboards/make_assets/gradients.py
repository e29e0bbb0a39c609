"""Colour ramps, soft lights and grades, computed on whole float canvases with numpy."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .canvas import SS, Color, grid


def ramp(values: np.ndarray, stops: Sequence[tuple[float, Color]]) -> np.ndarray:
    """Map `values` through a piecewise-linear colour ramp; returns float32 (..., 3)."""
    pos = [p for p, _ in stops]
    out = np.empty(values.shape + (3,), np.float32)
    for c in range(3):
        out[..., c] = np.interp(values, pos, [col[c] for _, col in stops])
    return out


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def cylinder_facing(u: np.ndarray) -> np.ndarray:
    """How squarely a cylinder's surface faces the camera, across it from u = -1 to 1."""
    return np.sqrt(np.clip(1 - u ** 2, 0, 1))


def glow(arr: np.ndarray, cx: float, cy: float, r: float, color: Color, strength: float = 1.0,
         squash: float = 1.0) -> None:
    """Add a soft gaussian light to a float canvas in place (squash < 1 flattens it vertically)."""
    gx, gy = grid(arr.shape[1] // SS, arr.shape[0] // SS)
    d2 = ((gx - cx) / r) ** 2 + ((gy - cy) / (r * squash)) ** 2
    arr += np.exp(-d2)[..., None] * (np.array(color, np.float32) * strength)


def light_column(x: float, top: float, width: float, depth: float, color: Color) -> np.ndarray:
    """Light to add below `top` around x: a low sun's raking light on the ground, or its glow on water."""
    gx, gy = grid()
    return (np.exp(-((gx - x) / width) ** 2) * np.exp(-(gy - top) / depth))[..., None] * \
        np.array(color, np.float32)


def above_horizon(horizon: float, sky: np.ndarray, below: np.ndarray) -> np.ndarray:
    """Sky above the horizon line, `below` (ground or sea) under it."""
    return np.where((grid()[1] < horizon)[..., None], sky, below)


def vignette(strength: float, power: float = 2.0) -> Callable[[np.ndarray], np.ndarray]:
    """A grade that darkens towards the corners, applied at delivered size."""
    def grade(a: np.ndarray) -> np.ndarray:
        h, w = a.shape[:2]
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        d = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
        return a * (1 - strength * d ** power)[..., None]
    return grade
