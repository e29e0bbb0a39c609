"""The short film's title clip: lettering fading in over a still, dark sea-blue ground."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .canvas import SS, Canvas, H, Pen, W, grid
from .gradients import glow, ramp
from .outputs import encode

FPS = "24"


def title_card(path: Path, title: str = "THE LIGHTHOUSE KEEPER") -> None:
    """A 3 s card: over a still, dark sea-blue ground, the title and a thin rule fade in, then hold.
    Only the lettering changes from frame to frame, which keeps the file small."""
    with tempfile.TemporaryDirectory() as tmp:
        still, letters = Path(tmp) / "ground.png", Path(tmp) / "letters.png"
        title_ground().downsampled().save(still)
        # resample with premultiplied alpha, so the letters' edges do not darken
        lettering(title).convert("RGBa").resize((W, H), Image.Resampling.LANCZOS).convert("RGBA").save(letters)
        encode(["-loop", "1", "-framerate", FPS, "-i", str(still),
                "-loop", "1", "-framerate", FPS, "-i", str(letters),
                "-filter_complex", "[1:v]format=rgba,fade=t=in:st=0.3:d=1.5:alpha=1[t];"
                                   "[0:v][t]overlay=format=auto,format=yuv420p[v]",
                "-map", "[v]", "-frames:v", "72",
                "-c:v", "libx264", "-preset", "slow", "-tune", "stillimage", "-crf", "26",
                "-threads", "1", "-r", FPS, "-an", "-movflags", "+faststart"], path, "title card")


def title_ground() -> Canvas:
    gx, gy = grid()
    bg = ramp(np.hypot((gx - 640) / 1.6, gy - 380), [(0, (26, 36, 54)), (420, (12, 16, 28)), (900, (4, 6, 12))])
    glow(bg, 640, 560, 460, (24, 18, 10), 1.0, squash=0.2)    # a faint band of light on the horizon
    return Canvas(bg)


def lettering(title: str) -> Image.Image:
    """Title, rule and subtitle on a transparent supersampled layer."""
    text = Image.new("RGBA", (W * SS, H * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(text)
    spaced(draw, title, 62, 372, (236, 228, 212, 255), 9)
    Pen(text).line([(560, 404), (720, 404)], (200, 170, 120, 255), 1.2)
    spaced(draw, "A SHORT FILM", 20, 444, (150, 156, 170, 255), 6)
    return text


def spaced(draw: ImageDraw.ImageDraw, line: str, size: int, y: float, fill: tuple, tracking: float) -> None:
    """One line centred across the frame, letter by letter, so that it can be tracked out."""
    font = ImageFont.load_default(size=size * SS)
    widths = [font.getlength(ch) for ch in line]
    total = sum(widths) + tracking * SS * (len(line) - 1)
    x = W * SS / 2 - total / 2
    for ch, wd in zip(line, widths, strict=True):
        draw.text((x, y * SS), ch, font=font, fill=fill, anchor="ls")
        x += wd + tracking * SS
