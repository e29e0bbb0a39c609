"""Short film: a lighthouse on a rocky shore at dusk, and the lighthouse out on its rock in a night storm."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from .canvas import SS, Canvas, H, W, grid, soften
from .coast import Profile, lighthouse, rock_mass
from .gradients import above_horizon, glow, light_column, ramp, smoothstep, vignette
from .noise import layered_noise, noise2d, wave1d
from .shapes import centred_box, cloud_streaks, profile_polygon, rect, stars

DUSK_HORIZON = 430.0
SUNSET_X = 300.0             # where the sun went down, off to the left
STORM_HORIZON = 452.0


def shore(path: Path) -> None:
    c = Canvas(above_horizon(DUSK_HORIZON, dusk_sky(), dusk_sea()))
    stars(c, 61, 120, 220, 250)
    rng = np.random.default_rng(63)
    dusk_clouds(c, rng)
    headland(c)
    glints(c, rng)
    ridge = promontory(c)
    cottage(c, 1010.0, ridge.at(1010.0) + 8)
    ly = ridge.at(930.0) + 6
    lighthouse(c, 930.0, ly, ly - 250, lit_from_left=True, night=False, beams=[168])
    # foreground rocks, near-black, bottom left and right
    rock_mass(c, 71, -60, 420, 640, 740, (18, 16, 26), (120, 80, 110), 12)
    rock_mass(c, 73, 1040, 1360, 620, 740, (16, 14, 24), (110, 74, 100), 10)
    c.save(path, vignette(0.4))


def dusk_sky() -> np.ndarray:
    sky = ramp(grid()[1], [(0, (12, 18, 48)), (140, (34, 38, 90)), (270, (96, 66, 124)), (360, (196, 104, 108)),
                           (410, (246, 150, 96)), (DUSK_HORIZON, (255, 196, 130))])
    glow(sky, SUNSET_X, DUSK_HORIZON, 360, (90, 50, 20), 1.0, squash=0.45)
    return sky


def dusk_sea() -> np.ndarray:
    sea = ramp(grid()[1], [(DUSK_HORIZON, (150, 104, 126)), (470, (84, 70, 110)), (560, (42, 44, 80)),
                           (720, (16, 20, 40))])
    sea += light_column(SUNSET_X, DUSK_HORIZON, 160, 140, (110, 64, 40))   # the afterglow, reflected
    return sea


def dusk_clouds(c: Canvas, rng: np.random.Generator) -> None:
    """Long clouds lit from below by the afterglow."""
    for cx, cy, w, h, warm in cloud_streaks(rng, 10, (170, 380), (200, 460), (6, 14)):
        c.ellipse(centred_box(cx, cy, w, h),
                  (int(70 + 120 * warm), int(50 + 50 * warm), int(100 + 10 * warm), 150), blur=7)
        c.ellipse([cx - w * 0.8, cy + h * 0.3, cx + w * 0.7, cy + h], (255, 170, 130, int(90 * warm)), blur=4)


def headland(c: Canvas) -> None:
    """A distant headland on the left, low and hazy."""
    xs = np.linspace(-10, 420, 200)
    ys = DUSK_HORIZON - 26 * np.sin(np.clip((xs + 10) / 430, 0, 1) * math.pi) ** 0.5 + 3 * wave1d(65, xs, 50)
    c.poly(profile_polygon(xs, ys, DUSK_HORIZON + 1), (118, 78, 112, 255))


def promontory(c: Canvas) -> Profile:
    """Far rock and near rock, rim-lit from the western sky, with foam where the sea meets them.
    Returns the near rock's profile, for the buildings to stand on."""
    rock_mass(c, 67, 600, 1400, 446, 522, (66, 52, 76), (190, 120, 120), 10, reflect=True)
    ridge = rock_mass(c, 69, 700, 1420, 452, 566, (40, 34, 52), (226, 140, 120), 14, reflect=True)
    for xx, yy in [(x, 522.0) for x in np.linspace(610, 700, 4)] + [(x, 566.0) for x in np.linspace(690, 1290, 16)]:
        yy += 2 * math.sin(xx / 23)
        c.ellipse([xx - 26, yy - 3, xx + 26, yy + 4], (230, 212, 225, 80), blur=2.5)
    return ridge


def glints(c: Canvas, rng: np.random.Generator) -> None:
    """Glints on the water: short horizontal strokes, denser under the afterglow."""
    lay, pen = c.layer()
    for _ in range(260):
        y = DUSK_HORIZON + 4 + rng.random() ** 1.7 * 280
        x = rng.normal(SUNSET_X, 190) if rng.random() < 0.7 else rng.uniform(0, W)
        w = rng.uniform(6, 40) * (0.5 + (y - DUSK_HORIZON) / 280)
        a = int(rng.uniform(40, 130) * math.exp(-abs(x - SUNSET_X) / 420))
        pen.line([(x - w, y), (x + w, y)], (255, 200, 160, a), 1.4)
    c.put(lay, blur=0.6)


def cottage(c: Canvas, x: float, y: float) -> None:
    """The keeper's cottage, its ground floor at (x, y), with a warm window."""
    c.poly(rect(x, y, x + 92, y - 42), (182, 164, 170, 255))
    c.poly(rect(x, y, x + 30, y - 42), (140, 120, 134, 255))                   # the end wall, in shade
    c.poly([(x - 8, y - 40), (x + 100, y - 40), (x + 80, y - 68), (x + 12, y - 68)], (74, 40, 48, 255))
    c.poly(rect(x + 80, y - 60, x + 88, y - 78), (60, 36, 44, 255))            # chimney
    c.ellipse([x + 28, y - 52, x + 92, y - 4], (255, 190, 90, 90), blur=10)
    c.poly(rect(x + 48, y - 30, x + 66, y - 14), (255, 210, 120, 255))


