"""What both short-film pictures are built from: the lighthouse, its beams, and rocks in the sea."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .canvas import Canvas, Color, grid, rgba_from
from .gradients import cylinder_facing
from .noise import wave1d
from .shapes import profile_polygon, rect

DARK = (30, 28, 40, 255)     # ironwork
W_BASE, W_TOP = 40.0, 26.0   # the tower's half widths


@dataclass(frozen=True)
class Profile:
    """The top edge of a silhouette, for standing things on it."""

    xs: np.ndarray
    ys: np.ndarray

    def at(self, x: float) -> float:
        return float(np.interp(x, self.xs, self.ys))


def rock_mass(c: Canvas, seed: int, x0: float, x1: float, top: float, bottom: float,
              color: Color, rim: Color | None, roughness: float = 18.0, reflect: bool = False,
              power: float = 0.6) -> Profile:
    """A rocky hump from x0 to x1 rising from the waterline `bottom` to about `top`; returns its profile.
    With reflect, a dark blurred reflection lies on the water beneath it."""
    xs = np.linspace(x0, x1, 260)
    hump = np.sin(np.clip((xs - x0) / (x1 - x0), 0, 1) * math.pi) ** power
    ys = bottom - (bottom - top) * hump + roughness * hump ** 0.3 * wave1d(seed, xs, 90, 5)
    ys = np.minimum(ys, bottom)
    if reflect:
        mirror = bottom + (bottom - ys) * 0.45
        c.poly(profile_polygon(xs, mirror, bottom - 2), (*color, 150), blur=5)
    c.poly(profile_polygon(xs, ys, bottom), (*color, 255))
    if rim is not None:
        c.line(list(zip(xs.tolist(), (ys + 1.2).tolist(), strict=True)), (*rim, 110), 2.0, blur=0.8)
    return Profile(xs, ys)


def lighthouse(c: Canvas, x: float, base: float, top: float, lit_from_left: bool, night: bool,
               beams: Sequence[float]) -> None:
    """A tapered white tower with red bands, gallery, glowing lantern and dome; beams at the given
    angles (degrees, 0 = to the right, 180 = to the left)."""
    c.im.alpha_composite(lighthouse_tower(x, base, top, lit_from_left, night))
    for k in (0.4, 0.75):                                   # small windows up the tower
        wy = top + (base - top) * k
        c.poly(rect(x - 3, wy, x + 3, wy + 9), (255, 210, 120, 255))
    gallery(c, x, top)
    for b in beams:                      # beams first, so the lantern sits on top of them
        beam(c, x, top - 26, b, night)
    lantern(c, x, top, night)


def lighthouse_tower(x: float, base: float, top: float, lit_from_left: bool, night: bool) -> Image.Image:
    """The tower shaded as a tapering cylinder; moonlit blue at night, warm at dusk."""
    gx, gy = grid()
    t = np.clip((gy - top) / (base - top), 0, 1)
    u = (gx - x) / (W_TOP + (W_BASE - W_TOP) * t)
    inside = (np.abs(u) <= 1) & (gy >= top) & (gy <= base)
    side = -u if lit_from_left else u
    lum = np.clip(0.25 + 0.55 * (0.6 * cylinder_facing(u) + 0.5 * side), 0.08, 1)
    band = np.zeros_like(gy, dtype=bool)
    h = base - top
    for k in (0.18, 0.52):
        band |= (gy >= top + h * k) & (gy <= top + h * (k + 0.16))
    albedo = np.where(band[..., None], np.array([178, 40, 36], np.float32),
                      np.array([236, 228, 220], np.float32))
    tint = np.array([0.55, 0.6, 0.85] if night else [1.0, 0.8, 0.85], np.float32)
    return rgba_from(lum[..., None] * albedo * tint, inside.astype(np.float32))


def gallery(c: Canvas, x: float, top: float) -> None:
    """The balcony round the lantern: a deck, railing posts and a top rail."""
    c.poly(rect(x - W_TOP - 9, top, x + W_TOP + 9, top - 5), DARK)
    for k in range(-4, 5):
        c.line([(x + k * 7.5, top - 5), (x + k * 7.5, top - 16)], DARK, 1.2)
    c.line([(x - W_TOP - 9, top - 16), (x + W_TOP + 9, top - 16)], DARK, 1.5)


def lantern(c: Canvas, x: float, top: float, night: bool) -> None:
    """Its glow, the lit glass with the lamp and glazing bars, and the dome with its vent."""
    lan_top = top - 44
    c.ellipse([x - 70, top - 96, x + 70, top + 44], (255, 220, 140, 90 if night else 70), blur=18)
    c.poly(rect(x - 18, top - 5, x + 18, lan_top), (255, 236, 170, 255))
    c.ellipse([x - 10, top - 34, x + 10, top - 14], (255, 255, 235, 255), blur=2)
    for k in (-18, -6, 6, 18):
        c.line([(x + k, top - 5), (x + k, lan_top)], DARK, 1.6)
    c.poly([(x - 22, lan_top), (x + 22, lan_top), (x + 12, lan_top - 12), (x, lan_top - 16), (x - 12, lan_top - 12)],
           (120, 30, 30, 255) if not night else (60, 24, 30, 255))
    c.line([(x, lan_top - 16), (x, lan_top - 26)], DARK, 1.5)


def beam(c: Canvas, x: float, y: float, angle: float, night: bool) -> None:
    """A narrow wedge of light from the lantern, fading with distance (more slowly in the dark)."""
    length = 1100.0
    spread = math.radians(4.5)
    a = math.radians(angle)
    p1 = (x + length * math.cos(a - spread), y - length * math.sin(a - spread))
    p2 = (x + length * math.cos(a + spread), y - length * math.sin(a + spread))
    lay, pen = c.layer()
    pen.polygon([(x, y), p1, p2], (255, 236, 180, 255))
    gx, gy = grid()
    fall = np.exp(-np.hypot(gx - x, gy - y) / (520 if night else 380)) * (0.55 if night else 0.38)
    alpha = np.asarray(lay.getchannel("A"), np.float32) * fall
    lay.putalpha(Image.fromarray(alpha.astype(np.uint8)))
    c.put(lay, blur=5)
