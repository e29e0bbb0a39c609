"""Join the shots into the cut at stream-copy speed, and verify it against the plan.

The flow: probe every clip (gate); decide what each shot takes from its clip at the joins (joins);
lay the cut out as copied runs and re-encoded pieces (edit_list); render those pieces (reencode) while the
sound is mixed (sound); join it all by copy with the chapters and captions (mux); check the written file
(verify); write what travels with it (export, report). ffmpeg does the media work: no frame
passes through Python, except the few small grey pictures compared at extension joins.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .. import formats
from ..errors import MediaError, PipelineError
from ..files import atomic_path, temp_folder
from ..layout import Layout
from ..plan import Plan, overlaps
from ..storyboard.load import Project
from . import burn, captions, encoder_match, export, gate, joins, mux, reencode, reuse, sound, verify
from .edit_list import Blend, Piece, Span, group, own_parts
from .gate import ClipFacts
from .joins import Take
from .report import AssemblyReport, Footage, ShotReport

WORKERS = 2  # pieces re-encoded at once (x264 threads inside each as well)
MATRIX = {1: "bt709", 5: "bt601", 6: "bt601"}  # FFmpeg colorspace number -> swscale matrix name


@dataclass(frozen=True)
class Timeline:
    """The takes as they land in the cut: each one's first frame there, the frames its transitions overlap
    (into it, out of it), and the cut's length."""

    takes: tuple[Take, ...]
    starts: tuple[int, ...]
    overlaps: tuple[tuple[int, int], ...]
    runtime: int


@dataclass(frozen=True)
class Look:
    """What the cut's pictures must be: the reference clip's encoding (None: the house encoding), and size."""

    ref: ClipFacts | None
    size: tuple[int, int]


@dataclass(frozen=True)
class Places:
    """Where this assembly writes: its temp folder, the cut, and the output folder's cache."""

    work: Path
    dest: Path
    cache: Path


@dataclass(frozen=True)
class Rendered:
    """How the cut was made: its pieces, and whether the whole cut was re-encoded (house encoding)."""

    pieces: list[Piece]
    house: bool


def assemble(project: Project, plan: Plan, clips: dict[str, Path], dest: Path, *,
             generations: dict[str, str] | None = None, rebuild: bool = False,
             burn_captions: bool = False, facts=None) -> AssemblyReport:
    """Write the cut of `plan` to `dest` from `clips` (shot id -> video file; footage shots default to
    their `clip:` file), with assembly.json, final.srt (when shots have captions: the same cues as the cut's
    mov_text subtitle stream) and timeline.otio beside it; return what was done.

    generations: shot id -> the provider's job id, recorded in the timeline's metadata.
    burn_captions: the captions drawn into the picture instead of a subtitle stream (assembly.burn).
    facts: what the journal knows of files (engine.file_facts), so a clip known as it is is neither hashed nor
    demuxed again.
    A cut already made from the same inputs, burnt or not as asked, and untouched since is not made again
    (report.reused), unless `rebuild` asks (`pipeline assemble`); a plain one kept is burnt when asked.
    The folder's .assembly-cache keeps the join pictures and the sound bed, so assembling again after an
    edit decodes only new clips and encodes the sound only when the runtime or the sound changed.
    """
    started, dest = time.perf_counter(), Path(dest)
    clips = {p.id: project.file(p.shot.clip) for p in plan.shots if p.shot.clip} | clips
    before = reuse.earlier(dest)
    made_from = reuse.inputs(project, plan, _present(plan, clips), generations or {}, before, facts)
    made = None if rebuild else reuse.made_already(before, made_from, plan, clips, dest, burnt=burn_captions)
    if made is not None:
        made = dataclasses.replace(made, seconds=time.perf_counter() - started)
    else:
        made = _build(project, plan, clips, dest, made_from, generations or {}, started, facts)
    return burn.burn_captions(made) if burn_captions and not made.burnt_captions else made


