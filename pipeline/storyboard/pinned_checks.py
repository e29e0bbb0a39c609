"""Checks of keyframes pinned inside a shot (`keyframes: [{at: 2.5s, image: ...}]`): that the provider's model
pins them, how many it takes, that each lands on a frame of the shot, and that the shot asks nothing the API
refuses beside them (a start or end keyframe, an extension, a loop)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import formats, providers
from ..errors import Problem
from .context import Context
from .model import NONE, Shot

GRID_SLACK = 1e-6  # seconds: `at: 2.5s` is frame 60 exactly, float parsing aside


def check_pinned(ctx: Context) -> Iterator[Problem]:
    spec = providers.spec(ctx.provider)
    offered = spec.capabilities.models.get(ctx.board.model)
    previous: Shot | None = None
    for index, shot in ctx.shots:
        if shot.keyframes and shot.clip is None and offered is not None:
            if not offered.pinned_keyframes:
                yield _cannot(ctx, index, spec.title)
            else:
                yield from _count(ctx, index, shot, offered.pinned_keyframes, spec.title)
            yield from _times(ctx, index, shot)
            yield from _exclusive(ctx, index, shot, previous)
        previous = shot


def _cannot(ctx: Context, index: int, title: str) -> Problem:
    able = [f"{name} ({', '.join(models)})" for name, models in _pinning(ctx.provider)]
    return ctx.at(("shots", index, "keyframes"), f"shots[{index}].keyframes: {title} (provider {ctx.provider}) "
                  f"cannot pin keyframes inside a shot with {ctx.board.model}; give the shot a `start` or `end` "
                  "image instead" + (f", or use a provider and model that can: {'; '.join(able)}" if able else ""),
                  key=True)


def _pinning(current: str) -> list[tuple[str, list[str]]]:
    """(provider, its models that pin keyframes) for every other provider that has any."""
    found = [(name, [m for m, caps in s.capabilities.models.items() if caps.pinned_keyframes])
             for name, s in providers.PROVIDERS.items() if name != current]
    return [(name, models) for name, models in found if models]


def _count(ctx: Context, index: int, shot: Shot, most: int, title: str) -> Iterator[Problem]:
    if len(shot.keyframes) > most:
        yield ctx.at(("shots", index, "keyframes"), f"shots[{index}].keyframes: {len(shot.keyframes)} pinned "
                     f"keyframes, and {title} pins at most {most} in one shot; remove some, or split the shot in "
                     "two", key=True)


def _times(ctx: Context, index: int, shot: Shot) -> Iterator[Problem]:
    """Each `at` inside the shot (0 to its duration, both ends included), on a frame, and no frame twice."""
    seconds = shot.duration or ctx.board.duration
    seen: dict[int, int] = {}
    for n, pinned in enumerate(shot.keyframes):
        where, path = f"shots[{index}].keyframes[{n}].at", ("shots", index, "keyframes", n, "at")
        frame = round(pinned.at * formats.FPS)
        if pinned.at > seconds + GRID_SLACK:
            yield ctx.at(path, f"{where}: {pinned.at:g}s is after the end of this {seconds}s shot; pin it from "
                               f"0s to {seconds}s")
        elif abs(frame - pinned.at * formats.FPS) > GRID_SLACK * formats.FPS:
            below, above = int(pinned.at * formats.FPS), int(pinned.at * formats.FPS) + 1
            yield ctx.at(path, f"{where}: {pinned.at:g}s falls between two frames (the grid is 1/{formats.FPS} s); "
                               f"use {_seconds(below)} (frame {below}) or {_seconds(above)} (frame {above})")
        elif frame in seen:
            yield ctx.at(path, f"{where}: keyframes[{seen[frame]}] is pinned at the same frame ({frame}); give "
                               "each keyframe its own time")
        else:
            seen[frame] = n


def _seconds(frame: int) -> str:
    return f"{frame / formats.FPS:.4f}".rstrip("0").rstrip(".") + "s"


def _exclusive(ctx: Context, index: int, shot: Shot, previous: Shot | None) -> Iterator[Problem]:
    """Pinned keyframes replace a shot's start and end: the API refuses them with start/end frames or loop."""
    where = f"shots[{index}]"
    if shot.start is not None and shot.start != NONE:
        yield ctx.at(("shots", index, "start"), f"{where}.start: a shot with pinned `keyframes` cannot also have "
                     "a start keyframe or extend another shot; pin the start picture `at: 0s` in `keyframes`, or "
                     "set `start: none`", key=True)
    elif shot.start is None and previous is not None and previous.clip is None:
        yield ctx.at(("shots", index, "keyframes"), f"{where}: a shot without `start` extends the one before it, "
                     "and a shot with pinned `keyframes` cannot extend; add `start: none` to begin a new chain "
                     "from its keyframes", key=True)
    if shot.end is not None:
        yield ctx.at(("shots", index, "end"), f"{where}.end: a shot with pinned `keyframes` cannot also have an "
                     f"end keyframe; pin the end picture `at: {shot.duration or ctx.board.duration}s` in "
                     "`keyframes` instead, or remove `end`", key=True)
    if shot.loop if shot.loop is not None else ctx.board.loop:
        source = "" if shot.loop is not None else " (the storyboard's `loop: true` applies to it)"
        yield ctx.at(("shots", index, "loop") if shot.loop else ("shots", index, "keyframes"),
                     f"{where}: a shot with pinned `keyframes` cannot loop{source}; set `loop: false` on this shot",
                     key=True)
