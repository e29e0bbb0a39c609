"""Checks of how much of its clip each shot plays (`in`, `out`, `length`) and of cuts to the beats, which
need a music bed."""

from __future__ import annotations

from collections.abc import Iterator

from .. import formats
from ..errors import Problem
from ..plan import parent_of
from . import cuts
from .context import Context
from .media_checks import media_of
from .model import Shot


def check_trims(ctx: Context) -> Iterator[Problem]:
    """`in`, `out` and `length` stay inside the shot's clip, in whole frames; beats need a music bed."""
    extended = {parent: ctx.ids[i] for i, s, before in _with_previous(ctx) if (parent := _parent_of(s, before))}
    for index, shot in ctx.shots:
        where, clip = f"shots[{index}]", clip_frames(ctx, shot)
        if clip is None or (shot.in_, shot.out, shot.length) == (None, None, None):
            continue
        first, frames = cuts.played(shot, clip)
        if shot.out is not None and shot.length is not None:
            yield ctx.at(("shots", index, "length"), f"{where}.length: the shot has an `out` already; give `out` "
                         "or `length`, not both", key=True)
        elif first >= clip:
            yield ctx.at(("shots", index, "in"), f"{where}.in: {cuts.said(first)} is at or past the end of its "
                         f"{cuts.said(clip)} clip; give a time before {cuts.said(clip)}")
        elif shot.out is not None and not first < shot.out <= clip:
            yield ctx.at(("shots", index, "out"), f"{where}.out: {cuts.said(shot.out)} is "
                         + (f"past the end of its {cuts.said(clip)} clip; give {cuts.said(clip)} or less"
                            if shot.out > clip else f"not after its in point ({cuts.said(first)}); give a later "
                            "time"))
        elif first + frames > clip:
            yield ctx.at(("shots", index, "length"), f"{where}.length: {cuts.said(frames)} from "
                         f"{cuts.said(first)} runs past the end of its {cuts.said(clip)} clip; give "
                         f"{cuts.said(clip - first)} or less")
        elif first + frames < clip and ctx.ids[index] in extended:
            yield ctx.at(("shots", index, "out" if shot.out is not None else "length"),
                         f"{where}: `{extended[ctx.ids[index]]}` extends this shot from its clip's last frame, "
                         "which this trim leaves out, so the cut jumps there; give the extension `start: none` "
                         "or trim only where a jump is wanted", key=True, severity="warning")
    yield from _beats_need_music(ctx)


def _with_previous(ctx: Context) -> Iterator[tuple[int, Shot, tuple[str, Shot] | None]]:
    """(index, shot, (id, shot) of the shot before it that validated): ctx.shots is in file order."""
    before = None
    for index, shot in ctx.shots:
        yield index, shot, before
        before = (ctx.ids[index], shot)


def _parent_of(shot: Shot, before: tuple[str, Shot] | None) -> str | None:
    return parent_of(shot, before) if shot.clip is None else None


def clip_frames(ctx: Context, shot: Shot) -> int | None:
    """Frames of the shot's clip: its footage's, or what it generates; None when its footage is unreadable."""
    if shot.clip is None:
        return formats.frames_for(shot.duration or ctx.board.duration)
    info = media_of(ctx, shot.clip)
    return (formats.frames_for(info.duration_s) if info else 0) or None  # no video: check_files says so


def _beats_need_music(ctx: Context) -> Iterator[Problem]:
    if ctx.board.audio is not None:
        return
    if ctx.board.cut == "beats":
        yield ctx.at(("cut",), "cut: `beats` cuts to the beats of the music bed, and the storyboard has none; add "
                     "`audio: {path: ...}` or set `cut: shots`")
    for index, shot in ctx.shots:
        for name, value in (("length", shot.length), ("snap", shot.snap)):
            if value is not None and (name == "snap" or isinstance(value, cuts.Beats)):
                yield ctx.at(("shots", index, name), f"shots[{index}].{name}: counts beats of the music bed, and "
                             "the storyboard has none; add `audio: {path: ...}` or give a length in seconds")
