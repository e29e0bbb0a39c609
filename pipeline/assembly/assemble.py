"""Join the shots into the cut at stream-copy speed, and verify it against the plan.

The flow: probe every clip (gate); decide what each shot takes from its clip at the joins (joins);
lay the cut out as copied runs and re-encoded pieces (edit_list); render those pieces (reencode) while the
sound is mixed (sound); join it all by copy with the chapters (mux); check the written file
(verify); write what travels with it (export, report). ffmpeg does the media work: no frame
passes through Python, except the few small grey pictures compared at extension joins.
"""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

from .. import formats
from ..errors import MediaError, PipelineError
from ..files import atomic_path, temp_folder
from ..plan import Plan
from ..storyboard.load import Project
from . import encoder_match, export, gate, joins, mux, reencode, sound, verify
from .edit_list import Blend, Piece, Span, group, own_parts
from .joins import Take
from .report import AssemblyReport, ShotReport

WORKERS = 2  # pieces re-encoded at once (x264 threads inside each as well)
CACHE = ".assembly-cache"  # beside the cut: join pictures by clip sha256, sound beds by what shapes them
MATRIX = {1: "bt709", 5: "bt601", 6: "bt601"}  # FFmpeg colorspace number -> swscale matrix name


def assemble(project: Project, plan: Plan, clips: dict[str, Path], dest: Path, *,
             generations: dict[str, str] | None = None) -> AssemblyReport:
    """Write the cut of `plan` to `dest` from `clips` (shot id -> video file; footage shots default to
    their `clip:` file), with assembly.json,
    captions.srt (when shots have captions) and timeline.otio beside it; return what was done.

    generations: shot id -> the provider's job id, recorded in the timeline's metadata.
    The folder's .assembly-cache keeps the join pictures and the sound bed, so assembling again after an
    edit decodes only new clips and encodes the sound only when the runtime or the sound changed.
    """
    started, dest = time.perf_counter(), Path(dest)
    size = formats.frame_size(project.board.resolution, project.board.aspect_ratio)
    facts = _inspect(plan, {p.id: project.file(p.shot.clip) for p in plan.shots if p.shot.clip} | clips)
    ref = gate.reference(facts, size)
    odd = {shot: gate.why_normalised(f, ref, size) for shot, f in facts.items()}
    cache = dest.parent / CACHE
    takes, warnings = joins.takes_for(plan, facts, odd, pictures=functools.partial(joins.decode_pictures,
                                                                                  cache=cache))
    starts = _starts(takes)
    runtime = starts[-1] + takes[-1].frames
    bed = _bed(project, takes, starts, runtime)
    with temp_folder(dest.parent) as work:
        pieces, house = _write_cut(project, takes, starts, runtime, bed, ref, size, work, dest, warnings, cache)
    report = _report(plan, takes, starts, runtime, pieces, house, warnings, dest, time.perf_counter() - started)
    export.write_sidecars(project, plan, takes, starts, runtime, bed, report, generations or {})
    return report


def _inspect(plan: Plan, clips: dict[str, Path]) -> dict[str, gate.ClipFacts]:
    facts = {}
    for p in plan.shots:
        if p.id not in clips:
            raise PipelineError(f"shot {p.id}: no clip to assemble; run the storyboard first")
        try:
            facts[p.id] = gate.inspect(Path(clips[p.id]))
        except MediaError as exc:
            raise MediaError(f"shot {p.id}: {exc}") from exc
    return facts


def _starts(takes: list[Take]) -> list[int]:
    """Each shot's first frame in the cut: a transition overlaps the end of the shot before it."""
    starts, cursor = [], 0
    for n, take in enumerate(takes):
        into = take.planned.transition_frames if n else 0
        out = takes[n + 1].planned.transition_frames if n + 1 < len(takes) else 0
        if into + out > take.frames:
            raise PipelineError(f"shot {take.id}: its transitions last {into + out} frames, longer than the "
                                f"{take.frames} frames it has; shorten them")
        cursor -= into
        starts.append(cursor)
        cursor += take.frames
    return starts


def _bed(project: Project, takes: list[Take], starts: list[int], runtime: int) -> sound.Bed:
    music = project.board.audio
    sounds = tuple(sound.Sound(t.clip.path, at, t.first, t.count) for t, at in zip(takes, starts, strict=True)
                   if t.clip.info.has_audio)
    return sound.Bed(runtime, music, project.file(music.path) if music else None, sounds)


def _write_cut(project, takes, starts, runtime, bed, ref, size, work: Path, dest: Path,
               warnings: list[str], cache: Path) -> tuple[list[Piece], bool]:
    """Render pieces while the sound mixes (or comes from the cache), join, verify, and only then put the
    cut in place."""
    with ThreadPoolExecutor(1) as mixer:
        mixing = None if bed.empty else mixer.submit(sound.cached, bed, cache)
        pieces, files, keys, house = _pieces(takes, ref, size, work, warnings)
        mixed = mixing.result() if mixing else None
    script, chapters = work / "cut.ffconcat", work / "chapters.txt"
    script.write_text(mux.listing(pieces, files))
    chapters.write_text(export.chapters(project.title, export.placed(takes, starts, {}, ""), runtime))
    with atomic_path(dest) as tmp:
        mux.mux(script, mixed, chapters, tmp)
        verify.verify(tmp, runtime, keys, [(s, t.id) for s, t in zip(starts, takes, strict=True)],
                      sound=mixed is not None)
    return pieces, house


