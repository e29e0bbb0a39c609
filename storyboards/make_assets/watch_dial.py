"""The watch's face: a cream dial with applied gold indices, small seconds, blued hands and a crystal."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .canvas import Pen, rgba_from, soften
from .gradients import ramp
from .shapes import centred_box
from .watch_parts import LIGHT, R_DIAL, WX, WY, hand_at

INK = (58, 48, 40, 255)
BLUED = (28, 40, 92, 255)
SUB = (0.0, 70.0)          # the small seconds' centre, from the watch centre
SUB_R = 34.0


def add_dial(lay: Image.Image, R: np.ndarray, A: np.ndarray) -> None:
    """Draw the face onto a case layer from watch_case() (R, A from polar())."""
    lay.alpha_composite(dial(R, A))
    pen = Pen(lay)
    minute_track(pen)
    indices(pen)
    small_seconds(pen)
    dauphine(pen, 304, 86, 7.5)      # hour hand at 10:08, the catalogue time
    dauphine(pen, 48, 128, 6.5)      # minute hand
    pen.ellipse(centred_box(WX, WY, 6), fill=BLUED)
    pen.ellipse(centred_box(WX, WY, 2), fill=(200, 170, 100, 255))
    lay.alpha_composite(softbox_sheen(lay.size))
    lay.alpha_composite(rim_glint(lay.size))


def dial(R: np.ndarray, A: np.ndarray) -> Image.Image:
    """Cream, a touch darker towards the rim, with a faint sunburst."""
    rgb = ramp(R, [(0, (244, 236, 214)), (R_DIAL * 0.8, (236, 224, 196)), (R_DIAL, (206, 190, 156))])
    rgb *= (1 + 0.025 * np.cos(2 * (A - LIGHT)))[..., None]
    return rgba_from(rgb, (R <= R_DIAL).astype(np.float32))


def minute_track(pen: Pen) -> None:
    for rr in (R_DIAL - 10, R_DIAL - 20):
        pen.ellipse(centred_box(WX, WY, rr), outline=INK, width=0.8)
    for m in range(60):
        if m % 5:
            pen.line([hand_at(m * 6, R_DIAL - 20), hand_at(m * 6, R_DIAL - 10)], INK, 0.9)


def indices(pen: Pen) -> None:
    """Applied gold bars (a double bar at twelve), each with a dark shadow edge."""
    for h in range(12):
        if h == 6:
            continue                                           # the small seconds sits there
        ang = h * 30
        a = math.radians(ang)
        for off in (-4.5, 4.5) if h == 0 else (0,):
            ox, oy = off * math.cos(a), off * math.sin(a)
            p0 = hand_at(ang, R_DIAL - 24, (ox, oy))
            p1 = hand_at(ang, R_DIAL - 52, (ox, oy))
            pen.line([(p0[0] + 1.2, p0[1] + 1.5), (p1[0] + 1.2, p1[1] + 1.5)], (120, 100, 70, 160), 5.5)
            pen.line([p0, p1], (176, 134, 60, 255), 5)
            pen.line([p0, p1], (250, 222, 150, 255), 1.6)


def small_seconds(pen: Pen) -> None:
    pen.ellipse(centred_box(WX, WY + SUB[1], SUB_R), fill=(230, 218, 190, 255), outline=INK, width=0.9)
    for s in range(0, 60, 5):
        pen.line([hand_at(s * 6, SUB_R - 7, SUB), hand_at(s * 6, SUB_R - 1, SUB)], INK, 0.9)
    pen.line([hand_at(200, 6, SUB), hand_at(20, SUB_R - 3, SUB)], BLUED, 1.6)
    pen.ellipse(centred_box(WX, WY + SUB[1], 3), fill=BLUED)


def dauphine(pen: Pen, angle: float, length: float, width: float) -> None:
    """A faceted dauphine hand with its shadow on the dial; one facet catches the light."""
    spread = math.degrees(math.atan2(width, length * 0.28))
    reach = math.hypot(width, length * 0.28)
    base, tip = hand_at(angle + 180, 18), hand_at(angle, length)
    mid_l, mid_r = hand_at(angle - spread, reach), hand_at(angle + spread, reach)
    pen.polygon([(x + 3, y + 4) for x, y in (base, mid_l, tip, mid_r)], (90, 74, 56, 110))
    pen.polygon([base, mid_l, tip], (44, 58, 122, 255))
    pen.polygon([base, tip, mid_r], BLUED)


def softbox_sheen(size: tuple[int, int]) -> Image.Image:
    """The reflection of a softbox in the crystal: a diagonal band across its upper left."""
    band = Image.new("L", size, 0)
    Pen(band).polygon([(WX - 200, WY - 20), (WX - 20, WY - 200), (WX + 20, WY - 200), (WX - 200, WY + 20)], 40)
    disc = Image.new("L", size, 0)
    Pen(disc).ellipse(centred_box(WX, WY, R_DIAL), fill=255)
    band = Image.fromarray((np.asarray(band, np.float32) * np.asarray(disc) / 255).astype(np.uint8))
    sheen = Image.new("RGBA", size, (255, 255, 250, 0))
    sheen.putalpha(band)
    return soften(sheen, 4)


def rim_glint(size: tuple[int, int]) -> Image.Image:
    """A bright soft arc where the crystal's edge catches the light."""
    glint = Image.new("RGBA", size, (0, 0, 0, 0))
    Pen(glint).arc(centred_box(WX, WY, R_DIAL - 6), 200, 260, (255, 255, 250, 150), 3)
    return soften(glint, 6)
