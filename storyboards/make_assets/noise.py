"""Seeded noise, so that textures look random but come out the same on every run."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .canvas import SS, H, W


def noise2d(seed: int, cells: tuple[int, int], w: int = W, h: int = H) -> np.ndarray:
    """Smooth value noise in [0, 1]: a small random grid upscaled bicubically to the canvas."""
    small = np.random.default_rng(seed).random((cells[1], cells[0])).astype(np.float32)
    big = Image.fromarray(small).resize((w * SS, h * SS), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(big), 0.0, 1.0)


def layered_noise(*octaves: tuple[int, tuple[int, int], float]) -> np.ndarray:
    """A weighted sum of noise2d(seed, cells) over (seed, cells, weight): coarse shapes plus finer detail."""
    (seed, cells, weight), *rest = octaves
    total = noise2d(seed, cells) * weight
    for seed, cells, weight in rest:
        total = total + noise2d(seed, cells) * weight
    return total


def wave1d(seed: int, xs: np.ndarray, scale: float, octaves: int = 4) -> np.ndarray:
    """A smooth 1-D profile in about [-1, 1]: sines with seeded phases, halving amplitude per octave."""
    rng = np.random.default_rng(seed)
    out = np.zeros_like(xs, dtype=np.float64)
    amp, freq, total = 1.0, 1.0 / scale, 0.0
    for _ in range(octaves):
        out += amp * np.sin(xs * freq * 2 * np.pi + rng.uniform(0, 2 * np.pi))
        total += amp
        amp, freq = amp * 0.5, freq * 2.1
    return out / total
