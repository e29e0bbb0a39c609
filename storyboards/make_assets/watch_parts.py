"""The watch's strap and case, each drawn flat (seen from straight above) on a padded transparent layer.

The layers are larger than the frame by PAD on every side, so that tilting them in perspective never
brings an edge into view.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .canvas import SS, H, Pen, Point, W, pixel_centres, rgba_from
from .gradients import cylinder_facing, ramp, smoothstep
from .noise import noise2d
from .shapes import centred_box

PAD = 400
PADDED = (W + 2 * PAD, H + 2 * PAD)     # layer size, in delivered units
WX, WY = W / 2 + PAD, H / 2 + PAD       # watch centre in padded coordinates
R_CASE, R_BEZEL, R_DIAL = 178.0, 170.0, 146.0
LIGHT = math.radians(-40)                # key light from the upper left


def centred_grid() -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates of a padded layer, relative to the watch centre."""
    gx, gy = pixel_centres(*PADDED)
    return gx - WX, gy - WY


def polar() -> tuple[np.ndarray, np.ndarray]:
    """Radius and angle (clockwise from 12 o'clock) of every pixel of a padded layer."""
    gx, gy = centred_grid()
    return np.hypot(gx, gy), np.arctan2(gx, -gy)


def hand_at(angle_deg: float, radius: float, offset: tuple[float, float] = (0, 0)) -> Point:
    """The point `radius` out from the centre (moved by offset) at a clock angle in degrees."""
    a = math.radians(angle_deg)
    return (WX + offset[0] + radius * math.sin(a), WY + offset[1] - radius * math.cos(a))


def gold(t: np.ndarray) -> np.ndarray:
    return ramp(t, [(0.0, (70, 44, 14)), (0.35, (150, 108, 44)), (0.65, (214, 172, 86)),
                    (0.88, (250, 226, 156)), (1.0, (255, 246, 210))])


def empty_layer() -> Image.Image:
    return Image.new("RGBA", (PADDED[0] * SS, PADDED[1] * SS), (0, 0, 0, 0))


def strap_half_width(y: np.ndarray) -> np.ndarray:
    return 66 - 8 * smoothstep(200, 700, np.abs(y))           # tapers away from the case


def watch_strap() -> Image.Image:
    """Brown leather strap, both halves, rounded across its width, with stitching and holes."""
    gx, gy = centred_grid()
    v = gx / strap_half_width(gy)
    inside = (np.abs(v) <= 1) & (np.abs(gy) < 820)
    grain = noise2d(51, (200, 300), *PADDED)
    shade = 0.55 + 0.45 * cylinder_facing(v) + 0.08 * (grain - 0.5)
    rgb = shade[..., None] * np.array([110, 62, 34], np.float32)
    rgb = np.where((np.abs(v) > 0.9)[..., None], rgb * 0.6, rgb)          # darker edges
    lay = rgba_from(rgb, inside.astype(np.float32))
    strap_details(Pen(lay))
    return lay


def strap_details(pen: Pen) -> None:
    """Stitching in short dashes along both edges, and holes in the lower strap."""
    for sign in (-1, 1):
        for y in np.arange(-780, 780, 13.0):
            if abs(y) < R_CASE - 10:
                continue
            x = WX + sign * (float(strap_half_width(np.array(y))) - 9)
            pen.line([(x, WY + y), (x, WY + y + 7)], (214, 186, 140, 230), 1.6)
    for y in (470, 510, 550):
        pen.ellipse(centred_box(WX, WY + y, 6), fill=(30, 14, 8, 255))
        pen.arc(centred_box(WX, WY + y, 6), 20, 160, (150, 96, 60, 255), 1)


def watch_case(R: np.ndarray, A: np.ndarray) -> Image.Image:
    """Lugs and crown, then the case and bezel in polished gold over them (R, A from polar())."""
    lay = empty_layer()
    pen = Pen(lay)
    lugs(pen)
    crown(pen)
    lay.alpha_composite(case_metal(R, A))
    return lay


def lugs(pen: Pen) -> None:
    for sx in (-1, 1):
        for sy in (-1, 1):
            x0, x1 = WX + sx * 52, WX + sx * 78
            y0, y1 = WY + sy * 130, WY + sy * 212
            box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
            pen.rounded_rectangle(box, 8, (196, 154, 74, 255) if sx < 0 else (150, 110, 46, 255))
            pen.line([(box[0] + 4, box[1] + 4), (box[0] + 4, box[3] - 4)], (250, 226, 160, 255), 2)


def crown(pen: Pen) -> None:
    """The winding crown at three o'clock, with its knurling."""
    pen.rounded_rectangle([WX + R_CASE - 6, WY - 20, WX + R_CASE + 22, WY + 20], 5, (170, 128, 56, 255))
    for k in range(-16, 17, 5):
        pen.line([(WX + R_CASE + 2, WY + k), (WX + R_CASE + 21, WY + k)], (110, 76, 30, 255), 1.2)


def bevel(R: np.ndarray, inner: float, outer: float) -> np.ndarray:
    """0 at both edges of the ring between the radii, 1 at its crest: a rounded profile."""
    return np.sin(np.clip((R - inner) / (outer - inner), 0, 1) * math.pi)


def case_metal(R: np.ndarray, A: np.ndarray) -> Image.Image:
    """Case and bezel, shaded by angle to the light and by their bevel profiles."""
    facing = np.cos(A - LIGHT)
    t_case = 0.5 + 0.32 * facing + 0.15 * bevel(R, R_BEZEL, R_CASE)
    t_bezel = 0.5 - 0.3 * facing + 0.25 * np.cos(3 * (A - LIGHT)) * 0.5 + 0.2 * bevel(R, R_DIAL, R_BEZEL)
    metal = np.where((R > R_BEZEL)[..., None], gold(np.clip(t_case, 0, 1)), gold(np.clip(t_bezel, 0, 1)))
    return rgba_from(metal, (R <= R_CASE).astype(np.float32))
