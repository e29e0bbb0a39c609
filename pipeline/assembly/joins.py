"""What each shot takes from its clip, decided at the joins.

An extension starts on its parent's exact last frame, so the join would show that picture twice; some
providers also hand back the parent's whole video ahead of the new part. Both are found by comparing
pictures, because a re-encoded picture is never bit-identical: two frames are "the same picture" when the
mean absolute difference of their small grey versions is tiny, or far below the motion between the
neighbouring frames on either side of the join.

The plan stays what was asked; a take says what the footage delivers. A trimmed repeat makes the shot one
frame shorter than planned (we never invent a frame to make up for it), so the cut's runtime is the plan's
minus the trims, and assembly verifies against exactly that.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import ffmpeg, formats, providers
from ..errors import MediaError
from ..files import atomic_path, sha256_of
from ..plan import Plan, PlannedShot, overlaps
from .edit_list import reencoded
from .gate import ClipFacts

TINY, LIMIT, RATIO = 0.12, 2.0, 0.5  # grey levels (of 255) at 1/4 size; see same_picture


@dataclass
class Take:
    """Frames [first, first + count) of the shot's clip, then `hold` copies of the last one."""

    planned: PlannedShot
    clip: ClipFacts
    odd: str | None  # why the clip is normalised; None when its packets can be copied
    first: int = 0
    count: int = 0
    hold: int = 0
    trimmed: int = 0  # repeated frames removed (each makes the shot a frame shorter than planned)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.planned.id

    @property
    def frames(self) -> int:
        return self.count + self.hold

    @property
    def available(self) -> int:
        """Frames the clip has from `first` on (estimated at the cut's rate for a clip that is retimed)."""
        total = self.clip.frames if self.odd is None else formats.frames_for(self.clip.info.duration_s)
        return total - self.first


def same_picture(join: float, motion: float) -> bool:
    """Is a join difference that of one picture shown twice, given the motion between its neighbours?"""
    return join < TINY or (join < LIMIT and join < RATIO * motion)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b).mean()) if a.shape == b.shape else 255.0


Pictures = Callable[[dict[ClipFacts, set[int]]], dict[tuple[ClipFacts, int], np.ndarray]]
SCALE, WORKERS = 4, 2  # pictures at 1/SCALE size; clips decoded at once (one thread each)
KEPT = f"grey{SCALE}-area-av{ffmpeg.DECODER_VERSION}"  # what a cached picture is; part of its file name


def decode_pictures(wanted: dict[ClipFacts, set[int]], *,
                    cache: Path | None = None) -> dict[tuple[ClipFacts, int], np.ndarray]:
    """Small grey pictures of the wanted frames (display indices): each clip decoded at most once, and not
    at all when `cache` holds its pictures (kept by the sha256 of the clip's bytes, so an edit that changes
    some clips decodes only those)."""
    clips = list(wanted)
    with ThreadPoolExecutor(WORKERS) as pool:
        found = list(pool.map(lambda clip: _pictures_of(clip, wanted[clip], cache), clips))
    return {(clip, f): pictures[f] for clip, pictures in zip(clips, found, strict=True) for f in wanted[clip]}


def _pictures_of(clip: ClipFacts, frames: set[int], cache: Path | None) -> dict[int, np.ndarray]:
    stored = cache / f"pictures-{KEPT}-{sha256_of(clip.path)}.npz" if cache else None
    known = _load(stored) if stored else {}
    if frames <= known.keys():
        return known
    known |= _decode(clip, frames)
    if stored:
        with atomic_path(stored) as tmp:
            np.savez(tmp, **{str(f): picture for f, picture in known.items()})
    return known


def _load(stored: Path) -> dict[int, np.ndarray]:
    try:
        with np.load(stored) as kept:
            return {int(f): kept[f] for f in kept.files}
    except (OSError, ValueError, zipfile.BadZipFile):
        return {}  # missing or damaged: decoded again


