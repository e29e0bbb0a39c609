"""Cuts moved onto the beats: each shot's cut goes to the nearest beat its clip can reach, never past the
clip's frames. Pure arithmetic on frames; plan.py calls it shot by shot as it lays out the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from .. import formats
from .grid import Grid


@dataclass(frozen=True)
class Reach:
    """What one shot allows: it starts at `start` in the cut, would play `frames` unsnapped, can play from
    `least` to `most` frames, and its cut falls `lead` frames before its end (half the next transition)."""

    start: int
    frames: int
    least: int
    most: int
    lead: int = 0


@dataclass(frozen=True)
class Snapped:
    frames: int
    moved: int  # frames the cut moved from where it would fall (later: positive); for a length in beats, from
    # that many beats
    on: str | None  # "beat" or "downbeat" it landed on; None when it could not reach one
    note: str | None = None


def snap(reach: Reach, grid: Grid, kind: str, *, beats: int | None = None) -> Snapped:
    """The shot's frames with its cut on the nearest reachable beat (of `kind`), or `beats` beats after the
    beat nearest its start; unchanged, with a note saying why, where no beat is in reach."""
    wanted = _wanted(reach, grid, beats)
    low, high = reach.start + reach.least - reach.lead, reach.start + reach.most - reach.lead
    times = grid.frames(kind)
    inside = [t for t in times if low <= t <= high]
    if not inside:
        return Snapped(reach.frames, 0, None, _unreachable(times, low, high, kind))
    cut = min(inside, key=lambda t: (abs(t - wanted), t))
    frames = cut + reach.lead - reach.start
    note = None
    if beats is not None and cut != wanted:
        note = f"{beats} beats from its start would cut at {wanted / formats.FPS:.3f} s, beyond what its clip " \
               f"allows; cut on the nearest {kind} it reaches"
    return Snapped(frames, cut - wanted, kind, note)


def _wanted(reach: Reach, grid: Grid, beats: int | None) -> int:
    """Where the cut would go: after its natural length, or `beats` beats past the beat nearest its start."""
    if beats is None:
        return reach.start + reach.frames - reach.lead
    times = grid.frames()
    at = grid.index_near(reach.start) + beats
    if at < len(times):
        return times[at]
    period = 60 / grid.tempo * formats.FPS if grid.tempo else 0  # past the last beat heard: count on in time
    last = times[-1] if times else reach.start
    return round(last + (at - len(times) + 1) * period)


def _unreachable(times: list[int], low: int, high: int, kind: str) -> str:
    later = [t for t in times if t > high]
    if later:
        return f"cannot reach a {kind}: the next one is at {later[0] / formats.FPS:.3f} s, " \
               f"{later[0] - high} frames past the end of its clip; it keeps its length"
    earlier = [t for t in times if t < low]
    if earlier:
        return f"cannot reach a {kind}: the bed has none after {earlier[-1] / formats.FPS:.3f} s; it keeps " \
               "its length"
    return f"cannot reach a {kind}: the bed has none; it keeps its length"