def storm(path: Path) -> None:
    gx, gy = grid()
    flash = np.exp(-(((gx - 330) / 360) ** 2 + ((gy - 120) / 260) ** 2))    # lightning lights the clouds
    c = Canvas(above_horizon(STORM_HORIZON, storm_sky(flash), storm_sea(flash)))
    lightning(c, np.random.default_rng(87))
    ridge = rock_mass(c, 91, 850, 1170, 478, 552, (12, 14, 20), (90, 100, 120), 10, power=0.3)
    ly = ridge.at(1000.0) + 8
    lighthouse(c, 1000.0, ly, ly - 200, lit_from_left=True, night=True, beams=[186, 14])
    rng = np.random.default_rng(89)
    surf(c, rng)
    rain(c, rng)
    c.save(path, vignette(0.5))


def storm_sky(flash: np.ndarray) -> np.ndarray:
    clouds = layered_noise((81, (7, 12), 0.55), (82, (22, 30), 0.3), (83, (90, 90), 0.15))
    sky = ramp(grid()[1], [(0, (14, 18, 26)), (250, (32, 40, 54)), (STORM_HORIZON, (58, 70, 84))])
    sky *= (0.55 + 0.75 * clouds)[..., None]
    sky += (flash * clouds ** 1.5)[..., None] * np.array([150, 160, 200], np.float32)
    return sky


def storm_sea(flash: np.ndarray) -> np.ndarray:
    gy = grid()[1]
    ridges = swell()
    sea = ramp(gy, [(STORM_HORIZON, (58, 70, 82)), (540, (30, 40, 50)), (720, (14, 18, 24))])
    sea *= (0.74 + 0.36 * ridges)[..., None]
    foam = smoothstep(0.55, 0.95, ridges) * smoothstep(STORM_HORIZON, STORM_HORIZON + 60, gy)
    foam = np.asarray(soften(Image.fromarray((foam * 255).astype(np.uint8)), 1.5), np.float32) / 255
    sea += foam[..., None] * np.array([110, 122, 134], np.float32)
    sea += (flash * 0.4 * np.exp(-(gy - STORM_HORIZON) / 80))[..., None] * np.array([80, 90, 110], np.float32)
    return sea


def swell() -> np.ndarray:
    """Wind-driven swell in about [-1, 1]: ridges that crowd together towards the horizon, and a
    cross-swell to break them up (foam goes where both peak together)."""
    gx, gy = grid()
    z = 1.0 / (gy - STORM_HORIZON + 12)
    bend = noise2d(84, (8, 6)) * 7 + noise2d(85, (40, 30)) * 2.0
    main = np.sin(2 * np.pi * 900 * z + bend + gx / 210)
    cross = np.sin(2 * np.pi * 600 * z - gx / 95 + bend * 0.6)
    energy = 0.35 + 0.65 * noise2d(86, (18, 14))
    cycles = 900 * z * z / SS                                   # ridge frequency per drawn pixel
    return (0.7 * main + 0.3 * cross) * energy * smoothstep(0.22, 0.06, cycles)   # no moire at the horizon


def lightning(c: Canvas, rng: np.random.Generator) -> None:
    """A jagged bolt down to the horizon over a wide glow, with two forks."""
    pts = [(360.0, 0.0)]
    while pts[-1][1] < STORM_HORIZON - 10:
        x, y = pts[-1]
        pts.append((x + rng.normal(-6, 16), y + rng.uniform(16, 34)))
    c.line(pts, (200, 210, 255, 120), 10, blur=8)
    c.line(pts, (235, 240, 255, 255), 2.4)
    for k in (6, 11):
        x, y = pts[k]
        fork = [(x, y)]
        for _ in range(5):
            x, y = x + rng.normal(14, 10), y + rng.uniform(10, 24)
            fork.append((x, y))
        c.line(fork, (225, 230, 255, 220), 1.4)


def surf(c: Canvas, rng: np.random.Generator) -> None:
    """Surf bursting against the rock: soft spray thrown up its flanks, broken foam at the waterline."""
    for x0, dirn in ((866, -1), (1154, 1)):
        for _ in range(7):
            h = rng.uniform(0, 50)
            x = x0 + dirn * (rng.uniform(0, 24) + h * 0.4)
            r = rng.uniform(14, 26)
            c.ellipse(centred_box(x, 550 - h, r, r * 0.8), (200, 212, 224, 45), blur=10)
    for _ in range(40):
        x, y = rng.uniform(846, 1174), 550 + rng.normal(0, 3)
        w = rng.uniform(8, 22)
        c.ellipse([x - w, y - 2.5, x + w, y + 3], (214, 224, 234, int(rng.uniform(60, 140))), blur=1.5)


def rain(c: Canvas, rng: np.random.Generator) -> None:
    """Thin diagonal streaks, blown from the right."""
    lay, pen = c.layer()
    for _ in range(420):
        x, y = rng.uniform(-100, W + 100), rng.uniform(-40, H)
        ln = rng.uniform(16, 40)
        pen.line([(x, y), (x - ln * 0.35, y + ln)], (190, 200, 215, int(rng.uniform(25, 70))), 1)
    c.put(lay, blur=0.5)
