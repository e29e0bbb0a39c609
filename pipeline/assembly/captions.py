"""The cut's captions: each shot's `caption:` made safe to show, timed where the shot lands, as SRT.

One cue per captioned shot, from its first frame in the cut until the next shot starts (cues never overlap:
mov_text and most players show one cue at a time). The same SRT is muxed into final.mp4 as its mov_text
subtitle stream and written beside it as final.srt, so the two cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import formats

LANGUAGE = "eng"  # ISO 639-2; players hide a track tagged "und" (undetermined) from their default choice
BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")  # every line break SRT readers may honour, as \n
SURROGATE = re.compile(r"[\ud800-\udfff]")
UNDRAWABLE = "\ufffd"  # what a lone surrogate becomes: visible, so the author sees something was wrong


@dataclass(frozen=True)
class Cue:
    start: int  # first frame in the cut
    end: int  # the frame after the last one it shows
    text: str  # cleaned: lines of text, no blank line, no "-->"


def clean(text: str) -> str:
    """Caption text that cannot break an SRT or a mux: one line per non-blank line (blank lines would end
    the cue and start a fake one), "-->" as "→" (it would read as a timing line), control characters
    dropped (tabs as spaces), lone surrogates (not encodable as UTF-8) shown as U+FFFD, spaces collapsed."""
    text = BREAKS.sub("\n", SURROGATE.sub(UNDRAWABLE, text))
    text = "".join(c if c == "\n" or unicodedata.category(c) != "Cc" else " " * c.isspace() for c in text)
    lines = (" ".join(line.split()) for line in text.replace("-->", "→").split("\n"))
    return "\n".join(line for line in lines if line)


def cues(shots: list[tuple[int, str | None]], runtime: int) -> list[Cue]:
    """The cues of shots given as (first frame in the cut, caption or None), in cut order."""
    ends = [*(start for start, _ in shots[1:]), runtime]
    found = [Cue(start, end, clean(caption)) for (start, caption), end in zip(shots, ends, strict=True)
             if caption]
    return [cue for cue in found if cue.text and cue.end > cue.start]


def srt(found: list[Cue]) -> str:
    """SubRip text of the cues, numbered from 1; empty when there are none."""
    return "".join(f"{n}\n{_clock(c.start)} --> {_clock(c.end)}\n{c.text}\n\n" for n, c in enumerate(found, 1))


def _clock(frame: int) -> str:
    ms = round(frame * 1000 / formats.FPS)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
