#!/usr/bin/env python3
"""Draw the example storyboards' keyframes and synthesise their footage and music.

Run from the repository root:

    .venv/bin/python storyboards/make_assets.py            # everything
    .venv/bin/python storyboards/make_assets.py watch      # only the assets whose path contains "watch"

Writes into storyboards/assets/:
    rocket/pad.jpg            a rocket on a desert launch pad at dawn
    watch/front.jpg           a gold wristwatch on dark red velvet, seen from above
    watch/side.jpg            the same watch from a three-quarter angle
    short-film/title.mp4      a 3 s title card (H.264, yuv420p, 1280x720, 24 fps, no audio)
    short-film/shore.jpg      a lighthouse on a rocky shore at dusk
    short-film/storm.jpg      the lighthouse out on its rock in a night storm
    short-film/music.m4a      a 30 s calm music bed (AAC-LC, mono, 16 kHz, 24 kbit/s)

Keyframes are drawn with Pillow and numpy at twice the size and downsampled (anti-aliasing); footage and
music are made with ffmpeg. Every random choice comes from a fixed seed and the encoders run with
bit-exact flags, so a rerun writes byte-identical files.
"""

from __future__ import annotations

import functools
import math
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from pipeline.ffmpeg import probe, run  # noqa: E402

ASSETS = HERE / "assets"
W, H = 1280, 720          # delivered keyframe size
SS = 2                    # supersampling factor: everything is drawn at 2560x1440
JPEG = {"quality": 84, "optimize": True, "progressive": True, "subsampling": "4:2:0"}

Color = tuple[int, int, int]
Point = tuple[float, float]


# --------------------------------------------------------------------------------------------------
# Drawing helpers. Coordinates are always given in 1280x720 units and scaled here.