def _pieces(takes, ref, size, work: Path, warnings: list[str]):
    """Copy what the gate allows and re-encode the rest to match; when pieces cannot be made to match
    the copied packets, re-encode the whole cut (and say why)."""
    pieces = group(_parts(takes, house=False))
    encoder = encoder_match.matching(ref) if ref is not None else None
    if encoder is not None or all(p.copy for p in pieces):
        try:
            return (pieces, *_render(pieces, _target(size, ref, encoder), ref, work), False)
        except encoder_match.EncoderMismatch as exc:
            warnings.append(f"{exc}; the whole cut was re-encoded instead")
    elif ref is not None:
        warnings.append(f"{ref.path.name} and the clips like it were not made by x264, or with settings that "
                        "cannot be reproduced, so re-encoded pieces could not sit between their packets: "
                        "the whole cut was re-encoded")
    pieces = group(_parts(takes, house=True))
    return (pieces, *_render(pieces, _target(size, None, None), None, work), True)


def _target(size: tuple[int, int], ref, encoder: list[str] | None) -> reencode.Target:
    if ref is None:
        return reencode.Target(*size, Fraction(1), 12288, "bt601", encoder_match.HOUSE)
    return reencode.Target(*size, ref.sar, ref.time_base.denominator, MATRIX.get(ref.colour[2]), encoder or [])


def _parts(takes: list[Take], *, house: bool) -> list[tuple[Span | Blend, bool]]:
    """The cut in order: each transition as a Blend, each shot's own frames split into copied runs and
    re-encoded heads and tails."""
    parts: list[tuple[Span | Blend, bool]] = []
    for n, take in enumerate(takes):
        into = take.planned.transition_frames if n else 0
        out = takes[n + 1].planned.transition_frames if n + 1 < len(takes) else 0
        if into:
            before = takes[n - 1]
            blend = Blend(take.id, take.planned.transition, _span(before, before.frames - into, before.frames,
                                                                  house), _span(take, 0, into, house))
            parts.append((blend, False))
        own = _span(take, into, take.frames - out, house)
        parts += own_parts(own, copyable=take.odd is None and not house)
    return [(part, copied) for part, copied in parts if part.frames]


def _span(take: Take, a: int, b: int, house: bool) -> Span:
    """Frames [a, b) of the take (past its clip's end: the held last picture) as a Span."""
    real_a, real_b = min(a, take.count), min(b, take.count)
    if real_a == real_b:  # held frames only
        return Span(take.id, take.clip, take.first + take.count - 1, 1, take.odd is not None or house, b - a - 1)
    return Span(take.id, take.clip, take.first + real_a, real_b - real_a, take.odd is not None or house,
                (b - a) - (real_b - real_a))


def _render(pieces: list[Piece], target: reencode.Target, ref, work: Path) -> tuple[dict, set[int]]:
    """Re-encode the pieces that need it (a few at once); return their files and the cut's key frames."""
    jobs = {n: work / f"piece-{n:04d}.mp4" for n, p in enumerate(pieces) if not p.copy}
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda n: reencode.render(pieces[n], jobs[n], target), jobs))
    keys: set[int] = set()
    first = None
    for n, piece in enumerate(pieces):
        if piece.copy:
            span = piece.parts[0]
            keys |= {piece.start + k - span.first for k in span.clip.keyframes
                     if span.first <= k < span.first + span.count}
            continue
        made = gate.inspect(jobs[n])
        encoder_match.check_piece(made, ref or first or made, f"the piece of {', '.join(piece.shots)}")
        if made.frames != piece.frames:
            raise MediaError(f"shot {piece.shots[0]}: its re-encoded piece has {made.frames} frames, not "
                             f"{piece.frames}")
        first = first or made
        keys |= {piece.start + k for k in made.keyframes}
    return jobs, keys


def _report(plan, takes, starts, runtime, pieces, house, warnings, dest, seconds) -> AssemblyReport:
    redone = _reencoded_by_shot(pieces)
    shots = tuple(ShotReport(t.id, s, t.frames, t.planned.frames, t.trimmed, t.odd is not None or house,
                             redone.get(t.id, 0), tuple(_notes(t, house, redone.get(t.id, 0))))
                  for t, s in zip(takes, starts, strict=True))
    copied = sum(p.frames for p in pieces if p.copy)
    folder = dest.parent
    captions = folder / "captions.srt" if any(t.planned.shot.caption for t in takes) else None
    return AssemblyReport(dest, runtime, plan.runtime_frames, shots, tuple(warnings), copied, runtime - copied,
                          seconds, captions, folder / "timeline.otio", folder / "assembly.json")


def _reencoded_by_shot(pieces: list[Piece]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for piece in (p for p in pieces if not p.copy):
        for part in piece.parts:
            for span in (part.out, part.into) if isinstance(part, Blend) else (part,):
                counts[span.shot] = counts.get(span.shot, 0) + span.frames
    return counts


def _notes(take: Take, house: bool, redone: int) -> list[str]:
    notes = list(take.notes)
    if take.odd is not None:
        notes.append(f"normalised: {take.odd}")
    elif redone and not house:
        notes.append(f"{redone} of its {take.frames} frames re-encoded (transitions, and copying only starts "
                     "at a key frame and stops where no later packet is needed); the rest copied")
    return notes
