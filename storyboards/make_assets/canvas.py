"""The supersampled canvas: pictures are drawn at twice the delivered size, in 1280x720 coordinates.

Working in delivered units everywhere keeps the scenes readable; only this module knows about SS.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .outputs import save_jpeg

W, H = 1280, 720          # delivered keyframe size
SS = 2                    # supersampling factor: everything is drawn at 2560x1440

Color = tuple[int, int, int]
Point = tuple[float, float]


def pixel_centres(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates of a supersampled w x h canvas, in delivered units."""
    ys = (np.arange(h * SS, dtype=np.float32) + 0.5) / SS
    xs = (np.arange(w * SS, dtype=np.float32) + 0.5) / SS
    return np.meshgrid(xs, ys)


@functools.cache
def grid(w: int = W, h: int = H) -> tuple[np.ndarray, np.ndarray]:
    """pixel_centres, cached because every scene asks for it (shared: never modify)."""
    return pixel_centres(w, h)


def sc(pts: Iterable[Point]) -> list[tuple[float, float]]:
    return [(x * SS, y * SS) for x, y in pts]


def px(width: float) -> int:
    """A line width in supersampled pixels; never 0, which Pillow would draw as nothing."""
    return max(1, int(width * SS))


def to_image(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def rgba_from(rgb: np.ndarray, mask: np.ndarray) -> Image.Image:
    """A float colour array cut out by a coverage mask in [0, 1]."""
    im = to_image(rgb).convert("RGBA")
    im.putalpha(Image.fromarray((np.clip(mask, 0, 1) * 255).astype(np.uint8)))
    return im


def soften(im: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur with the radius in delivered pixels."""
    return im.filter(ImageFilter.GaussianBlur(radius * SS))


class Pen:
    """ImageDraw taking delivered-unit points, boxes and widths, for drawing many strokes on one layer."""

    def __init__(self, im: Image.Image):
        self.draw = ImageDraw.Draw(im)

    def line(self, pts: Iterable[Point], fill: tuple, width: float) -> None:
        self.draw.line(sc(pts), fill=fill, width=px(width))

    def polygon(self, pts: Iterable[Point], fill: tuple | int) -> None:
        self.draw.polygon(sc(pts), fill=fill)

    def ellipse(self, box: Sequence[float], fill: tuple | int | None = None, outline: tuple | None = None,
                width: float | None = None) -> None:
        corners = sc([(box[0], box[1]), (box[2], box[3])])
        self.draw.ellipse(corners, fill=fill, outline=outline, width=1 if width is None else px(width))

    def arc(self, box: Sequence[float], start: float, end: float, fill: tuple, width: float) -> None:
        self.draw.arc(sc([(box[0], box[1]), (box[2], box[3])]), start, end, fill=fill, width=px(width))

    def rounded_rectangle(self, box: Sequence[float], radius: float, fill: tuple) -> None:
        self.draw.rounded_rectangle([v * SS for v in box], radius=radius * SS, fill=fill)


class Canvas:
    """An RGBA picture at supersampled size, drawn on in 1280x720 coordinates."""

    def __init__(self, base: np.ndarray):
        self.im = to_image(base).convert("RGBA")

    @property
    def size(self) -> tuple[int, int]:
        return self.im.size

    def layer(self) -> tuple[Image.Image, Pen]:
        lay = Image.new("RGBA", self.im.size, (0, 0, 0, 0))
        return lay, Pen(lay)

    def put(self, lay: Image.Image, blur: float = 0.0) -> None:
        self.im.alpha_composite(soften(lay, blur) if blur else lay)

    def _shape(self, pts: list[tuple[float, float]], pad: float, blur: float,
               draw: Callable[[ImageDraw.ImageDraw, list[tuple[float, float]]], None]) -> None:
        """Draw a shape on a layer just big enough for it (and its blur), then composite it in place.
        Blurring a full-canvas layer for every small shape would make the scenes several times slower."""
        margin = pad + 3 * blur * SS + 2
        x0 = max(0, int(min(x for x, _ in pts) - margin))
        y0 = max(0, int(min(y for _, y in pts) - margin))
        x1 = min(self.im.width, int(max(x for x, _ in pts) + margin) + 1)
        y1 = min(self.im.height, int(max(y for _, y in pts) + margin) + 1)
        if x1 <= x0 or y1 <= y0:
            return
        lay = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
        draw(ImageDraw.Draw(lay), [(x - x0, y - y0) for x, y in pts])
        self.im.alpha_composite(soften(lay, blur) if blur else lay, dest=(x0, y0))

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
        self.im = to_image(arr).convert("RGBA")

    def downsampled(self) -> Image.Image:
        """The picture at delivered size; Lanczos is what makes the supersampling an anti-aliasing."""
        return self.im.convert("RGB").resize((W, H), Image.Resampling.LANCZOS)

    def save(self, path: Path, grade: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        small = self.downsampled()
        if grade is not None:
            small = to_image(grade(np.asarray(small, np.float32)))
        save_jpeg(small, path)
