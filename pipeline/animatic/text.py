"""Words on pictures: the slate of a text-to-video shot and the caption band burnt into every shot.

Text uses Pillow's own scalable font (ImageFont.load_default with a size), so renders look the same on
every machine and need no system fonts.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WHITE, SOFT = (255, 255, 255), (220, 224, 232)


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap to lines no wider than `width` (a word longer than a line gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def clip(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """`text`, cut at a word and ended with an ellipsis if it is wider than `width`."""
    if face.getlength(text) <= width:
        return text
    words = text.split()
    while words and face.getlength(" ".join(words) + " …") > width:
        words.pop()
    return " ".join(words) + " …" if words else "…"


def _gradient(size: tuple[int, int], seed: str) -> Image.Image:
    """A calm vertical gradient whose hue comes from `seed`, so each shot's slate has its own colour."""
    hue = hashlib.sha256(seed.encode()).digest()[0] / 255
    top = np.array(colorsys.hsv_to_rgb(hue, 0.45, 0.34)) * 255
    bottom = np.array(colorsys.hsv_to_rgb((hue + 0.08) % 1, 0.55, 0.12)) * 255
    t = np.linspace(0, 1, size[1], dtype=np.float32)[:, None, None]
    rows = top * (1 - t) + bottom * t
    return Image.fromarray(np.broadcast_to(rows, (size[1], size[0], 3)).astype(np.uint8))


def slate(shot_id: str, prompt: str | None, size: tuple[int, int]) -> Image.Image:
    """The opening picture of a shot with no start keyframe: its id large, its prompt wrapped below."""
    image = _gradient(size, shot_id)
    draw = ImageDraw.Draw(image)
    width, height = size
    unit = min(width, height)
    title = font(max(12, unit // 7))
    while title.size > 12 and title.getlength(shot_id) > width * 0.9:
        title = font(title.size - 4)
    draw.text((width / 2, height * 0.36), shot_id, font=title, fill=WHITE, anchor="mm")
    body = font(max(10, unit // 22))
    lines = wrap(prompt or "", body, width * 0.82)[:7]
    step = body.size * 1.35
    for n, line in enumerate(lines):
        draw.text((width / 2, height * 0.36 + title.size * 0.9 + n * step), line, font=body, fill=SOFT,
                  anchor="ma")
    return image


def caption(shot_id: str, prompt: str | None, width: int, height: int) -> Image.Image:
    """An RGBA band `height` tall: a dark translucent strip with the shot id and its (clipped) prompt."""
    band = Image.new("RGBA", (width, height), (0, 0, 0, 150))
    draw = ImageDraw.Draw(band)
    face = font(max(8, round(height * 0.55)))
    pad = height * 0.4
    label = f"{shot_id} · {prompt}" if prompt else shot_id
    draw.text((pad, height / 2), clip(" ".join(label.split()), face, width - 2 * pad), font=face,
              fill=(*WHITE, 255), anchor="lm")
    return band
