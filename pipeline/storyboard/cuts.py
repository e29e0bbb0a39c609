"""How much of its clip a shot plays (`in`, `out`, `length`) and where its cut falls (`snap`, `cut: beats`),
as values: times become whole frames at the cut's rate here, so every later check and plan counts frames.

checks.check_trims holds them against the shot's clip; plan.py lays them on the timeline.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .. import formats

MAX_FRAMES = 3600 * formats.FPS  # an hour: no clip a storyboard names is longer
_TIME = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(s|sec|seconds?|f|frames?)?")
_BEATS = re.compile(r"(\d+)\s*(beats?|bars?)")
SNAPS = ("beat", "downbeat")


class Beats(BaseModel):
    """`length: 8 beats` (or `2 bars`, four beats each): the shot lasts that many beats of the bed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    beats: int = Field(ge=1, le=512)


def _frames(value: object) -> object:
    """0.5, '0.5s', '12f', '12 frames' -> whole frames at the cut's rate (seconds round to the nearest frame)."""
    text = str(value).strip().lower() if isinstance(value, str | int | float) and not isinstance(value, bool) \
        else None
    match = _TIME.fullmatch(text or "")
    if match is None:
        raise PydanticCustomError("pipeline", "{got} is not a time in the clip; give seconds (`0.5s`) or frames "
                                  "(`12f`)", {"got": repr(value)})
    number, unit = float(match[1]), match[2] or "s"
    if unit.startswith("f") and not number.is_integer():
        raise PydanticCustomError("pipeline", "{got} is not a whole number of frames; give whole frames or "
                                  "seconds (`0.5s`)", {"got": repr(value)})
    frames = int(number) if unit.startswith("f") else formats.frames_for(number)
    if frames > MAX_FRAMES:
        raise PydanticCustomError("pipeline", "{got} is longer than any clip (an hour); give a time in the clip",
                                  {"got": repr(value)})
    return frames


def _length(value: object) -> object:
    if isinstance(value, Beats | dict):
        return value
    match = _BEATS.fullmatch(value.strip().lower()) if isinstance(value, str) else None
    if match:
        return {"beats": int(match[1]) * (4 if match[2].startswith("bar") else 1)}
    frames = _frames(value)
    if not frames:
        raise PydanticCustomError("pipeline", "a shot cannot last no time; give a length like `3.5s`, `84f` or "
                                  "`8 beats`")
    return frames


Frames = Annotated[int, BeforeValidator(_frames, json_schema_input_type=str | float)]
Length = Annotated[int | Beats, BeforeValidator(_length, json_schema_input_type=str | float)]
Snap = Literal[SNAPS]
CUTS = ("shots", "beats")
CutMode = Literal[CUTS]


def said(frames: int) -> str:
    """Frames as a user reads them: seconds, and the frames when the seconds are not exact."""
    seconds = frames / formats.FPS
    return f"{seconds:g}s" if (seconds * 1000).is_integer() else f"{seconds:.3f}s ({frames} frames)"


def played(shot, clip_frames: int) -> tuple[int, int]:
    """(first frame, frames played) of a shot's clip of `clip_frames` frames, before any snapping; a length in
    beats plays to the clip's end until the plan knows the beats."""
    first = shot.in_ or 0
    if shot.out is not None:
        return first, shot.out - first
    if isinstance(shot.length, int):
        return first, shot.length
    return first, clip_frames - first


def uses_beats(board) -> bool:
    """Does the storyboard cut to the music bed's beats anywhere?"""
    return board.cut == "beats" or any(s.snap or isinstance(s.length, Beats) for s in board.shots)