@functools.cache
def grid(w: int = W, h: int = H) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates of the supersampled canvas, in 1280x720 units (shared: never modify)."""
    ys = (np.arange(h * SS, dtype=np.float32) + 0.5) / SS
    xs = (np.arange(w * SS, dtype=np.float32) + 0.5) / SS
    return np.meshgrid(xs, ys)


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


def noise2d(seed: int, cells: tuple[int, int], w: int = W, h: int = H) -> np.ndarray:
    """Smooth value noise in [0, 1]: a small random grid upscaled bicubically to the canvas."""
    small = np.random.default_rng(seed).random((cells[1], cells[0])).astype(np.float32)
    big = Image.fromarray(small).resize((w * SS, h * SS), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(big), 0.0, 1.0)


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


def glow(arr: np.ndarray, cx: float, cy: float, r: float, color: Color, strength: float = 1.0,
         squash: float = 1.0) -> None:
    """Add a soft gaussian light to a float canvas in place (squash < 1 flattens it vertically)."""
    gx, gy = grid(arr.shape[1] // SS, arr.shape[0] // SS)
    d2 = ((gx - cx) / r) ** 2 + ((gy - cy) / (r * squash)) ** 2
    arr += np.exp(-d2)[..., None] * (np.array(color, np.float32) * strength)


class Canvas:
    """An RGBA picture at supersampled size, drawn on in 1280x720 coordinates."""

    def __init__(self, base: np.ndarray):
        self.im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).convert("RGBA")

    @property
    def size(self) -> tuple[int, int]:
        return self.im.size

    def layer(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        lay = Image.new("RGBA", self.im.size, (0, 0, 0, 0))
        return lay, ImageDraw.Draw(lay)

    def put(self, lay: Image.Image, blur: float = 0.0) -> None:
        if blur:
            lay = lay.filter(ImageFilter.GaussianBlur(blur * SS))
        self.im.alpha_composite(lay)

    def _shape(self, pts: list[tuple[float, float]], pad: float, blur: float,
               draw: Callable[[ImageDraw.ImageDraw, list[tuple[float, float]]], None]) -> None:
        """Draw a shape on a layer just big enough for it (and its blur), then composite it in place."""
        margin = pad + 3 * blur * SS + 2
        x0 = max(0, int(min(x for x, _ in pts) - margin))
        y0 = max(0, int(min(y for _, y in pts) - margin))
        x1 = min(self.im.width, int(max(x for x, _ in pts) + margin) + 1)
        y1 = min(self.im.height, int(max(y for _, y in pts) + margin) + 1)
        if x1 <= x0 or y1 <= y0:
            return
        lay = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
        draw(ImageDraw.Draw(lay), [(x - x0, y - y0) for x, y in pts])
        if blur:
            lay = lay.filter(ImageFilter.GaussianBlur(blur * SS))
        self.im.alpha_composite(lay, dest=(x0, y0))

    def poly(self, pts: Iterable[Point], fill: tuple, blur: float = 0.0) -> None:
        self._shape(sc(pts), 0, blur, lambda d, p: d.polygon(p, fill=fill))

    def ellipse(self, box: Sequence[float], fill: tuple, blur: float = 0.0) -> None:
        self._shape(sc([(box[0], box[1]), (box[2], box[3])]), 0, blur,
                    lambda d, p: d.ellipse([p[0], p[1]], fill=fill))

    def line(self, pts: Iterable[Point], fill: tuple, width: float, blur: float = 0.0) -> None:
        w = max(1, round(width * SS))
        self._shape(sc(pts), w, blur, lambda d, p: d.line(p, fill=fill, width=w, joint="curve"))

    def array(self) -> np.ndarray:
        return np.asarray(self.im.convert("RGB"), dtype=np.float32)

    def set_array(self, arr: np.ndarray) -> None:
        self.im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGBA")

    def save(self, path: Path, grade: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        small = self.im.convert("RGB").resize((W, H), Image.Resampling.LANCZOS)
        if grade is not None:
            small = Image.fromarray(np.clip(grade(np.asarray(small, np.float32)), 0, 255).astype(np.uint8))
        path.parent.mkdir(parents=True, exist_ok=True)
        small.save(path, "JPEG", **JPEG)


def sc(pts: Iterable[Point]) -> list[tuple[float, float]]:
    return [(x * SS, y * SS) for x, y in pts]


def vignette(strength: float, power: float = 2.0) -> Callable[[np.ndarray], np.ndarray]:
    def grade(a: np.ndarray) -> np.ndarray:
        h, w = a.shape[:2]
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        d = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
        return a * (1 - strength * d ** power)[..., None]
    return grade


def profile_polygon(xs: np.ndarray, ys: np.ndarray, bottom: float) -> list[Point]:
    """A silhouette polygon: the top edge (xs, ys), closed down to y=bottom."""
    pts = list(zip(xs.tolist(), ys.tolist(), strict=True))
    return [(float(xs[0]), bottom), *pts, (float(xs[-1]), bottom)]


def stars(c: Canvas, seed: int, count: int, y_max: float, fade_to: float) -> None:
    rng = np.random.default_rng(seed)
    lay, d = c.layer()
    for _ in range(count):
        x, y = rng.uniform(0, W), rng.uniform(0, y_max) ** 1.0
        a = int(230 * (1 - y / fade_to) * rng.uniform(0.3, 1.0))
        if a <= 10:
            continue
        r = rng.choice([0.6, 0.8, 1.1, 1.5], p=[0.45, 0.3, 0.18, 0.07])
        d.ellipse([(x - r) * SS, (y - r) * SS, (x + r) * SS, (y + r) * SS], fill=(255, 250, 240, a))
    c.put(lay)


# --------------------------------------------------------------------------------------------------
# Rocket: a rocket on a desert launch pad at dawn, backlit by the rising sun.

def rocket_pad(path: Path) -> None:
    gx, gy = grid()
    horizon = 468.0
    sky = ramp(gy, [(0, (16, 20, 50)), (150, (44, 40, 92)), (280, (120, 74, 112)),
                   (370, (206, 112, 98)), (430, (246, 164, 98)), (horizon, (255, 218, 160))])
    sun_x, sun_y = 905.0, horizon - 10
    glow(sky, sun_x, sun_y, 420, (120, 60, 20), 1.0, squash=0.55)
    glow(sky, sun_x, sun_y, 140, (120, 90, 50), 1.0, squash=0.7)
    disk = smoothstep(31.0, 29.0, np.hypot(gx - sun_x, gy - sun_y))      # cut off by the horizon below
    sky = sky * (1 - disk[..., None]) + disk[..., None] * np.array([255, 248, 222], np.float32)
    ground = ramp(gy, [(horizon, (176, 104, 76)), (520, (128, 72, 58)), (620, (84, 48, 44)),
                      (720, (44, 27, 30))])
    # the low sun rakes across the ground: warmer near its azimuth
    ground += (np.exp(-((gx - sun_x) / 380) ** 2) * np.exp(-(gy - horizon) / 90))[..., None] * \
        np.array([70, 40, 15], np.float32)
    ripple = noise2d(11, (36, 80)) * 0.7 + noise2d(12, (12, 24)) * 0.3
    ground *= (0.9 + 0.16 * ripple)[..., None]
    base = np.where((gy < horizon)[..., None], sky, ground)
    c = Canvas(base)
    stars(c, 5, 90, 230, 260)

    # thin high cloud streaks, lit pink from below
    rng = np.random.default_rng(7)
    for _ in range(9):
        cx, cy = rng.uniform(-100, 1380), rng.uniform(150, 370)
        w, h = rng.uniform(160, 420), rng.uniform(5, 12)
        warm = (cy - 150) / 220
        col = (int(150 + 100 * warm), int(90 + 60 * warm), int(120 - 20 * warm), int(rng.uniform(70, 130)))
        c.ellipse([cx - w, cy - h, cx + w, cy + h], col, blur=6)
        c.ellipse([cx - w * 0.7, cy + h * 0.2, cx + w * 0.6, cy + h * 0.9], (255, 196, 150, 60), blur=4)

    # mesas: far (hazy, close to sky colour), then nearer and darker
    xs = np.linspace(-10, W + 10, 400)

    def mesas(specs: list[tuple[float, float, float, float]], base_y: float, seed: int) -> np.ndarray:
        top = base_y + 4 * wave1d(seed, xs, 140)
        for x0, x1, y, slope in specs:
            inside = smoothstep(x0 - slope, x0, xs) * (1 - smoothstep(x1, x1 + slope, xs))
            plateau = y + 2.5 * wave1d(seed + 1, xs, 40)
            top = np.minimum(top, base_y + (plateau - base_y) * inside)
        return top

    far = mesas([(40, 250, 436, 40), (560, 640, 446, 18), (1030, 1300, 430, 50)], horizon - 2, 21)
    c.poly(profile_polygon(xs, far, horizon + 2), (196, 122, 118, 255))
    mid = mesas([(-40, 120, 440, 30), (700, 830, 448, 25), (1160, 1320, 444, 35)], horizon + 4, 31)
    c.poly(profile_polygon(xs, mid, horizon + 12), (134, 76, 78, 255))
    # haze lying on the desert floor
    c.poly([(0, horizon - 6), (W, horizon - 6), (W, horizon + 22), (0, horizon + 22)],
           (255, 190, 140, 70), blur=8)

    # a service road running out of frame towards the pad
    c.poly([(380, 548), (470, 548), (760, 720), (520, 720)], (150, 96, 80, 120), blur=1)

    # long dawn shadow of the tower and rocket, thrown away from the sun
    c.poly([(395, 540), (520, 540), (150, 590), (-60, 610)], (40, 20, 30, 90), blur=6)

    # launch platform and flame trench
    c.poly([(300, 532), (600, 532), (640, 552), (262, 552)], (104, 90, 96, 255))
    c.poly([(300, 532), (600, 532), (602, 535), (298, 535)], (220, 170, 140, 255))
    c.poly([(262, 552), (640, 552), (640, 562), (262, 562)], (60, 48, 56, 255))
    c.poly([(395, 552), (455, 552), (448, 562), (402, 562)], (18, 12, 18, 255))

    tower(c)
    rocket(c, cx=425.0, r=25.0, tip=168.0, bottom=522.0)

    # service arms reaching from the tower to the rocket
    for y in (250, 352, 470):
        c.poly([(450, y), (505, y - 2), (505, y + 6), (450, y + 7)], (38, 30, 44, 255))

    # vapour venting at the base, lit warm from the right
    rng = np.random.default_rng(13)
    for _ in range(14):
        x = 425 + rng.normal(0, 60)
        y = 530 - abs(rng.normal(0, 14))
        rx, ry = rng.uniform(24, 60), rng.uniform(10, 22)
        warm = np.clip((x - 360) / 160, 0, 1)
        c.ellipse([x - rx, y - ry, x + rx, y + ry],
                  (int(200 + 45 * warm), int(180 + 20 * warm), int(190 - 30 * warm), 70), blur=10)

    # desert scrub: clumps of small bushes, dark, with a warm rim on the sun side
    rng = np.random.default_rng(17)
    for _ in range(34):
        x = rng.uniform(-20, W + 20)
        y = rng.uniform(600, 730) if not 470 < x < 800 else rng.uniform(690, 740)
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

    # a last wash of dawn light from the sun
    arr = c.array()
    glow(arr, sun_x, sun_y, 260, (60, 30, 0), 0.6, squash=0.8)
    c.set_array(arr)
    c.save(path, vignette(0.35))


def tower(c: Canvas) -> None:
    """A lattice launch tower: two rails, cross bracing, a lightning mast and warning lights."""
    dark = (34, 26, 40, 255)
    left, right, top, base = 480.0, 515.0, 150.0, 534.0
    lay, d = c.layer()
    for x in (left, right):
        d.line(sc([(x, top), (x, base)]), fill=dark, width=5 * SS)
    y = top
    step = 24.0
    while y < base - 1:
        d.line(sc([(left, y), (right, y + step)]), fill=dark, width=2 * SS)
        d.line(sc([(right, y), (left, y + step)]), fill=dark, width=2 * SS)
        d.line(sc([(left, y), (right, y)]), fill=dark, width=2 * SS)
        y += step
    d.polygon(sc([(left - 6, top), (right + 6, top), (right + 6, top - 8), (left - 6, top - 8)]), fill=dark)
    d.line(sc([(497, top - 8), (497, 84)]), fill=dark, width=2 * SS)
    c.put(lay)
    # rim light where the sun catches the right-hand rail
    c.line([(right + 2, top), (right + 2, base)], (255, 170, 110, 120), 1.2)
    for x, y in ((497, 86), (left, 300), (right, 420)):
        c.ellipse([x - 10, y - 10, x + 10, y + 10], (255, 60, 40, 110), blur=5)
        c.ellipse([x - 2.2, y - 2.2, x + 2.2, y + 2.2], (255, 120, 100, 255))


def rocket(c: Canvas, cx: float, r: float, tip: float, bottom: float) -> None:
    """A backlit white rocket: parabolic nose, bands, fins; shaded as a cylinder lit from behind right."""
    gx, gy = grid()
    u = (gx - cx) / r
    nose_h = 78.0
    body = (np.abs(u) <= 1) & (gy >= tip + nose_h * u ** 2) & (gy <= bottom - 18)
    nz = np.sqrt(np.clip(1 - u ** 2, 0, 1))
    rim = np.clip(0.92 * u - 0.3 * nz, 0, None) ** 1.1            # light from behind, right
    fill = np.clip(0.35 * nz + 0.25 * u + 0.2, 0, None)            # sky light from the front
    albedo = np.ones_like(gx)
    for y0, y1, a in ((300, 314, 0.18), (430, 436, 0.25), (tip + 52, tip + 58, 0.3)):
        albedo = np.where((gy >= y0) & (gy <= y1), a, albedo)
    col = (fill[..., None] * np.array([150, 150, 190], np.float32)
           + rim[..., None] * np.array([420, 250, 150], np.float32)) * albedo[..., None]
    col += np.array([28, 24, 36], np.float32)
    # engine skirt: a flared, darker section
    su = (gx - cx) / (r + (gy - (bottom - 18)) * 0.45)
    skirt = (np.abs(su) <= 1) & (gy > bottom - 18) & (gy <= bottom)
    skirt_col = (0.5 + 0.5 * np.clip(su, 0, 1))[..., None] * np.array([90, 80, 90], np.float32) + 20
    rgb = np.where(skirt[..., None], skirt_col, col)
    alpha = ((body | skirt) * 255).astype(np.uint8)
    lay = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).convert("RGBA")
    lay.putalpha(Image.fromarray(alpha))
    # fins, drawn behind the body
    c.poly([(cx - r + 2, bottom - 80), (cx - r - 26, bottom - 8), (cx - r - 26, bottom + 2),
            (cx - r + 2, bottom - 18)], (70, 62, 82, 255))
    c.poly([(cx + r - 2, bottom - 80), (cx + r + 26, bottom - 8), (cx + r + 26, bottom + 2),
            (cx + r - 2, bottom - 18)], (150, 110, 100, 255))
    c.line([(cx + r + 1, bottom - 78), (cx + r + 26, bottom - 8)], (255, 180, 120, 200), 1.5)
    c.put(lay)
    # a faint bloom along the rim-lit edge
    c.line([(cx + r * 0.92, tip + nose_h * 0.85), (cx + r * 0.92, bottom - 20)], (255, 200, 150, 90), 3,
           blur=3)


# --------------------------------------------------------------------------------------------------
# Watch: a vintage gold watch with a cream dial on dark red velvet.

PAD = 400          # the watch layers are drawn on a canvas this much larger on every side
WX, WY = W / 2 + PAD, H / 2 + PAD    # watch centre in padded coordinates
R_CASE, R_BEZEL, R_DIAL = 178.0, 170.0, 146.0


def velvet(shift: float) -> np.ndarray:
    """Dark red velvet: soft diagonal folds with sheen on their crests, lit from above centre."""
    gx, gy = grid()
    s = gx * math.cos(0.5 + shift) + gy * math.sin(0.5 + shift)
    warp = 60 * wave1d(41, gy / 1.0, 520) + 40 * wave1d(42, gx / 1.0, 700)
    folds = np.sin((s + warp) / 62.0) * 0.6 + np.sin((s * 0.55 - warp) / 120.0 + 1.3) * 0.4
    crest = np.clip(folds, 0, 1) ** 3
    key = np.exp(-(((gx - 640) / 700) ** 2 + ((gy - 330) / 480) ** 2))
    tex = noise2d(43, (200, 120))
    shade = (0.28 + 0.72 * key) * (0.7 + 0.3 * folds + 0.03 * tex)
    rgb = shade[..., None] * np.array([150, 18, 34], np.float32)
    rgb += (crest * key)[..., None] * np.array([95, 28, 44], np.float32)
    return rgb


def polar(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    xs = (np.arange(w * SS, dtype=np.float32) + 0.5) / SS - WX
    ys = (np.arange(h * SS, dtype=np.float32) + 0.5) / SS - WY
    gx, gy = np.meshgrid(xs, ys)
    return np.hypot(gx, gy), np.arctan2(gx, -gy)     # radius; angle clockwise from 12 o'clock


def gold(t: np.ndarray) -> np.ndarray:
    return ramp(t, [(0.0, (70, 44, 14)), (0.35, (150, 108, 44)), (0.65, (214, 172, 86)),
                    (0.88, (250, 226, 156)), (1.0, (255, 246, 210))])


def rgba_from(rgb: np.ndarray, mask: np.ndarray) -> Image.Image:
    im = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).convert("RGBA")
    im.putalpha(Image.fromarray((np.clip(mask, 0, 1) * 255).astype(np.uint8)))
    return im


def hand_at(angle_deg: float, radius: float, offset: tuple[float, float] = (0, 0)) -> Point:
    a = math.radians(angle_deg)
    return (WX + offset[0] + radius * math.sin(a), WY + offset[1] - radius * math.cos(a))


def watch_strap() -> Image.Image:
    """Brown leather strap, both halves, on a padded transparent layer."""
    pw, ph = W + 2 * PAD, H + 2 * PAD
    xs = (np.arange(pw * SS, dtype=np.float32) + 0.5) / SS - WX
    ys = (np.arange(ph * SS, dtype=np.float32) + 0.5) / SS - WY
    gx, gy = np.meshgrid(xs, ys)
    half = 66 - 8 * smoothstep(200, 700, np.abs(gy))           # tapers away from the case
    v = gx / half
    inside = (np.abs(v) <= 1) & (np.abs(gy) < 820)
    grain = noise2d(51, (200, 300), pw, ph)
    shade = 0.55 + 0.45 * np.sqrt(np.clip(1 - v ** 2, 0, 1)) + 0.08 * (grain - 0.5)
    rgb = shade[..., None] * np.array([110, 62, 34], np.float32)
    edge = (np.abs(v) > 0.9)
    rgb = np.where(edge[..., None], rgb * 0.6, rgb)
    lay = rgba_from(rgb, inside.astype(np.float32))
    d = ImageDraw.Draw(lay)
    # stitching: short dashes along both edges
    for sign in (-1, 1):
        for y in np.arange(-780, 780, 13.0):
            if abs(y) < R_CASE - 10:
                continue
            hw = 66 - 8 * float(smoothstep(200, 700, np.array(abs(y))))
            x = WX + sign * (hw - 9)
            d.line(sc([(x, WY + y), (x, WY + y + 7)]), fill=(214, 186, 140, 230), width=int(1.6 * SS))
    # holes in the lower strap
    for y in (470, 510, 550):
        d.ellipse(sc([(WX - 6, WY + y - 6), (WX + 6, WY + y + 6)]), fill=(30, 14, 8, 255))
        d.arc(sc([(WX - 6, WY + y - 6), (WX + 6, WY + y + 6)]), 20, 160, fill=(150, 96, 60, 255),
              width=int(1 * SS))
    return lay


def watch_head(case_only: bool = False) -> Image.Image:
    """Case, lugs, bezel, dial, indices, hands and crown, on a padded transparent layer."""
    pw, ph = W + 2 * PAD, H + 2 * PAD
    R, A = polar(pw, ph)
    light = math.radians(-40)                                  # key light from the upper left
    lay = Image.new("RGBA", (pw * SS, ph * SS), (0, 0, 0, 0))
    d = ImageDraw.Draw(lay)
    # lugs, behind the case
    for sx in (-1, 1):
        for sy in (-1, 1):
            x0 = WX + sx * 52
            x1 = WX + sx * 78
            y0 = WY + sy * 130
            y1 = WY + sy * 212
            box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
            d.rounded_rectangle([v * SS for v in box], radius=8 * SS,
                                fill=(196, 154, 74, 255) if sx < 0 else (150, 110, 46, 255))
            d.line(sc([(box[0] + 4, box[1] + 4), (box[0] + 4, box[3] - 4)]), fill=(250, 226, 160, 255),
                   width=int(2 * SS))
    # crown at three o'clock
    d.rounded_rectangle([(WX + R_CASE - 6) * SS, (WY - 20) * SS, (WX + R_CASE + 22) * SS, (WY + 20) * SS],
                        radius=5 * SS, fill=(170, 128, 56, 255))
    for k in range(-16, 17, 5):
        d.line(sc([(WX + R_CASE + 2, WY + k), (WX + R_CASE + 21, WY + k)]), fill=(110, 76, 30, 255),
               width=int(1.2 * SS))
    # case and bezel: polished gold, shaded by angle to the light and by the bevel profile
    facing = np.cos(A - light)
    bevel = np.sin(np.clip((R - R_BEZEL) / (R_CASE - R_BEZEL), 0, 1) * math.pi)
    t_case = 0.5 + 0.32 * facing + 0.15 * bevel
    t_bezel = 0.5 - 0.3 * facing + 0.25 * np.cos(3 * (A - light)) * 0.5 \
        + 0.2 * np.sin(np.clip((R - R_DIAL) / (R_BEZEL - R_DIAL), 0, 1) * math.pi)
    metal = np.where((R > R_BEZEL)[..., None], gold(np.clip(t_case, 0, 1)), gold(np.clip(t_bezel, 0, 1)))
    ring = rgba_from(metal, (R <= R_CASE).astype(np.float32))
    lay.alpha_composite(ring)
    if case_only:
        return lay
    # dial: cream, a touch darker towards the rim, with a faint sunburst
    dial = ramp(R, [(0, (244, 236, 214)), (R_DIAL * 0.8, (236, 224, 196)), (R_DIAL, (206, 190, 156))])
    dial *= (1 + 0.025 * np.cos(2 * (A - light)))[..., None]
    lay.alpha_composite(rgba_from(dial, (R <= R_DIAL).astype(np.float32)))
    d = ImageDraw.Draw(lay)
    ink = (58, 48, 40, 255)
    # minute track
    for rr in (R_DIAL - 10, R_DIAL - 20):
        d.ellipse(sc([(WX - rr, WY - rr), (WX + rr, WY + rr)]), outline=ink, width=max(1, int(0.8 * SS)))
    for m in range(60):
        if m % 5:
            d.line(sc([hand_at(m * 6, R_DIAL - 20), hand_at(m * 6, R_DIAL - 10)]), fill=ink,
                   width=max(1, int(0.9 * SS)))
    # applied gold indices (a double bar at twelve), with a dark shadow edge
    for h in range(12):
        ang = h * 30
        if h == 6:
            continue                                           # the small seconds sits there
        widths = (-4.5, 4.5) if h == 0 else (0,)
        for off in widths:
            a = math.radians(ang)
            ox, oy = off * math.cos(a), off * math.sin(a)
            p0 = hand_at(ang, R_DIAL - 24, (ox, oy))
            p1 = hand_at(ang, R_DIAL - 52, (ox, oy))
            d.line(sc([(p0[0] + 1.2, p0[1] + 1.5), (p1[0] + 1.2, p1[1] + 1.5)]), fill=(120, 100, 70, 160),
                   width=int(5.5 * SS))
            d.line(sc([p0, p1]), fill=(176, 134, 60, 255), width=int(5 * SS))
            d.line(sc([p0, p1]), fill=(250, 222, 150, 255), width=int(1.6 * SS))
    # small seconds at six
    sub = (0.0, 70.0)
    sr = 34.0
    d.ellipse(sc([(WX - sr, WY + sub[1] - sr), (WX + sr, WY + sub[1] + sr)]), fill=(230, 218, 190, 255),
              outline=ink, width=int(0.9 * SS))
    for s in range(0, 60, 5):
        d.line(sc([hand_at(s * 6, sr - 7, sub), hand_at(s * 6, sr - 1, sub)]), fill=ink,
               width=max(1, int(0.9 * SS)))
    blued = (28, 40, 92, 255)
    d.line(sc([hand_at(200, 6, sub), hand_at(20, sr - 3, sub)]), fill=blued, width=int(1.6 * SS))
    d.ellipse(sc([(WX - 3, WY + sub[1] - 3), (WX + 3, WY + sub[1] + 3)]), fill=blued)

    def dauphine(angle: float, length: float, width: float) -> None:
        base = hand_at(angle + 180, 18)
        mid_l = hand_at(angle - math.degrees(math.atan2(width, length * 0.28)), math.hypot(width, length * 0.28))
        mid_r = hand_at(angle + math.degrees(math.atan2(width, length * 0.28)), math.hypot(width, length * 0.28))
        tip = hand_at(angle, length)
        shadow = [(x + 3, y + 4) for x, y in (base, mid_l, tip, mid_r)]
        d.polygon(sc(shadow), fill=(90, 74, 56, 110))
        d.polygon(sc([base, mid_l, tip]), fill=(44, 58, 122, 255))   # the lit facet
        d.polygon(sc([base, tip, mid_r]), fill=blued)

    dauphine(304, 86, 7.5)     # hour hand at 10:08, the catalogue time
    dauphine(48, 128, 6.5)     # minute hand
    d.ellipse(sc([(WX - 6, WY - 6), (WX + 6, WY + 6)]), fill=blued)
    d.ellipse(sc([(WX - 2, WY - 2), (WX + 2, WY + 2)]), fill=(200, 170, 100, 255))
    # crystal: a soft highlight across the upper left, and a bright arc on the rim
    hl = Image.new("RGBA", lay.size, (0, 0, 0, 0))
    hd = ImageDraw.Draw(hl)
    # the reflection of a softbox: a diagonal band across the upper left of the crystal
    band = Image.new("L", lay.size, 0)
    ImageDraw.Draw(band).polygon(sc([(WX - 200, WY - 20), (WX - 20, WY - 200), (WX + 20, WY - 200),
                                     (WX - 200, WY + 20)]), fill=40)
    disc = Image.new("L", lay.size, 0)
    ImageDraw.Draw(disc).ellipse(sc([(WX - R_DIAL, WY - R_DIAL), (WX + R_DIAL, WY + R_DIAL)]), fill=255)
    band = Image.fromarray((np.asarray(band, np.float32) * np.asarray(disc) / 255).astype(np.uint8))
    sheen = Image.new("RGBA", lay.size, (255, 255, 250, 0))
    sheen.putalpha(band)
    lay.alpha_composite(sheen.filter(ImageFilter.GaussianBlur(4 * SS)))
    hd.arc(sc([(WX - R_DIAL + 6, WY - R_DIAL + 6), (WX + R_DIAL - 6, WY + R_DIAL - 6)]), 200, 260,
           fill=(255, 255, 250, 150), width=int(3 * SS))
    hl = hl.filter(ImageFilter.GaussianBlur(6 * SS))
    lay.alpha_composite(hl)
    return lay


def perspective(yaw: float, pitch: float, roll: float, shift: tuple[float, float] = (0, 0),
                z: float = 0.0, scale: float = 1.0) -> tuple[list[float], tuple[float, float]]:
    """Coefficients mapping the output canvas back into a padded watch layer, for a camera that
    views the watch plane (lifted by z towards the camera) rotated by yaw/pitch/roll (degrees).
    Also returns the image position of the watch centre at that height."""
    def rot(p: np.ndarray) -> np.ndarray:
        a, b, g = (math.radians(v) for v in (yaw, pitch, roll))
        ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
        rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
        rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
        return rz @ rx @ ry @ p

    focal, dist = 2200.0, 2200.0

    def project(x: float, y: float) -> tuple[float, float]:
        p = rot(np.array([x, y, z]))
        k = focal / (dist - p[2]) * scale
        return (W / 2 + shift[0] + p[0] * k) * SS, (H / 2 + shift[1] + p[1] * k) * SS

    src = [(-300.0, -300.0), (300.0, -300.0), (300.0, 300.0), (-300.0, 300.0)]
    dst = [project(x, y) for x, y in src]
    rows, rhs = [], []
    for (u, v), (x, y) in zip(dst, src, strict=True):
        xi, yi = (x + WX) * SS, (y + WY) * SS
        rows.append([u, v, 1, 0, 0, 0, -u * xi, -v * xi])
        rows.append([0, 0, 0, u, v, 1, -u * yi, -v * yi])
        rhs += [xi, yi]
    coeffs = np.linalg.solve(np.array(rows), np.array(rhs)).tolist()
    return coeffs, project(0.0, 0.0)


def watch_pictures(front_path: Path, side_path: Path) -> None:
    strap, head, case = watch_strap(), watch_head(), watch_head(case_only=True)
    size = (W * SS, H * SS)
    thickness = 34.0

    def place(layer: Image.Image, view: dict, z: float) -> Image.Image:
        coeffs, _ = perspective(z=z, **view)
        return layer.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)

    def shadow_of(layers: list[Image.Image], offset: tuple[float, float]) -> Image.Image:
        alpha = Image.new("L", size, 0)
        for lay in layers:
            alpha = Image.fromarray(np.maximum(np.asarray(alpha), np.asarray(lay.getchannel("A"))))
        sh = Image.new("RGBA", size, (10, 0, 2, 0))
        sh.putalpha(alpha.point(lambda v: int(v * 0.75)))
        sh = sh.transform(size, Image.Transform.AFFINE, (1, 0, -offset[0] * SS, 0, 1, -offset[1] * SS))
        return sh.filter(ImageFilter.GaussianBlur(22 * SS))

    views = {
        front_path: (dict(yaw=0, pitch=0, roll=0), 0.0),
        side_path: (dict(yaw=52, pitch=-14, roll=-28, shift=(-20, 10), scale=1.08), 0.35),
    }
    for path, (view, fold_shift) in views.items():
        c = Canvas(velvet(fold_shift))
        s = place(strap, view, -thickness * 0.75)
        h = place(head, view, 0.0)
        c.im.alpha_composite(shadow_of([s, h], (18, 26)))
        c.im.alpha_composite(s)
        # case side: the case silhouette stacked from the velvet up to the crystal, darker below
        steps = 14
        for k in range(steps, 0, -1):
            side = place(case, view, -thickness * k / steps)
            arr = np.asarray(side).astype(np.float32)
            arr[..., :3] *= 0.42 + 0.4 * (1 - k / steps)
            c.im.alpha_composite(Image.fromarray(arr.astype(np.uint8)))
        c.im.alpha_composite(h)
        c.save(path, vignette(0.55, 1.6))


# --------------------------------------------------------------------------------------------------
# Short film: a lighthouse on a rocky shore at dusk, and the same coast in a night storm.

def lighthouse(c: Canvas, x: float, base: float, top: float, lit_from_left: bool, night: bool,
               beams: Sequence[float]) -> None:
    """A tapered white tower with red bands, gallery, glowing lantern and dome; beams at the given
    angles (degrees, 0 = to the right, 180 = to the left)."""
    w_base, w_top = 40.0, 26.0
    gx, gy = grid()
    t = np.clip((gy - top) / (base - top), 0, 1)
    half = w_top + (w_base - w_top) * t
    u = (gx - x) / half
    inside = (np.abs(u) <= 1) & (gy >= top) & (gy <= base)
    nz = np.sqrt(np.clip(1 - u ** 2, 0, 1))
    side = -u if lit_from_left else u
    lum = np.clip(0.25 + 0.55 * (0.6 * nz + 0.5 * side), 0.08, 1)
    band = np.zeros_like(gy, dtype=bool)
    h = base - top
    for k in (0.18, 0.52):
        band |= (gy >= top + h * k) & (gy <= top + h * (k + 0.16))
    albedo = np.where(band[..., None], np.array([178, 40, 36], np.float32),
                      np.array([236, 228, 220], np.float32))
    tint = np.array([0.55, 0.6, 0.85] if night else [1.0, 0.8, 0.85], np.float32)
    rgb = lum[..., None] * albedo * tint
    c.im.alpha_composite(rgba_from(rgb, inside.astype(np.float32)))
    # small windows up the tower
    for k in (0.4, 0.75):
        wy = top + h * k
        c.poly([(x - 3, wy), (x + 3, wy), (x + 3, wy + 9), (x - 3, wy + 9)], (255, 210, 120, 255))
    # gallery, lantern, dome
    dark = (30, 28, 40, 255)
    c.poly([(x - w_top - 9, top), (x + w_top + 9, top), (x + w_top + 9, top - 5), (x - w_top - 9, top - 5)], dark)
    for k in range(-4, 5):
        c.line([(x + k * 7.5, top - 5), (x + k * 7.5, top - 16)], dark, 1.2)
    c.line([(x - w_top - 9, top - 16), (x + w_top + 9, top - 16)], dark, 1.5)
    lan_top = top - 44
    for b in beams:                      # beams first, so the lantern sits on top of them
        beam(c, x, top - 26, b, night)
    c.ellipse([x - 70, top - 96, x + 70, top + 44], (255, 220, 140, 90 if night else 70), blur=18)
    c.poly([(x - 18, top - 5), (x + 18, top - 5), (x + 18, lan_top), (x - 18, lan_top)], (255, 236, 170, 255))
    c.ellipse([x - 10, top - 34, x + 10, top - 14], (255, 255, 235, 255), blur=2)
    for k in (-18, -6, 6, 18):
        c.line([(x + k, top - 5), (x + k, lan_top)], dark, 1.6)
    c.poly([(x - 22, lan_top), (x + 22, lan_top), (x + 12, lan_top - 12), (x, lan_top - 16), (x - 12, lan_top - 12)],
           (120, 30, 30, 255) if not night else (60, 24, 30, 255))
    c.line([(x, lan_top - 16), (x, lan_top - 26)], dark, 1.5)


def beam(c: Canvas, x: float, y: float, angle: float, night: bool) -> None:
    length = 1100.0
    spread = math.radians(4.5)
    a = math.radians(angle)
    p1 = (x + length * math.cos(a - spread), y - length * math.sin(a - spread))
    p2 = (x + length * math.cos(a + spread), y - length * math.sin(a + spread))
    lay, d = c.layer()
    d.polygon(sc([(x, y), p1, p2]), fill=(255, 236, 180, 255))
    # fade along its length: multiply alpha by a radial falloff from the lantern
    gx, gy = grid()
    fall = np.exp(-np.hypot(gx - x, gy - y) / (520 if night else 380)) * (0.55 if night else 0.38)
    alpha = np.asarray(lay.getchannel("A"), np.float32) * fall
    lay.putalpha(Image.fromarray(alpha.astype(np.uint8)))
    c.put(lay, blur=5)


def rock_mass(c: Canvas, seed: int, x0: float, x1: float, top: float, bottom: float,
              color: Color, rim: Color | None, roughness: float = 18.0, reflect: bool = False,
              power: float = 0.6) -> np.ndarray:
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
    return ys


def shore(path: Path) -> None:
    gx, gy = grid()
    horizon = 430.0
    sky = ramp(gy, [(0, (12, 18, 48)), (140, (34, 38, 90)), (270, (96, 66, 124)), (360, (196, 104, 108)),
                   (410, (246, 150, 96)), (horizon, (255, 196, 130))])
    glow(sky, 300, horizon, 360, (90, 50, 20), 1.0, squash=0.45)
    sea = ramp(gy, [(horizon, (150, 104, 126)), (470, (84, 70, 110)), (560, (42, 44, 80)), (720, (16, 20, 40))])
    # the afterglow reflected as a soft column under where the sun set
    sea += (np.exp(-((gx - 300) / 160) ** 2) * np.exp(-(gy - horizon) / 140))[..., None] * \
        np.array([110, 64, 40], np.float32)
    c = Canvas(np.where((gy < horizon)[..., None], sky, sea))
    stars(c, 61, 120, 220, 250)
    rng = np.random.default_rng(63)
    for _ in range(10):                   # long clouds lit from below by the afterglow
        cx, cy = rng.uniform(-100, 1380), rng.uniform(170, 380)
        w, h = rng.uniform(200, 460), rng.uniform(6, 14)
        warm = np.clip((cy - 170) / 210, 0, 1)
        c.ellipse([cx - w, cy - h, cx + w, cy + h],
                  (int(70 + 120 * warm), int(50 + 50 * warm), int(100 + 10 * warm), 150), blur=7)
        c.ellipse([cx - w * 0.8, cy + h * 0.3, cx + w * 0.7, cy + h], (255, 170, 130, int(90 * warm)), blur=4)
    # a distant headland on the left
    xs = np.linspace(-10, 420, 200)
    ys = horizon - 26 * np.sin(np.clip((xs + 10) / 430, 0, 1) * math.pi) ** 0.5 + 3 * wave1d(65, xs, 50)
    c.poly(profile_polygon(xs, ys, horizon + 1), (118, 78, 112, 255))
    # glints on the water: short horizontal strokes, denser under the afterglow
    lay, d = c.layer()
    for _ in range(260):
        y = horizon + 4 + rng.random() ** 1.7 * 280
        x = rng.normal(300, 190) if rng.random() < 0.7 else rng.uniform(0, W)
        w = rng.uniform(6, 40) * (0.5 + (y - horizon) / 280)
        a = int(rng.uniform(40, 130) * math.exp(-abs(x - 300) / 420))
        d.line(sc([(x - w, y), (x + w, y)]), fill=(255, 200, 160, a), width=max(1, int(1.4 * SS)))
    c.put(lay, blur=0.6)
    # the promontory: far rock, near rock, with rim light from the western sky
    rock_mass(c, 67, 600, 1400, 446, 522, (66, 52, 76), (190, 120, 120), 10, reflect=True)
    ridge = rock_mass(c, 69, 700, 1420, 452, 566, (40, 34, 52), (226, 140, 120), 14, reflect=True)
    # foam where the sea meets the rocks
    for xx, yy in [(x, 522.0) for x in np.linspace(610, 700, 4)] + [(x, 566.0) for x in np.linspace(690, 1290, 16)]:
        yy += 2 * math.sin(xx / 23)
        c.ellipse([xx - 26, yy - 3, xx + 26, yy + 4], (230, 212, 225, 80), blur=2.5)
    # keeper's cottage with a warm window
    gx = 1010.0
    gy = float(np.interp(gx, np.linspace(700, 1420, 260), ridge)) + 8
    c.poly([(gx, gy), (gx + 92, gy), (gx + 92, gy - 42), (gx, gy - 42)], (182, 164, 170, 255))
    c.poly([(gx, gy), (gx + 30, gy), (gx + 30, gy - 42), (gx, gy - 42)], (140, 120, 134, 255))
    c.poly([(gx - 8, gy - 40), (gx + 100, gy - 40), (gx + 80, gy - 68), (gx + 12, gy - 68)], (74, 40, 48, 255))
    c.poly([(gx + 80, gy - 60), (gx + 88, gy - 60), (gx + 88, gy - 78), (gx + 80, gy - 78)], (60, 36, 44, 255))
    c.ellipse([gx + 28, gy - 52, gx + 92, gy - 4], (255, 190, 90, 90), blur=10)
    c.poly([(gx + 48, gy - 30), (gx + 66, gy - 30), (gx + 66, gy - 14), (gx + 48, gy - 14)], (255, 210, 120, 255))
    lx = 930.0
    ly = float(np.interp(lx, np.linspace(700, 1420, 260), ridge)) + 6
    lighthouse(c, lx, ly, ly - 250, lit_from_left=True, night=False, beams=[168])
    # foreground rocks, near-black, bottom left and right
    rock_mass(c, 71, -60, 420, 640, 740, (18, 16, 26), (120, 80, 110), 12)
    rock_mass(c, 73, 1040, 1360, 620, 740, (16, 14, 24), (110, 74, 100), 10)
    c.save(path, vignette(0.4))


def storm(path: Path) -> None:
    gx, gy = grid()
    horizon = 452.0
    clouds = noise2d(81, (7, 12)) * 0.55 + noise2d(82, (22, 30)) * 0.3 + noise2d(83, (90, 90)) * 0.15
    flash = np.exp(-(((gx - 330) / 360) ** 2 + ((gy - 120) / 260) ** 2))
    sky = ramp(gy, [(0, (14, 18, 26)), (250, (32, 40, 54)), (horizon, (58, 70, 84))])
    sky *= (0.55 + 0.75 * clouds)[..., None]
    sky += (flash * clouds ** 1.5)[..., None] * np.array([150, 160, 200], np.float32)
    # wind-driven swell: ridges that crowd together towards the horizon, a cross-swell to break them up,
    # and foam where both peak together
    z = 1.0 / (gy - horizon + 12)
    bend = noise2d(84, (8, 6)) * 7 + noise2d(85, (40, 30)) * 2.0
    swell = np.sin(2 * np.pi * 900 * z + bend + gx / 210)
    cross = np.sin(2 * np.pi * 600 * z - gx / 95 + bend * 0.6)
    energy = 0.35 + 0.65 * noise2d(86, (18, 14))
    cycles = 900 * z * z / SS                                   # ridge frequency per drawn pixel
    ridges = (0.7 * swell + 0.3 * cross) * energy * smoothstep(0.22, 0.06, cycles)   # no moire at the horizon
    sea = ramp(gy, [(horizon, (58, 70, 82)), (540, (30, 40, 50)), (720, (14, 18, 24))])
    sea *= (0.74 + 0.36 * ridges)[..., None]
    foam = smoothstep(0.55, 0.95, ridges) * smoothstep(horizon, horizon + 60, gy)
    foam = np.asarray(Image.fromarray((foam * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5 * SS)),
                      np.float32) / 255
    sea += foam[..., None] * np.array([110, 122, 134], np.float32)
    sea += (flash * 0.4 * np.exp(-(gy - horizon) / 80))[..., None] * np.array([80, 90, 110], np.float32)
    c = Canvas(np.where((gy < horizon)[..., None], sky, sea))
    # lightning: a jagged bolt with forks, over a wide glow
    rng = np.random.default_rng(87)
    pts = [(360.0, 0.0)]
    while pts[-1][1] < horizon - 10:
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
    # the lighthouse out on its rock, its beam cutting through the rain
    rxs = np.linspace(850, 1170, 260)
    ridge = rock_mass(c, 91, 850, 1170, 478, 552, (12, 14, 20), (90, 100, 120), 10, power=0.3)
    lx = 1000.0
    ly = float(np.interp(lx, rxs, ridge)) + 8
    lighthouse(c, lx, ly, ly - 200, lit_from_left=True, night=True, beams=[186, 14])
    # surf bursting against the rock: soft spray thrown up its flanks, broken foam at the waterline
    rng = np.random.default_rng(89)
    for x0, dirn in ((866, -1), (1154, 1)):
        for _ in range(7):
            h = rng.uniform(0, 50)
            x = x0 + dirn * (rng.uniform(0, 24) + h * 0.4)
            r = rng.uniform(14, 26)
            c.ellipse([x - r, 550 - h - r * 0.8, x + r, 550 - h + r * 0.8], (200, 212, 224, 45), blur=10)
    for _ in range(40):
        x, y = rng.uniform(846, 1174), 550 + rng.normal(0, 3)
        w = rng.uniform(8, 22)
        c.ellipse([x - w, y - 2.5, x + w, y + 3], (214, 224, 234, int(rng.uniform(60, 140))), blur=1.5)
    # rain: thin diagonal streaks
    lay, d = c.layer()
    for _ in range(420):
        x, y = rng.uniform(-100, W + 100), rng.uniform(-40, H)
        ln = rng.uniform(16, 40)
        d.line(sc([(x, y), (x - ln * 0.35, y + ln)]), fill=(190, 200, 215, int(rng.uniform(25, 70))),
               width=max(1, int(1 * SS)))
    c.put(lay, blur=0.5)
    c.save(path, vignette(0.5))


# --------------------------------------------------------------------------------------------------
# Title card and music, made with ffmpeg.

BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact"]


def title_card(path: Path, title: str = "THE LIGHTHOUSE KEEPER") -> None:
    """A 3 s card: over a still, dark sea-blue ground, the title and a thin rule fade in, then hold.
    Only the lettering changes from frame to frame, which keeps the file small."""
    gx, gy = grid()
    bg = ramp(np.hypot((gx - 640) / 1.6, gy - 380), [(0, (26, 36, 54)), (420, (12, 16, 28)), (900, (4, 6, 12))])
    glow(bg, 640, 560, 460, (24, 18, 10), 1.0, squash=0.2)    # a faint band of light on the horizon
    ground = Canvas(bg)
    text = Image.new("RGBA", ground.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(text)

    def spaced(line: str, size: int, y: float, fill: tuple, tracking: float) -> None:
        font = ImageFont.load_default(size=size * SS)
        widths = [font.getlength(ch) for ch in line]
        total = sum(widths) + tracking * SS * (len(line) - 1)
        x = W * SS / 2 - total / 2
        for ch, wd in zip(line, widths, strict=True):
            d.text((x, y * SS), ch, font=font, fill=fill, anchor="ls")
            x += wd + tracking * SS

    spaced(title, 62, 372, (236, 228, 212, 255), 9)
    d.line(sc([(560, 404), (720, 404)]), fill=(200, 170, 120, 255), width=int(1.2 * SS))
    spaced("A SHORT FILM", 20, 444, (150, 156, 170, 255), 6)
    with tempfile.TemporaryDirectory() as tmp:
        still, letters = Path(tmp) / "ground.png", Path(tmp) / "letters.png"
        ground.im.convert("RGB").resize((W, H), Image.Resampling.LANCZOS).save(still)
        # resample with premultiplied alpha, so the letters' edges do not darken
        text.convert("RGBa").resize((W, H), Image.Resampling.LANCZOS).convert("RGBA").save(letters)
        path.parent.mkdir(parents=True, exist_ok=True)
        run(["-loop", "1", "-framerate", "24", "-i", str(still),
             "-loop", "1", "-framerate", "24", "-i", str(letters),
             "-filter_complex", "[1:v]format=rgba,fade=t=in:st=0.3:d=1.5:alpha=1[t];"
                                "[0:v][t]overlay=format=auto,format=yuv420p[v]",
             "-map", "[v]", "-frames:v", "72",
             "-c:v", "libx264", "-preset", "slow", "-tune", "stillimage", "-crf", "26",
             "-threads", "1", "-r", "24", "-an", "-movflags", "+faststart", *BITEXACT, str(path)],
            what="title card")


def midi(n: int) -> float:
    return 440.0 * 2 ** ((n - 69) / 12)


MUSIC_RATE = 16000          # the pad is low-passed at 5 kHz, so 16 kHz loses nothing and halves the size


def music_expr(seconds: float) -> str:
    """A calm pad: four slow chords (D add9, Bm7, Gmaj7, A add9), a soft bass, and a few bell notes,
    written as one aevalsrc expression."""
    chords = [
        (38, [50, 54, 57, 64]),      # D  add9
        (35, [50, 54, 57, 62]),      # Bm7
        (43, [50, 54, 59, 62]),      # Gmaj7
        (45, [49, 52, 57, 64]),      # A  add9
    ]
    span = seconds / len(chords)
    xf = 2.0                          # crossfade between chords, seconds

    def env(t0: float, t1: float) -> str:
        up = f"clip((t-{t0 - xf / 2:.3f})/{xf},0,1)"
        down = f"clip(({t1 + xf / 2:.3f}-t)/{xf},0,1)"
        return f"(sin({up}*PI/2)*sin({down}*PI/2))"   # sin/cos crossfades keep the power level

    terms = []
    for i, (bass, notes) in enumerate(chords):
        t0, t1 = i * span, (i + 1) * span
        if i == 0:
            t0 = -xf
        if i == len(chords) - 1:
            t1 = seconds + xf
        voices = [f"0.16*sin(2*PI*{midi(bass):.3f}*t)", f"0.05*sin(4*PI*{midi(bass):.3f}*t)"]
        for k, n in enumerate(notes):
            f = midi(n)
            voices.append(f"0.055*(sin(2*PI*{f:.3f}*t)+sin(2*PI*{f * 1.003:.3f}*t+{k})"
                          f"+0.3*sin(4*PI*{f:.3f}*t))")
        terms.append(f"{env(t0, t1)}*({'+'.join(voices)})")
    pad = f"(0.85+0.15*sin(2*PI*0.11*t))*({'+'.join(terms)})"
    # bell notes: chord tones an octave or two up, one every 1.875 s, each decaying over ~2 s
    bells = []
    pattern = [[74, 78, 81, 76], [74, 78, 81, 83], [74, 79, 83, 78], [73, 76, 81, 76]]
    step = span / 4
    for i, notes in enumerate(pattern):
        for j, n in enumerate(notes):
            t0 = i * span + j * step + 0.4
            if t0 > seconds - 3.5:
                continue
            f = midi(n)
            bells.append(f"between(t,{t0:.3f},{t0 + 4:.3f})*exp(-1.6*(t-{t0:.3f}))*"
                         f"(0.07*sin(2*PI*{f:.3f}*(t-{t0:.3f}))+0.015*sin(6*PI*{f:.3f}*(t-{t0:.3f})))")
    return f"{pad}+{'+'.join(bells)}"


def music_filters(seconds: float) -> str:
    """Some space from two echoes, a gentle top end, and fades at both ends."""
    return (f"aecho=0.8:0.55:180|330:0.28|0.18,lowpass=f=5000,atrim=end={seconds},"
            f"afade=t=in:d=1.5,afade=t=out:st={seconds - 3}:d=3,volume=2.6")


def music(path: Path, seconds: float = 30.0) -> None:
    """The music bed: AAC, mono, low bitrate (the pad is soft and band-limited, so it survives that)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run(["-f", "lavfi", "-i", f"aevalsrc=exprs='{music_expr(seconds)}':s={MUSIC_RATE}:d={seconds}:c=mono",
         "-af", music_filters(seconds),
         "-c:a", "aac", "-b:a", "24k", "-ar", str(MUSIC_RATE), "-ac", "1", "-movflags", "+faststart",
         *BITEXACT, str(path)], what="music bed")


