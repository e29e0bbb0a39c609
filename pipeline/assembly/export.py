"""What travels with the cut: MP4 chapters (as an FFmpeg metadata file), final.srt (the captions, made
by captions), and an OpenTimelineIO timeline an editing application can open, built from the same
positions as the cut itself.

Fed by the AssemblyReport (where each shot landed and what it took from its clip) and the plan; it knows
nothing of how the cut was joined.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from .. import formats
from ..files import write_atomic, write_atomic_text
from ..layout import Layout
from ..plan import Plan, PlannedShot, overlaps
from ..storyboard.model import Audio
from . import captions, otio_json
from .otio_json import Chunks
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
    transition_in: int  # frames of this shot's transition, overlapping the end of the shot before
    transition_out: int  # frames of the next shot's transition, overlapping this shot's end
    metadata: dict


def chapters(title: str, shots: list[tuple[int, PlannedShot]], runtime: int) -> str:
    """An FFmpeg metadata file with the title and one chapter per (start frame, shot), from its start to the
    next's."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    for (start, planned), end in zip(shots, _ends([s for s, _ in shots], runtime), strict=True):
        lines += ["[CHAPTER]", f"TIMEBASE=1/{formats.FPS}", f"START={start}", f"END={end}",
                  f"title={_escape(_title(planned))}"]
    return "\n".join(lines) + "\n"


def _title(planned: PlannedShot) -> str:
    """A chapter's title: the shot's caption made safe (on one line), else its id."""
    return " ".join(captions.clean(planned.shot.caption or "").split("\n")) or planned.id


def _escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def _ends(starts: list[int], runtime: int) -> list[int]:
    """Where each shot's chapter ends: where the next one starts."""
    return [*starts[1:], runtime]


def _time(frames: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, formats.FPS)


def _range(start: float, frames: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_time(start), _time(frames))


def timeline(title: str, placed: Iterable[Placed], audio: Iterable[Chunks],
             markers: Iterable[otio.schema.Marker] = ()) -> Iterator[str]:
    """The cut as an OpenTimelineIO timeline (JSON, in chunks): the picture track with its transitions and
    `markers`, then `audio` (sound_track's chunks).

    A transition is centred on the cut point, as editing applications keep it: each side's visible range
    ends or starts half-way through it and the rest comes from the clip's handles.
    """
    picture = otio_json.filled(otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video), {
        "markers": map(otio_json.whole, markers), "children": map(otio_json.whole, _picture(placed))})
    return otio_json.filled(otio.schema.Timeline(name=title, global_start_time=_time(0)),
                            {"children": itertools.chain([picture], audio)}, depth=2)


def _picture(placed: Iterable[Placed]) -> Iterator[otio.schema.Transition | otio.schema.Clip]:
    """Each shot's clip, after the transition into it."""
    for n, shot in enumerate(placed):
        into = shot.transition_in
        if into:
            yield _transition(shot.planned.transition, into)
        head, tail = into // 2, shot.transition_out - shot.transition_out // 2
        media = otio.schema.ExternalReference(target_url=shot.clip.resolve().as_uri(),
                                              available_range=_range(0, shot.available))
        yield otio.schema.Clip(name=shot.planned.id, media_reference=media,
                               source_range=_range(shot.first + head, shot.frames - head - tail),
                               metadata={"pipeline": {**shot.metadata, "index": n}})


