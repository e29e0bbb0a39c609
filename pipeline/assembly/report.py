"""What assembly did, shot by shot: written as assembly.json beside the cut (the preview page reads it)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import formats
from .captions import Cue


@dataclass(frozen=True)
class Footage:
    """Where a shot's pictures come from: the side files (timeline, chapters, captions) are made from it;
    assembly.json does not carry it."""

    clip: Path
    first: int  # first frame used of the clip (at the cut's rate)
    count: int  # frames used from the clip; the shot's other frames hold the last of them
    clip_frames: int  # frames the clip has at the cut's rate
    sound: bool  # the clip's own sound is mixed into the cut's
    normalised: str | None  # why the clip was re-encoded to match the cut; None when its packets were copied


@dataclass(frozen=True)
class ShotReport:
    id: str
    start_frame: int  # where the shot starts in the cut (its incoming transition included)
    frames: int  # frames the shot covers in the cut
    planned_frames: int
    trimmed_frames: int  # repeated join frames removed (the shot is this much shorter than planned)
    normalised: bool  # its clip was scaled/retimed/re-encoded to match the cut
    reencoded_frames: int  # frames of this shot that were re-encoded (transitions and trims included)
    notes: tuple[str, ...]
    footage: Footage | None = None

    @property
    def held_frames(self) -> int:
        return self.frames - self.footage.count if self.footage else 0

    def to_json(self) -> dict:
        return {"id": self.id, "start_s": round(self.start_frame / formats.FPS, 3), "start_frame": self.start_frame,
                "frames": self.frames, "planned_frames": self.planned_frames, "trimmed_frames": self.trimmed_frames,
                "normalised": self.normalised, "reencoded_frames": self.reencoded_frames, "notes": list(self.notes)}


@dataclass(frozen=True)
class AssemblyReport:
    """The cut and how it was made. os.fspath() and str() give the cut's path."""

    cut: Path
    runtime_frames: int
    planned_frames: int  # the plan's runtime; runtime_frames is this minus the trims
    shots: tuple[ShotReport, ...]
    warnings: tuple[str, ...]
    copied_frames: int  # frames whose packets were copied unchanged from the clips
    reencoded_frames: int
    seconds: float  # wall time
    captions: Path | None  # final.srt, when the cut has cues (its subtitle stream holds the same)
    timeline: Path
    report: Path
    cues: tuple[Cue, ...] = ()  # the cut's captions, in its frames
    burnt_captions: bool = False  # the captions are in the picture (burn), not in a subtitle stream
    inputs: dict | None = field(default=None, compare=False)  # what it was made from (assembly.reuse)
    reused: bool = False  # the cut on disk was made from the same inputs and is whole: nothing was rebuilt

    @property
    def runtime_s(self) -> float:
        return self.runtime_frames / formats.FPS

    def __fspath__(self) -> str:
        return os.fspath(self.cut)

    def __str__(self) -> str:
        return str(self.cut)

    def to_json(self) -> dict:
        return {
            "cut": self.cut.name, "fps": formats.FPS, "runtime_s": round(self.runtime_s, 3),
            "runtime_frames": self.runtime_frames, "planned_runtime_s": round(self.planned_frames / formats.FPS, 3),
            "planned_frames": self.planned_frames, "copied_frames": self.copied_frames,
            "reencoded_frames": self.reencoded_frames, "seconds": round(self.seconds, 3),
            "captions": self.captions.name if self.captions else None, "burnt_captions": self.burnt_captions,
            "timeline": self.timeline.name,
            "shots": [s.to_json() for s in self.shots], "warnings": list(self.warnings),
            **({"inputs": self.inputs} if self.inputs else {}),
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