# --------------------------------------------------------------------------------------------------

def main(words: list[str]) -> None:
    film = ASSETS / "short-film"
    jobs: list[tuple[str, Callable[[], None]]] = [
        ("rocket/pad.jpg", lambda: rocket_pad(ASSETS / "rocket" / "pad.jpg")),
        ("watch/front.jpg watch/side.jpg",
         lambda: watch_pictures(ASSETS / "watch" / "front.jpg", ASSETS / "watch" / "side.jpg")),
        ("short-film/title.mp4", lambda: title_card(film / "title.mp4")),
        ("short-film/shore.jpg", lambda: shore(film / "shore.jpg")),
        ("short-film/storm.jpg", lambda: storm(film / "storm.jpg")),
        ("short-film/music.m4a", lambda: music(film / "music.m4a")),
    ]
    for names, make in jobs:
        if not words or any(word in names for word in words):
            make()
    total = 0
    for path in sorted(p for p in ASSETS.rglob("*") if p.is_file()):
        info, size = probe(path), path.stat().st_size
        total += size
        what = f"{info.width}x{info.height}" if info.kind == "image" else f"{info.duration_s:.2f} s"
        print(f"{path.relative_to(HERE)}  {size / 1024:6.1f} KiB  {info.kind} {what}")
    print(f"total {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