def _build(project: Project, plan: Plan, clips: dict[str, Path], dest: Path, made_from: dict,
          generations: dict[str, str], started: float, known=None) -> AssemblyReport:
    """The cut made (again), verified, with its record and side files written beside it."""
    size = formats.frame_size(project.board.resolution, project.board.aspect_ratio)
    facts = _inspect(plan, clips, known)
    look = Look(gate.reference(facts, size), size)
    odd = {shot: gate.why_normalised(f, look.ref, size) for shot, f in facts.items()}
    cache = Layout(dest.parent).assembly_cache  # join pictures by clip sha256, sound beds by what shapes them
    takes, warnings = joins.takes_for(plan, facts, odd, pictures=functools.partial(joins.decode_pictures,
                                                                                  cache=cache))
    cut = _timeline(takes)
    bed = _bed(project, cut)
    with temp_folder(dest.parent) as work:
        rendered = _write_cut(project.title, cut, bed, look, Places(work, dest, cache), warnings,
                              language=project.board.caption_language)
    report = _report(plan, cut, rendered, warnings, dest, time.perf_counter() - started)
    report = dataclasses.replace(report, inputs=reuse.written(made_from, report))
    music = (project.board.audio, bed.music_path) if project.board.audio else None
    export.write_sidecars(report, plan, project.title, music, generations)
    return report


def _present(plan: Plan, clips: dict[str, Path]) -> dict[str, Path]:
    missing = [p.id for p in plan.shots if p.id not in clips]
    if missing:
        raise PipelineError(f"shot {missing[0]}: no clip to assemble; run the storyboard first")
    return clips


def _inspect(plan: Plan, clips: dict[str, Path], known=None) -> dict[str, gate.ClipFacts]:
    """Each shot's clip facts; a clip that several shots play (footage) is demuxed once, and one the journal
    knows (`known`: its file facts) not at all."""
    facts, shared, by_file = {}, {}, {}
    for p in plan.shots:
        if p.id not in clips:
            raise PipelineError(f"shot {p.id}: no clip to assemble; run the storyboard first")
        path = Path(clips[p.id])
        try:
            if (found := by_file.get(path)) is None:
                found = by_file[path] = gate.inspect(path, shared) if known is None else gate.known(path, known, shared)
        except MediaError as exc:
            raise MediaError(f"shot {p.id}: {exc}") from exc
        facts[p.id] = found
    return facts


def _timeline(takes: list[Take]) -> Timeline:
    """Each take's first frame in the cut: a transition overlaps the end of the shot before it."""
    edges = overlaps([t.planned for t in takes])
    starts, cursor = [], 0
    for take, (into, out) in zip(takes, edges, strict=True):
        if into + out > take.frames:
            raise PipelineError(f"shot {take.id}: its transitions last {into + out} frames, longer than the "
                                f"{take.frames} frames it has; shorten them")
        cursor -= into
        starts.append(cursor)
        cursor += take.frames
    return Timeline(tuple(takes), tuple(starts), tuple(edges), cursor)


def _cues(cut: Timeline) -> list[captions.Cue]:
    return captions.cues([(s, t.planned.shot.caption) for s, t in zip(cut.starts, cut.takes, strict=True)],
                         cut.runtime)


def _bed(project: Project, cut: Timeline) -> sound.Bed:
    music = project.board.audio
    sounds = tuple(sound.Sound(t.clip.path, at, t.first, t.count) for t, at in zip(cut.takes, cut.starts,
                                                                                    strict=True)
                   if t.clip.info.has_audio)
    return sound.Bed(cut.runtime, music, project.file(music.path) if music else None, sounds)