def _transition(kind: str, frames: int) -> otio.schema.Transition:
    dissolve = kind == "dissolve"
    return otio.schema.Transition(
        name="dissolve" if dissolve else "fade through black", in_offset=_time(frames // 2),
        out_offset=_time(frames - frames // 2),
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve if dissolve else
        otio.schema.TransitionTypes.Custom, metadata={"pipeline": {"type": kind, "frames": frames}})


def sound_track(name: str, clips: Iterable[tuple[int, Path, float, int, dict]]) -> Iterator[str]:
    """An audio track (JSON, in chunks) of (cut frame, file, source start in frames, frames, metadata), gaps
    between."""
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    return otio_json.filled(track, {"children": map(otio_json.whole, _sounds(clips))})


def _sounds(clips: Iterable[tuple[int, Path, float, int, dict]]) -> Iterator[otio.schema.Gap | otio.schema.Clip]:
    cursor = 0
    for at, path, first, frames, metadata in clips:
        if at > cursor:
            yield otio.schema.Gap(source_range=_range(0, at - cursor))
        yield otio.schema.Clip(name=path.stem, source_range=_range(first, frames), metadata=metadata,
                               media_reference=otio.schema.ExternalReference(target_url=path.resolve().as_uri()))
        cursor = at + frames


def placed(report: AssemblyReport, plan: Plan, generations: dict[str, str]) -> Iterator[Placed]:
    """Each shot where the report says it landed in the cut, with its timeline metadata, one at a time."""
    planned = [plan.by_id(s.id) for s in report.shots]
    where = Layout(report.cut.parent)
    for p, s, (into, out) in zip(planned, report.shots, overlaps(planned), strict=True):
        yield Placed(p, s.footage.clip, s.start_frame, s.frames, s.footage.first, s.footage.clip_frames, into, out,
                     {**_metadata(p, s, plan.provider, generations.get(s.id)), **_chosen(plan, p, where)})


def write_sidecars(report: AssemblyReport, plan: Plan, title: str, music: tuple[Audio, Path] | None,
                   generations: dict[str, str]) -> None:
    """assembly.json, final.srt (the cues muxed into the cut) and timeline.otio beside the cut, each written
    atomically.

    music: the storyboard's music bed and its file; generations: shot id -> the provider's job id."""
    shots = placed(report, plan, generations)
    layout = Layout(report.cut.parent)
    layout.old_captions.unlink(missing_ok=True)  # earlier versions' captions.srt: it would contradict the cut
    if report.captions:
        write_atomic(report.captions, captions.srt(list(report.cues)).encode())
    else:
        layout.captions.unlink(missing_ok=True)  # a stale one would contradict the cut
    write_atomic_text(report.timeline, timeline(title, shots, _sound_tracks(report, music), _markers(report, plan)))
    write_atomic_text(report.report, _report_text(report, plan))


def _chosen(plan: Plan, planned: PlannedShot, layout: Layout) -> dict:
    """The take the cut plays, the others (with their clips where made) and the tier it was made at."""
    said: dict = {}
    if planned.takes > 1:
        said["take"] = planned.take
        said["other_takes"] = [{"take": t.take, "key": t.key, "clip": clip.resolve().as_uri() if clip.is_file()
                                else None} for t in plan.takes_of(planned.id) if not t.picked
                               for clip in [layout.clip(t.id, t.key)]]
    if planned.look is not None:
        said.update(tier=planned.look.tier, model=planned.look.model, resolution=planned.look.resolution)
    return said


def _report_text(report: AssemblyReport, plan: Plan) -> Iterator[str]:
    """assembly.json, each shot with its take and tier where the storyboard has takes or tiers."""
    data = report.to_json()
    for shot in data["shots"]:
        planned = plan.by_id(shot["id"])
        if planned.takes > 1 or plan.other_takes:
            shot.update(take=planned.take, takes=planned.takes)
        if planned.look is not None:
            shot.update(tier=planned.look.tier, model=planned.look.model, resolution=planned.look.resolution)
    yield from json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data)  # what json.dumps joins
    yield "\n"


def _markers(report: AssemblyReport, plan: Plan) -> Iterator[otio.schema.Marker]:
    """Where the cut falls between shots (and how snapping moved it), and, for a film cut to the music, the
    bed's beats and downbeats heard in the cut."""
    shots = report.shots
    for before, after in zip(shots, shots[1:], strict=False):
        snapped = plan.by_id(before.id).snapped
        yield otio.schema.Marker(name="cut", marked_range=_range(after.start_frame, 0),
                                 color=otio.schema.MarkerColor.RED, metadata={"pipeline": {
                                     "from": before.id, "to": after.id,
                                     "snapped_to": snapped.on if snapped else None,
                                     "moved_frames": snapped.moved if snapped else 0}})
    if plan.beats is not None:
        down = set(plan.beats.frames("downbeat"))
        for frame in plan.beats.frames():
            if frame < report.runtime_frames:
                kind = "downbeat" if frame in down else "beat"
                yield otio.schema.Marker(name=kind, marked_range=_range(frame, 0),
                                         color=otio.schema.MarkerColor.GREEN if kind == "beat" else
                                         otio.schema.MarkerColor.YELLOW)


def _metadata(planned: PlannedShot, shot: ShotReport, provider: str, job: str | None) -> dict:
    s = planned.shot
    return {"shot": shot.id, "prompt": s.prompt, "camera": list(s.concepts),
            "caption": s.caption and captions.clean(s.caption), "provider": "footage" if s.clip else provider,
            "generation_id": job, "key": planned.key,
            "source": planned.source, "trimmed_frames": shot.trimmed_frames, "held_frames": shot.held_frames,
            "normalised": shot.footage.normalised, "notes": list(shot.notes)}


def _sound_tracks(report: AssemblyReport, music: tuple[Audio, Path] | None) -> list:
    """The music bed (looped to length where the file is shorter) and footage sound, as audio tracks."""
    tracks = []
    if music is not None:
        m, path = music
        tracks.append(sound_track("music", [(0, path, m.offset * formats.FPS, report.runtime_frames, {
            "pipeline": {"volume": m.volume, "fade_in": m.fade_in, "fade_out": m.fade_out, "loudness": m.loudness,
                         "loop": m.loop, "looped": "to the cut's length when the file is shorter" if m.loop else
                         "no: where the file ends it fades out and silence follows"}})]))
    sounds = [(s.start_frame, f.clip, f.first, f.count, {}) for s in report.shots if (f := s.footage) and f.sound]
    if sounds:
        tracks.append(sound_track("footage sound", sounds))
    return tracks
