"""Caption text made fit to burn into the picture: every character one the fonts can draw (the others become
a visible U+FFFD), and lines that fit the frame, long words broken across lines.

libass draws the captions in the animatic's face and, for a character it lacks, in a system font fontconfig
offers for it; a character neither covers would be drawn as nothing or a box, so it is replaced, and said.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from PIL import ImageFont

from .captions import UNDRAWABLE

NOTDEF_PROBE = "\U0010fffd"  # a private-use code point no font maps: what a font draws for a missing glyph


@functools.cache
def face(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def drawable(text: str, size: int = 32) -> tuple[str, list[str]]:
    """`text` with each character no font can draw replaced by U+FFFD, and those characters (once each)."""
    missing = list(dict.fromkeys(c for c in text if not _covered(c, size)))
    return "".join(UNDRAWABLE if c in missing else c for c in text), missing


@functools.cache
def _covered(char: str, size: int) -> bool:
    if char.isspace():
        return True
    if _has_glyph(face(size), char):
        return True
    fallback = _fallback_font(char)
    return fallback is not None and _has_glyph(ImageFont.truetype(fallback, size), char)


def _has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether `font` maps `char` to a glyph of its own, not the one it draws for any missing character."""
    return _drawn(font, char) != _drawn(font, NOTDEF_PROBE)


def _drawn(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return font.getlength(char), mask.size, bytes(mask)


@functools.cache
def _fallback_font(char: str) -> str | None:
    """The font file fontconfig offers for `char` (as libass asks it), or None where there is no fontconfig."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run([fc_match, "--format=%{file}", f"sans-serif:charset={ord(char):x}"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def wrapped(text: str, size: int, width: float) -> str:
    """`text`'s lines wrapped at spaces to `width` pixels in the face at `size`; a word longer than a line is
    broken across lines, so no line runs off the frame."""
    font = face(size)
    return "\n".join(out for line in text.split("\n") for out in _wrap_line(line, font, width))


def _wrap_line(line: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in line.split():
        for piece in _pieces(word, font, width):
            if lines and font.getlength(f"{lines[-1]} {piece}") <= width:
                lines[-1] = f"{lines[-1]} {piece}"
            else:
                lines.append(piece)
    return lines or [""]


def _pieces(word: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """A word cut into runs no wider than `width` (a word that fits is one run)."""
    pieces = [""]
    for char in word:
        if pieces[-1] and font.getlength(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces
