"""Watch: a vintage gold watch with a cream dial on dark red velvet, from above and at an angle.

The strap, case and face are drawn flat once, then each picture views them through a perspective camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .canvas import SS, Canvas, H, W, grid, soften, to_image
from .gradients import vignette
from .noise import noise2d, wave1d
from .watch_dial import add_dial
from .watch_parts import WX, WY, polar, watch_case, watch_strap

THICKNESS = 34.0             # of the case, from the velvet up to the crystal
SIZE = (W * SS, H * SS)
FOCAL = DISTANCE = 2200.0    # a long lens, as for a product shot


@dataclass(frozen=True)
class View:
    """A camera looking down at the watch, turned by yaw, pitch and roll (degrees) about its centre."""

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    shift: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0

    def rotation(self) -> np.ndarray:
        a, b, g = (math.radians(v) for v in (self.yaw, self.pitch, self.roll))
        ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
        rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
        rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
        return rz @ rx @ ry

    def project(self, x: float, y: float, z: float) -> tuple[float, float]:
        """Where a point of the watch plane (lifted z towards the camera) lands, in supersampled pixels."""
        p = self.rotation() @ np.array([x, y, z])
        k = FOCAL / (DISTANCE - p[2]) * self.scale
        return (W / 2 + self.shift[0] + p[0] * k) * SS, (H / 2 + self.shift[1] + p[1] * k) * SS


FRONT = View()
SIDE = View(yaw=52, pitch=-14, roll=-28, shift=(-20, 10), scale=1.08)


def watch_pictures(front_path: Path, side_path: Path) -> None:
    R, A = polar()
    case = watch_case(R, A)
    head = case.copy()
    add_dial(head, R, A)
    strap = watch_strap()
    for path, view, fold_shift in ((front_path, FRONT, 0.0), (side_path, SIDE, 0.35)):
        c = Canvas(velvet(fold_shift))
        s = place(strap, view, -THICKNESS * 0.75)
        h = place(head, view, 0.0)
        c.im.alpha_composite(shadow_of([s, h], (18, 26)))
        c.im.alpha_composite(s)
        stack_case_side(c, case, view)
        c.im.alpha_composite(h)
        c.save(path, vignette(0.55, 1.6))


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


def perspective(view: View, z: float) -> list[float]:
    """Coefficients for Image.transform mapping the output canvas back into a padded watch layer, for
    the plane lifted by z. Solved from four corner correspondences (a homography has eight unknowns)."""
    src = [(-300.0, -300.0), (300.0, -300.0), (300.0, 300.0), (-300.0, 300.0)]
    rows, rhs = [], []
    for x, y in src:
        u, v = view.project(x, y, z)
        xi, yi = (x + WX) * SS, (y + WY) * SS
        rows.append([u, v, 1, 0, 0, 0, -u * xi, -v * xi])
        rows.append([0, 0, 0, u, v, 1, -u * yi, -v * yi])
        rhs += [xi, yi]
    return np.linalg.solve(np.array(rows), np.array(rhs)).tolist()


def place(layer: Image.Image, view: View, z: float) -> Image.Image:
    return layer.transform(SIZE, Image.Transform.PERSPECTIVE, perspective(view, z), Image.Resampling.BICUBIC)


def shadow_of(layers: list[Image.Image], offset: tuple[float, float]) -> Image.Image:
    """A soft dark shadow of the placed layers together, thrown by offset onto the velvet."""
    alpha = Image.new("L", SIZE, 0)
    for lay in layers:
        alpha = Image.fromarray(np.maximum(np.asarray(alpha), np.asarray(lay.getchannel("A"))))
    sh = Image.new("RGBA", SIZE, (10, 0, 2, 0))
    sh.putalpha(alpha.point(lambda v: int(v * 0.75)))
    sh = sh.transform(SIZE, Image.Transform.AFFINE, (1, 0, -offset[0] * SS, 0, 1, -offset[1] * SS))
    return soften(sh, 22)


def stack_case_side(c: Canvas, case: Image.Image, view: View) -> None:
    """The side of the case: its silhouette stacked from the velvet up to the crystal, darker below."""
    steps = 14
    for k in range(steps, 0, -1):
        arr = np.asarray(place(case, view, -THICKNESS * k / steps)).astype(np.float32)
        arr[..., :3] *= 0.42 + 0.4 * (1 - k / steps)
        c.im.alpha_composite(to_image(arr))
