"""A bed's beats as the cut hears them: the file's beat times moved by the bed's offset, repeated each time
the bed loops, in frames of the cut. Pure: the analysis comes from beats.py."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .. import formats

EARLY = -0.5 / formats.FPS  # a beat less than half a frame before the cut starts is heard on its first frame


@dataclass(frozen=True)
class Analysis:
    """What beat tracking found in a sound file (times in seconds of the file)."""

    tempo: float  # beats a minute
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]  # the first beat of each bar (a subset of beats)
    duration: float  # seconds of sound in the file

    def to_json(self) -> dict:
        return {"tempo_bpm": round(self.tempo, 3), "duration_s": round(self.duration, 6),
                "beats_s": [round(t, 6) for t in self.beats], "downbeats_s": [round(t, 6) for t in self.downbeats]}

    @classmethod
    def from_json(cls, data: dict) -> Analysis:
        return cls(float(data["tempo_bpm"]), tuple(data["beats_s"]), tuple(data["downbeats_s"]),
                   float(data["duration_s"]))


@dataclass(frozen=True)
class Grid:
    """Beat and downbeat times in the cut, seconds from its first frame, sorted."""

    tempo: float
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]

    def frames(self, kind: str = "beat") -> list[int]:
        """The beats (or downbeats) as the frames the cut can cut on: each the frame nearest its time."""
        return sorted({formats.frames_for(t) for t in (self.downbeats if kind == "downbeat" else self.beats)})

    def index_near(self, frame: int) -> int:
        """The index of the beat nearest `frame`."""
        times = self.frames()
        at = bisect.bisect_left(times, frame)
        return min((i for i in (at - 1, at) if 0 <= i < len(times)), key=lambda i: abs(times[i] - frame), default=0)


def in_cut(analysis: Analysis, *, offset: float, loop: bool, until: float) -> Grid:
    """The beats heard from the cut's start to `until` seconds: the file played from `offset`, and again from
    its start each time it ends when it loops (as sound.py lays the bed)."""
    period = analysis.duration

    def heard(times: tuple[float, ...]) -> tuple[float, ...]:
        laps = range(int((until + offset) // period) + 1) if loop and period > 0 else range(1)
        found = (t + lap * period - offset for lap in laps for t in times)
        return tuple(sorted(max(t, 0.0) for t in found if EARLY <= t <= until))

    return Grid(analysis.tempo, heard(analysis.beats), heard(analysis.downbeats))
