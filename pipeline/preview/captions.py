"""Captions for the player's <track>: browsers take WebVTT only, so SRT is converted.

The exporter's final.srt is the source when it exists (it knows the cut as assembled); before it does,
the cues come from the storyboard's captions at the planned times, so the page has captions at every stage.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..layout import Layout
from ..plan import Plan

TIMING = re.compile(r"(\d+:\d{2}:\d{2}),(\d{3})")
TIMING_LINE = re.compile(r"^\s*\d+:\d{2}:\d{2}[,.]\d{3}\s*-->")


def srt_to_vtt(srt: str) -> str:
    """SRT text as WebVTT: a header, dots for decimal commas in timings, cue numbers kept as cue ids."""
    lines = srt.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    out = ["WEBVTT", ""]
    for line in lines:
        out.append(TIMING.sub(r"\1.\2", line) if TIMING_LINE.match(line) else _safe(line))
    return "\n".join(out).rstrip("\n") + "\n"


def _safe(line: str) -> str:
    # "-->" outside a timing line ends a cue early in VTT; SRT allows it in the text
    return line.replace("-->", "→")


def from_plan(plan: Plan, starts: dict[str, float]) -> str | None:
    """Cues from the shots' `caption:` at their start in the cut (`starts`: shot id -> seconds); None if none."""
    cues = [(starts.get(p.id, p.start_s), p.duration_s, p.shot.caption) for p in plan.shots if p.shot.caption]
    if not cues:
        return None
    blocks = [f"{n}\n{timestamp(start)} --> {timestamp(start + length)}\n{_safe(' '.join(caption.split()))}"
              for n, (start, length, caption) in enumerate(cues, 1)]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm as VTT writes it."""
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_for(out_dir: Path, plan: Plan, starts: dict[str, float]) -> str | None:
    """The page's captions: out_dir/final.srt converted, else the storyboard's captions, else None."""
    try:
        return srt_to_vtt(Layout(out_dir).captions.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return from_plan(plan, starts)