def _write_cut(title: str, cut: Timeline, bed: sound.Bed, look: Look, places: Places,
               warnings: list[str], *, language: str) -> Rendered:
    """Render pieces while the sound mixes (or comes from the cache), join, verify, and only then put the
    cut in place."""
    with ThreadPoolExecutor(1) as mixer:
        mixing = None if bed.empty else mixer.submit(sound.cached, bed, places.cache)
        rendered, files, keys = _pieces(cut, look, places.work, warnings)
        mixed = mixing.result() if mixing else None
    script, chapters, srt = (places.work / name for name in ("cut.ffconcat", "chapters.txt", "captions.srt"))
    script.write_text(mux.listing(rendered.pieces, files))
    chapters.write_text(export.chapters(title, list(zip(cut.starts, [t.planned for t in cut.takes], strict=True)),
                                        cut.runtime))
    cues = _cues(cut)
    srt.write_text(captions.srt(cues), encoding="utf-8")
    with atomic_path(places.dest) as tmp:
        mux.mux(script, mixed, chapters, tmp, captions=srt if cues else None, language=language)
        verify.verify(tmp, cut.runtime, keys, [(s, t.id) for s, t in zip(cut.starts, cut.takes, strict=True)],
                      sound=mixed is not None, cues=cues, language=language)
    return rendered


def _pieces(cut: Timeline, look: Look, work: Path, warnings: list[str]) -> tuple[Rendered, dict, set[int]]:
    """Copy what the gate allows and re-encode the rest to match; when pieces cannot be made to match
    the copied packets, re-encode the whole cut (and say why)."""
    pieces, ref = group(_parts(cut, house=False)), look.ref
    encoder = encoder_match.matching(ref) if ref is not None else None
    if encoder is not None or all(p.copy for p in pieces):
        try:
            return (Rendered(pieces, False), *_render(pieces, _target(look.size, ref, encoder), ref, work))
        except encoder_match.EncoderMismatch as exc:
            warnings.append(f"{exc}; the whole cut was re-encoded instead")
    elif ref is not None:
        warnings.append(f"{ref.path.name} and the clips like it were not made by x264, or with settings that "
                        "cannot be reproduced, so re-encoded pieces could not sit between their packets: "
                        "the whole cut was re-encoded")
    pieces = group(_parts(cut, house=True))
    return (Rendered(pieces, True), *_render(pieces, _target(look.size, None, None), None, work))


def _target(size: tuple[int, int], ref, encoder: dict[str, str] | None) -> reencode.Target:
    if ref is None:
        return reencode.Target(*size, Fraction(1), 12288, "bt601", encoder_match.HOUSE)
    return reencode.Target(*size, ref.sar, ref.time_base.denominator, MATRIX.get(ref.colour[2]), encoder or {})


def _parts(cut: Timeline, *, house: bool) -> list[tuple[Span | Blend, bool]]:
    """The cut in order: each transition as a Blend, each shot's own frames split into copied runs and
    re-encoded heads and tails."""
    parts: list[tuple[Span | Blend, bool]] = []
    takes = cut.takes
    for n, (take, (into, out)) in enumerate(zip(takes, cut.overlaps, strict=True)):
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


def _report(plan: Plan, cut: Timeline, rendered: Rendered, warnings: list[str], dest: Path,
            seconds: float) -> AssemblyReport:
    redone, house = _reencoded_by_shot(rendered.pieces), rendered.house
    shots = tuple(ShotReport(t.id, s, t.frames, t.planned.frames, t.trimmed, t.odd is not None or house,
                             redone.get(t.id, 0), tuple(_notes(t, house, redone.get(t.id, 0))), _footage(t))
                  for t, s in zip(cut.takes, cut.starts, strict=True))
    copied = sum(p.frames for p in rendered.pieces if p.copy)
    folder, cues = Layout(dest.parent), tuple(_cues(cut))
    return AssemblyReport(dest, cut.runtime, plan.runtime_frames, shots, tuple(warnings), copied,
                          cut.runtime - copied, seconds, folder.captions if cues else None, folder.timeline,
                          folder.assembly_report, cues)


def _footage(take: Take) -> Footage:
    return Footage(take.clip.path, take.first, take.count, take.first + take.available, take.clip.info.has_audio,
                   take.odd)


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
