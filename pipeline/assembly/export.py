"""What travels with the cut: MP4 chapters (as an FFmpeg metadata file), SRT captions, and an
OpenTimelineIO timeline an editing application can open, built from the same positions as the cut itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from .. import formats
from ..files import write_atomic
from ..plan import PlannedShot
from . import sound
from .joins import Take
from .report import AssemblyReport, ShotReport


@dataclass(frozen=True)
class Placed:
    """A shot as it lands in the cut."""

    planned: PlannedShot
    clip: Path
    start: int  # first frame in the cut (a transition into the shot starts here)
    frames: int  # frames the shot covers, transitions included
    first: int  # first frame used of the clip (at the cut's rate)
    available: int  # frames the clip has at the cut's rate
    transition_out: int  # frames of the next shot's transition, overlapping this shot's end
    metadata: dict

    @property
    def title(self) -> str:
        return self.planned.shot.caption or self.planned.id


def chapters(title: str, placed: list[Placed], runtime: int) -> str:
    """An FFmpeg metadata file with the title and one chapter per shot, from its start to the next's."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    for shot, end in zip(placed, _ends(placed, runtime), strict=True):
        lines += ["[CHAPTER]", f"TIMEBASE=1/{formats.FPS}", f"START={shot.start}", f"END={end}",
                  f"title={_escape(shot.title)}"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def _ends(placed: list[Placed], runtime: int) -> list[int]:
    return [p.start for p in placed[1:]] + [runtime]


def srt(placed: list[Placed], runtime: int) -> str:
    """One cue per captioned shot, shown from the shot's start until the next shot starts."""
    cues = [(p.start, end, p.planned.shot.caption) for p, end in zip(placed, _ends(placed, runtime), strict=True)
            if p.planned.shot.caption]
    return "".join(f"{n}\n{_clock(a)} --> {_clock(b)}\n{text.strip()}\n\n" for n, (a, b, text) in enumerate(cues, 1))


def _clock(frame: int) -> str:
    ms = round(frame * 1000 / formats.FPS)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _time(frames: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, formats.FPS)


def _range(start: float, frames: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_time(start), _time(frames))


def timeline(title: str, placed: list[Placed], audio: list[otio.schema.Track]) -> str:
    """The cut as an OpenTimelineIO timeline (JSON): the picture track with its transitions, then `audio`.

    A transition is centred on the cut point, as editing applications keep it: each side's visible range
    ends or starts half-way through it and the rest comes from the clip's handles.
    """
    track = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    for n, shot in enumerate(placed):
        into = shot.planned.transition_frames
        if into:
            track.append(_transition(shot.planned.transition, into))
        head, tail = into // 2, shot.transition_out - shot.transition_out // 2
        media = otio.schema.ExternalReference(target_url=shot.clip.resolve().as_uri(),
                                              available_range=_range(0, shot.available))
        track.append(otio.schema.Clip(name=shot.planned.id, media_reference=media,
                                      source_range=_range(shot.first + head, shot.frames - head - tail),
                                      metadata={"pipeline": {**shot.metadata, "index": n}}))
    cut = otio.schema.Timeline(name=title, global_start_time=_time(0))
    cut.tracks.append(track)
    for extra in audio:
        cut.tracks.append(extra)
    return otio.adapters.write_to_string(cut, "otio_json")


def _transition(kind: str, frames: int) -> otio.schema.Transition:
    dissolve = kind == "dissolve"
    return otio.schema.Transition(
        name="dissolve" if dissolve else "fade through black", in_offset=_time(frames // 2),
        out_offset=_time(frames - frames // 2),
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve if dissolve else
        otio.schema.TransitionTypes.Custom, metadata={"pipeline": {"type": kind, "frames": frames}})


def sound_track(name: str, clips: list[tuple[int, Path, float, int, dict]]) -> otio.schema.Track:
    """An audio track of (cut frame, file, source start in frames, frames, metadata), gaps between."""
    track, cursor = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio), 0
    for at, path, first, frames, metadata in clips:
        if at > cursor:
            track.append(otio.schema.Gap(source_range=_range(0, at - cursor)))
        track.append(otio.schema.Clip(name=path.stem, source_range=_range(first, frames), metadata=metadata,
                                      media_reference=otio.schema.ExternalReference(
                                          target_url=path.resolve().as_uri())))
        cursor = at + frames
    return track


def placed(takes: list[Take], starts: list[int], metadata: dict, provider: str) -> list[Placed]:
    """Each take where it lands in the cut (starts from the assembler), with its timeline metadata."""
    outs = [t.planned.transition_frames for t in takes[1:]] + [0]
    return [Placed(t.planned, t.clip.path, s, t.frames, t.first, t.first + t.available, out, metadata.get(t.id, {}))
            for t, s, out in zip(takes, starts, outs, strict=True)]


def write_sidecars(project, plan, takes: list[Take], starts: list[int], runtime: int, bed: sound.Bed,
                   report: AssemblyReport, generations: dict) -> None:
    """assembly.json, captions.srt and timeline.otio beside the cut, each written atomically."""
    by_id = {s.id: s for s in report.shots}
    metadata = {t.id: _metadata(t, plan.provider, generations.get(t.id), by_id[t.id]) for t in takes}
    shots = placed(takes, starts, metadata, plan.provider)
    if report.captions:
        write_atomic(report.captions, srt(shots, runtime).encode())
    else:
        (report.cut.parent / "captions.srt").unlink(missing_ok=True)  # a stale one would contradict the cut
    write_atomic(report.timeline, timeline(project.title, shots, _sound_tracks(bed)).encode())
    write_atomic(report.report, report.to_bytes())


def _metadata(take: Take, provider: str, job: str | None, shot: ShotReport) -> dict:
    s = take.planned.shot
    return {"shot": take.id, "prompt": s.prompt, "camera": list(s.concepts), "caption": s.caption,
            "provider": "footage" if s.clip else provider, "generation_id": job, "key": take.planned.key,
            "source": take.planned.source, "trimmed_frames": take.trimmed, "held_frames": take.hold,
            "normalised": take.odd, "notes": list(shot.notes)}


def _sound_tracks(bed: sound.Bed) -> list:
    """The music bed (looped to length where the file is shorter) and footage sound, as audio tracks."""
    tracks = []
    if bed.music is not None:
        m = bed.music
        tracks.append(sound_track("music", [(0, bed.music_path, m.offset * formats.FPS, bed.runtime, {
            "pipeline": {"volume": m.volume, "fade_in": m.fade_in, "fade_out": m.fade_out, "loudness": m.loudness,
                         "looped": "to the cut's length when the file is shorter"}})]))
    if bed.sounds:
        tracks.append(sound_track("footage sound", [(s.at, s.path, s.first, s.frames, {}) for s in bed.sounds]))
    return tracks