def _decode(clip: ClipFacts, frames: set[int]) -> dict[int, np.ndarray]:
    """Decode `clip` from the key frame before the first wanted frame to the last wanted one, one thread
    (frame threading costs more CPU than it saves here); keep the wanted pictures, and any of the clip's
    first two and last three passed on the way (what later joins may ask for)."""
    keep = frames | ({0, 1, clip.frames - 3, clip.frames - 2, clip.frames - 1} & set(range(max(frames) + 1)))
    found: dict[int, np.ndarray] = {}
    with ffmpeg.opened(clip.path, "decode the pictures at the joins of") as box:
        stream = ffmpeg.video_stream(box, clip.path)
        stream.thread_type, stream.codec_context.thread_count = "NONE", 1
        box.seek(clip.start_pts + min(frames) * clip.tick, stream=stream, backward=True, any_frame=False)
        for frame in box.decode(stream):
            index, off = divmod((frame.pts or 0) - clip.start_pts, clip.tick)
            if index in keep and not off:
                found[index] = frame.reformat(width=max(1, frame.width // SCALE), format="gray",
                                              height=max(1, frame.height // SCALE),
                                              interpolation="AREA").to_ndarray()
            if index >= max(frames):
                break
    if missing := frames - found.keys():
        raise MediaError(f"{clip.path}: has no frames {sorted(missing)[:4]}")
    return found


def takes_for(plan: Plan, facts: dict[str, ClipFacts], odd: dict[str, str | None], *,
              pictures: Pictures = decode_pictures) -> tuple[list[Take], list[str]]:
    """Each shot's take, after cutting back contained parents and trimming repeated join frames."""
    takes = [Take(p, facts[p.id], odd[p.id]) for p in plan.shots]
    _cut_back(takes, pictures)
    for t in takes:  # the storyboard's `in`, counted from the start of the shot's own footage
        t.first += t.planned.first
    warnings = [w for t in takes if (w := _fit(t))]
    if providers.capabilities(plan.provider).repeats_join_frame:  # else a still join is a held shot, kept
        _trim_repeats(takes, pictures)
    return takes, warnings


def _comparable(*clips: ClipFacts) -> bool:
    return all(c.tick for c in clips) and len({(c.info.width, c.info.height) for c in clips}) == 1


WINDOW = 16  # joins whose pictures are decoded together (two clips at a time)


def windows(joins: list, clips_of: Callable, wanted: dict[ClipFacts, set[int]],
            pictures: Pictures) -> Iterator[tuple[object, dict[tuple[ClipFacts, int], np.ndarray]]]:
    """Each join with the pictures it compares, decoded WINDOW joins at a time and let go once no later join
    needs them: a film of 5,000 shots holds a few dozen clips' pictures, not all of them."""
    last_use = {clip: n for n, join in enumerate(joins) for clip in clips_of(join)}
    held: dict[tuple[ClipFacts, int], np.ndarray] = {}
    for start in range(0, len(joins), WINDOW):
        batch = joins[start:start + WINDOW]
        new = {clip: wanted[clip] for join in batch for clip in clips_of(join) if (clip, min(wanted[clip])) not in held}
        held |= pictures(new) if new else {}
        for join in batch:
            yield join, held
        done = {clip for clip, n in last_use.items() if start <= n < start + WINDOW}
        held = {k: v for k, v in held.items() if k[0] not in done}


def _cut_back(takes: list[Take], pictures: Pictures) -> None:
    """A child whose clip holds its parent's whole video ahead of the new part is cut back to the new part."""
    by_id = {t.id: t for t in takes}
    suspects = []
    for t in takes:
        parent = by_id.get(t.planned.parent or "")
        if parent and _comparable(t.clip, parent.clip) and t.clip.frames > parent.clip.frames and \
                abs(t.clip.frames - parent.clip.frames - t.planned.clip_length) <= 1:  # lengths add up
            suspects.append((t, parent))
    wanted: dict[ClipFacts, set[int]] = defaultdict(set)
    for t, parent in suspects:
        wanted[t.clip] |= {0, 1}
        wanted[parent.clip].add(0)
    for (t, parent), seen in windows(suspects, lambda s: (s[0].clip, s[1].clip), wanted, pictures):
        join = mad(seen[t.clip, 0], seen[parent.clip, 0])
        if same_picture(join, mad(seen[t.clip, 0], seen[t.clip, 1])):
            t.first = parent.clip.frames
            t.notes.append(f"its clip begins with {parent.id}'s whole video ({t.first} frames, same first "
                           f"picture): cut back to the new part")


def _fit(t: Take) -> str | None:
    """Use the planned number of frames; a short clip holds its last picture (and says so)."""
    planned, available = t.planned.frames, t.available
    if t.odd is not None or available >= planned:
        t.count = planned
        if t.planned.trimmed_in or t.planned.trimmed_out:
            t.notes.append(f"plays frames {t.first}..{t.first + planned - 1} of its clip, as the storyboard's "
                           "in/out/length or a cut on the beat asks")
        elif t.odd is None and available > planned:
            t.notes.append(f"the clip has {available} frames, the plan {planned}: the last "
                           f"{available - planned} are left out")
        return None
    t.count, t.hold = max(available, 1), planned - max(available, 1)
    return f"shot {t.id}: its clip has {available} frames, the plan {planned}; its last picture is held " \
           f"for {t.hold} frames"


def _trim_repeats(takes: list[Take], pictures: Pictures) -> None:
    after = {t.id: out for t, (_, out) in zip(takes, overlaps([t.planned for t in takes]), strict=True)}
    joins = [(a, b) for a, b in zip(takes, takes[1:], strict=False) if b.planned.parent == a.id
             and b.planned.transition == "cut" and not (a.hold or b.hold) and a.count > 2 and b.count > 2
             and not (a.planned.trimmed_out or b.planned.trimmed_in)  # a trimmed join shows no repeat
             and _comparable(a.clip, b.clip)]
    wanted: dict[ClipFacts, set[int]] = defaultdict(set)
    for a, b in joins:  # a frame past a's end too: trimming its own head may shift a clip with spare frames
        wanted[a.clip] |= set(range(a.first + a.count - 2, a.first + min(a.count + 1, a.available)))
        wanted[b.clip] |= {b.first, b.first + 1}
    for (a, b), seen in windows(joins, lambda j: (j[0].clip, j[1].clip), wanted, pictures):
        last, first = a.first + a.count - 1, b.first
        join = mad(seen[a.clip, last], seen[b.clip, first])
        motion = min(mad(seen[a.clip, last - 1], seen[a.clip, last]),
                     mad(seen[b.clip, first], seen[b.clip, first + 1]))
        if same_picture(join, motion):
            _drop_repeat(a, b, after.get(b.id, 0),
                         f"difference {join:.2f} against {motion:.2f} between neighbouring frames")


def _drop_repeat(a: Take, b: Take, b_out: int, evidence: str) -> None:
    """Drop one copy of the picture the join repeats, from whichever side keeps more packets copied.

    Costs are counted on each side's own frames: the first frames of `a` belong to its incoming
    transition and the last `b_out` frames of `b` to its outgoing one; those are re-encoded anyway.
    """
    a_range = (a.first + a.planned.transition_frames, a.first + a.count)
    a_cost = _extra(a, a_range, (a_range[0], a_range[1] - 1))
    b_keep = b.count if b.available > b.count else b.count - 1  # a longer clip makes up the frame
    b_cost = _extra(b, (b.first, b.first + b.count - b_out), (b.first + 1, b.first + 1 + b_keep - b_out))
    if a_cost < b_cost:
        a.count, a.trimmed = a.count - 1, a.trimmed + 1
        a.notes.append(f"its last frame is the picture {b.id} starts on ({evidence}): trimmed here, "
                       + (f"re-encoding {a_cost} more frames" if a_cost else "nothing re-encoded"))
        b.notes.append(f"starts on {a.id}'s last picture, shown once: the repeat was cut from {a.id}'s end")
        return
    lost = b.count - b_keep
    b.first, b.count, b.trimmed = b.first + 1, b_keep, b.trimmed + lost
    b.notes.append(f"its first frame repeats {a.id}'s last picture ({evidence}): trimmed, "
                   + (f"re-encoding {b_cost} more frames" if b_cost else "nothing re-encoded")
                   + ("" if lost else "; the clip's spare frame keeps the planned length"))


def _extra(t: Take, before: tuple[int, int], after: tuple[int, int]) -> int:
    """Frames a change of the take's own range from `before` to `after` adds to what is re-encoded."""
    if t.odd is not None:
        return 0  # re-encoded whatever happens
    return max(0, reencoded(t.clip, *after, copyable=True) - reencoded(t.clip, *before, copyable=True))
