"""Words on pictures: the slate of a text-to-video shot and the caption band burnt into every shot.

Text uses Pillow's own scalable font (ImageFont.load_default with a size), so renders look the same on
every machine and need no system fonts.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import math

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


ROOM = 1.5  # a slate is drawn this much bigger than the frame, text centred, so moves have picture to show


def _hue(seed: str) -> float:
    return hashlib.sha256(seed.encode()).digest()[0] / 255


def _gradient(size: tuple[int, int], hue: float) -> Image.Image:
    """A calm vertical gradient of `hue`."""
    top = np.array(colorsys.hsv_to_rgb(hue, 0.45, 0.34)) * 255
    bottom = np.array(colorsys.hsv_to_rgb((hue + 0.08) % 1, 0.55, 0.12)) * 255
    t = np.linspace(0, 1, size[1], dtype=np.float32)[:, None, None]
    rows = top * (1 - t) + bottom * t
    return Image.fromarray(np.broadcast_to(rows, (size[1], size[0], 3)).astype(np.uint8))


def slate(shot_id: str, prompt: str | None, size: tuple[int, int], *, family: str | None = None,
          room: bool = False) -> Image.Image:
    """The picture of a shot with no start keyframe: its id large, its prompt wrapped below, on a gradient
    whose hue comes from `family` (a text-only chain's first shot; default the shot itself) and is nudged
    for each later panel of the chain, so each chain has its colour and each panel its own. With `room` the
    picture is ROOM times the frame (sides grown by multiples of 4), the text laid out for the centred frame."""
    hue = _hue(family or shot_id)
    if family not in (None, shot_id):
        hue = (hue + 0.06 * (_hue(shot_id) - 0.5)) % 1
    width, height = size
    margin = [2 * math.floor(side * (ROOM - 1) / 4) if room else 0 for side in size]
    image = _gradient((width + 2 * margin[0], height + 2 * margin[1]), hue)
    draw = ImageDraw.Draw(image)
    unit, (left, top) = min(width, height), margin
    title = font(max(12, unit // 7))
    while title.size > 12 and title.getlength(shot_id) > width * 0.9:
        title = font(title.size - 4)
    draw.text((left + width / 2, top + height * 0.36), shot_id, font=title, fill=WHITE, anchor="mm")
    body = font(max(10, unit // 22))
    lines = wrap(prompt or "", body, width * 0.82)[:7]
    step = body.size * 1.35
    for n, line in enumerate(lines):
        draw.text((left + width / 2, top + height * 0.36 + title.size * 0.9 + n * step), line, font=body,
                  fill=SOFT, anchor="ma")
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
