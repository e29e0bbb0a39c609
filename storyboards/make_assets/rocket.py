"""Rocket: a rocket on a desert launch pad at dawn, backlit by the rising sun."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .canvas import Canvas, Pen, W, grid, rgba_from
from .gradients import above_horizon, cylinder_facing, glow, light_column, ramp, smoothstep, vignette
from .noise import layered_noise, wave1d
from .shapes import centred_box, cloud_streaks, profile_polygon, rect, stars

HORIZON = 468.0
SUN_X, SUN_Y = 905.0, HORIZON - 10
ROCKET_X = 425.0
NOSE_H = 78.0
TOWER_DARK = (34, 26, 40, 255)


def rocket_pad(path: Path) -> None:
    c = Canvas(above_horizon(HORIZON, dawn_sky(), desert_floor()))
    stars(c, 5, 90, 230, 260)
    high_clouds(c)
    mesas(c)
    launch_site(c)
    tower(c)
    rocket(c, cx=ROCKET_X, r=25.0, tip=168.0, bottom=522.0)
    for y in (250, 352, 470):                 # service arms reaching from the tower to the rocket
        c.poly([(450, y), (505, y - 2), (505, y + 6), (450, y + 7)], (38, 30, 44, 255))
    vapour(c)
    scrub(c, np.random.default_rng(17))
    # a last wash of dawn light from the sun, over everything drawn
    arr = c.array()
    glow(arr, SUN_X, SUN_Y, 260, (60, 30, 0), 0.6, squash=0.8)
    c.set_array(arr)
    c.save(path, vignette(0.35))


def dawn_sky() -> np.ndarray:
    gx, gy = grid()
    sky = ramp(gy, [(0, (16, 20, 50)), (150, (44, 40, 92)), (280, (120, 74, 112)),
                   (370, (206, 112, 98)), (430, (246, 164, 98)), (HORIZON, (255, 218, 160))])
    glow(sky, SUN_X, SUN_Y, 420, (120, 60, 20), 1.0, squash=0.55)
    glow(sky, SUN_X, SUN_Y, 140, (120, 90, 50), 1.0, squash=0.7)
    disk = smoothstep(31.0, 29.0, np.hypot(gx - SUN_X, gy - SUN_Y))      # cut off by the horizon below
    return sky * (1 - disk[..., None]) + disk[..., None] * np.array([255, 248, 222], np.float32)


def desert_floor() -> np.ndarray:
    ground = ramp(grid()[1], [(HORIZON, (176, 104, 76)), (520, (128, 72, 58)), (620, (84, 48, 44)),
                              (720, (44, 27, 30))])
    ground += light_column(SUN_X, HORIZON, 380, 90, (70, 40, 15))     # warmer near the sun's azimuth
    ripple = layered_noise((11, (36, 80), 0.7), (12, (12, 24), 0.3))
    ground *= (0.9 + 0.16 * ripple)[..., None]
    return ground


def high_clouds(c: Canvas) -> None:
    """Thin high cloud streaks, lit pink from below."""
    rng = np.random.default_rng(7)
    for cx, cy, w, h, warm in cloud_streaks(rng, 9, (150, 370), (160, 420), (5, 12)):
        col = (int(150 + 100 * warm), int(90 + 60 * warm), int(120 - 20 * warm), int(rng.uniform(70, 130)))
        c.ellipse(centred_box(cx, cy, w, h), col, blur=6)
        c.ellipse([cx - w * 0.7, cy + h * 0.2, cx + w * 0.6, cy + h * 0.9], (255, 196, 150, 60), blur=4)


def mesa_profile(xs: np.ndarray, specs: list[tuple[float, float, float, float]], base_y: float,
                 seed: int) -> np.ndarray:
    """A gently rolling skyline at base_y with flat-topped mesas (x0, x1, top y, slope width) on it."""
    top = base_y + 4 * wave1d(seed, xs, 140)
    for x0, x1, y, slope in specs:
        inside = smoothstep(x0 - slope, x0, xs) * (1 - smoothstep(x1, x1 + slope, xs))
        plateau = y + 2.5 * wave1d(seed + 1, xs, 40)
        top = np.minimum(top, base_y + (plateau - base_y) * inside)
    return top


def mesas(c: Canvas) -> None:
    """Far mesas hazy, close to the sky colour; nearer ones darker; haze lying on the desert floor."""
    xs = np.linspace(-10, W + 10, 400)
    far = mesa_profile(xs, [(40, 250, 436, 40), (560, 640, 446, 18), (1030, 1300, 430, 50)], HORIZON - 2, 21)
    c.poly(profile_polygon(xs, far, HORIZON + 2), (196, 122, 118, 255))
    mid = mesa_profile(xs, [(-40, 120, 440, 30), (700, 830, 448, 25), (1160, 1320, 444, 35)], HORIZON + 4, 31)
    c.poly(profile_polygon(xs, mid, HORIZON + 12), (134, 76, 78, 255))
    c.poly(rect(0, HORIZON - 6, W, HORIZON + 22), (255, 190, 140, 70), blur=8)


def launch_site(c: Canvas) -> None:
    """The service road, the long dawn shadow of tower and rocket, the platform and its flame trench."""
    c.poly([(380, 548), (470, 548), (760, 720), (520, 720)], (150, 96, 80, 120), blur=1)
    c.poly([(395, 540), (520, 540), (150, 590), (-60, 610)], (40, 20, 30, 90), blur=6)   # away from the sun
    c.poly([(300, 532), (600, 532), (640, 552), (262, 552)], (104, 90, 96, 255))
    c.poly([(300, 532), (600, 532), (602, 535), (298, 535)], (220, 170, 140, 255))
    c.poly(rect(262, 552, 640, 562), (60, 48, 56, 255))
    c.poly([(395, 552), (455, 552), (448, 562), (402, 562)], (18, 12, 18, 255))


def tower(c: Canvas) -> None:
    """A lattice launch tower: two rails, cross bracing, a lightning mast and warning lights."""
    left, right, top, base = 480.0, 515.0, 150.0, 534.0
    lay, pen = c.layer()
    lattice(pen, left, right, top, base)
    pen.polygon(rect(left - 6, top, right + 6, top - 8), TOWER_DARK)
    pen.line([(497, top - 8), (497, 84)], TOWER_DARK, 2)
    c.put(lay)
    c.line([(right + 2, top), (right + 2, base)], (255, 170, 110, 120), 1.2)   # the sun catches this rail
    for x, y in ((497, 86), (left, 300), (right, 420)):
        c.ellipse(centred_box(x, y, 10), (255, 60, 40, 110), blur=5)
        c.ellipse(centred_box(x, y, 2.2), (255, 120, 100, 255))


def lattice(pen: Pen, left: float, right: float, top: float, base: float) -> None:
    """Two rails joined by a rung and an X of bracing every 24 units."""
    for x in (left, right):
        pen.line([(x, top), (x, base)], TOWER_DARK, 5)
    y, step = top, 24.0
    while y < base - 1:
        pen.line([(left, y), (right, y + step)], TOWER_DARK, 2)
        pen.line([(right, y), (left, y + step)], TOWER_DARK, 2)
        pen.line([(left, y), (right, y)], TOWER_DARK, 2)
        y += step


def rocket(c: Canvas, cx: float, r: float, tip: float, bottom: float) -> None:
    """A backlit white rocket: fins behind a shaded body, and a faint bloom along its rim-lit edge."""
    c.poly([(cx - r + 2, bottom - 80), (cx - r - 26, bottom - 8), (cx - r - 26, bottom + 2),
            (cx - r + 2, bottom - 18)], (70, 62, 82, 255))
    c.poly([(cx + r - 2, bottom - 80), (cx + r + 26, bottom - 8), (cx + r + 26, bottom + 2),
            (cx + r - 2, bottom - 18)], (150, 110, 100, 255))
    c.line([(cx + r + 1, bottom - 78), (cx + r + 26, bottom - 8)], (255, 180, 120, 200), 1.5)
    c.put(rocket_layer(cx, r, tip, bottom))
    c.line([(cx + r * 0.92, tip + NOSE_H * 0.85), (cx + r * 0.92, bottom - 20)], (255, 200, 150, 90), 3,
           blur=3)


def rocket_layer(cx: float, r: float, tip: float, bottom: float) -> Image.Image:
    """Body with parabolic nose and dark bands, above a flared, darker engine skirt."""
    gx, gy = grid()
    body_rgb, body = rocket_body(cx, r, tip, bottom)
    su = (gx - cx) / (r + (gy - (bottom - 18)) * 0.45)
    skirt = (np.abs(su) <= 1) & (gy > bottom - 18) & (gy <= bottom)
    skirt_rgb = (0.5 + 0.5 * np.clip(su, 0, 1))[..., None] * np.array([90, 80, 90], np.float32) + 20
    rgb = np.where(skirt[..., None], skirt_rgb, body_rgb)
    return rgba_from(rgb, (body | skirt).astype(np.float32))


def rocket_body(cx: float, r: float, tip: float, bottom: float) -> tuple[np.ndarray, np.ndarray]:
    """Colour and mask of the body, shaded as a cylinder lit from behind right, with sky light in front."""
    gx, gy = grid()
    u = (gx - cx) / r
    body = (np.abs(u) <= 1) & (gy >= tip + NOSE_H * u ** 2) & (gy <= bottom - 18)
    nz = cylinder_facing(u)
    rim = np.clip(0.92 * u - 0.3 * nz, 0, None) ** 1.1
    fill = np.clip(0.35 * nz + 0.25 * u + 0.2, 0, None)
    albedo = np.ones_like(gx)
    for y0, y1, a in ((300, 314, 0.18), (430, 436, 0.25), (tip + 52, tip + 58, 0.3)):
        albedo = np.where((gy >= y0) & (gy <= y1), a, albedo)
    rgb = (fill[..., None] * np.array([150, 150, 190], np.float32)
           + rim[..., None] * np.array([420, 250, 150], np.float32)) * albedo[..., None]
    return rgb + np.array([28, 24, 36], np.float32), body


def vapour(c: Canvas) -> None:
    """Vapour venting at the base of the rocket, lit warm from the right."""
    rng = np.random.default_rng(13)
    for _ in range(14):
        x = ROCKET_X + rng.normal(0, 60)
        y = 530 - abs(rng.normal(0, 14))
        rx, ry = rng.uniform(24, 60), rng.uniform(10, 22)
        warm = np.clip((x - 360) / 160, 0, 1)
        c.ellipse(centred_box(x, y, rx, ry),
                  (int(200 + 45 * warm), int(180 + 20 * warm), int(190 - 30 * warm), 70), blur=10)


def scrub(c: Canvas, rng: np.random.Generator) -> None:
    """Desert scrub: clumps of small bushes, dark, with a warm rim on the sun side; then scattered stones."""
    for _ in range(34):
        x = rng.uniform(-20, W + 20)
        y = rng.uniform(600, 730) if not 470 < x < 800 else rng.uniform(690, 740)   # off the road
        k = (y - 560) / 170                                # nearer clumps are bigger
        for _ in range(int(rng.integers(3, 7))):
            bx, by = x + rng.normal(0, 14 * k), y + rng.normal(0, 3 * k)
            r = rng.uniform(5, 13) * k
            c.ellipse([bx - r * 1.3, by - r, bx + r * 1.3, by + r * 0.5], (36, 22, 28, 255), blur=0.8)
            c.ellipse([bx + r * 0.2, by - r, bx + r * 1.25, by - r * 0.3], (220, 140, 90, 70), blur=1.5)
    for _ in range(26):
        x, y = rng.uniform(0, W), rng.uniform(505, 590)
        if 250 < x < 660:
            continue
        r = rng.uniform(2, 4.5) * (y - 470) / 60
        c.ellipse([x - r * 1.4, y - r, x + r * 1.4, y + r * 0.3], (80, 44, 44, 220), blur=0.6)
