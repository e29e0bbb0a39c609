"""The probe gate: what each clip is, packet by packet, and whether it may join the cut by stream copy.

The concat demuxer exits 0 on clips whose size, rate or codec differ and writes a broken file; it also
keeps only the first clip's parameter sets (SPS/PPS), so two H.264 clips of the same size but from
encoders set up differently decode as garbage once joined. A clip is copied only when its bitstream is
interchangeable with the reference's (compared down to the parameter-set bytes); every other clip is
normalised, and the re-encoded pieces are made to match the reference (see encoder_match).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .. import ffmpeg, formats
from ..errors import MediaError
from ..file_facts import info_from_plain, info_to_plain

CODEC, PIX_FMT = "h264", "yuv420p"
INTERLACED = {2, 3, 4, 5, "tt", "bb", "tb", "bt"}  # AVFieldOrder: 0 unknown, 1 progressive, then field orders
X264_OPTIONS = re.compile(rb"x264 - core \d+.*? - options: ([^\x00]*)")


@dataclass(frozen=True, eq=False)
class ClipFacts:
    """One clip's video stream as the demuxer sees it (nothing decoded)."""

    path: Path
    info: ffmpeg.MediaInfo
    order: tuple[int, ...]  # display index of each packet, in decode order
    dts: tuple[int, ...]  # decode timestamps, in decode order (time-base units)
    keyframes: frozenset[int]  # display indices of sync samples
    start_pts: int
    tick: int  # time-base units per frame; 0 when frames are not evenly spaced
    extradata: bytes
    encoder: str  # x264's options as written into the stream; '' for other encoders
    colour: tuple[int, int, int, int]  # primaries, transfer, matrix, range (FFmpeg's numbers)
    sar: Fraction | None
    interlaced: bool
    video_first: bool  # the concat demuxer matches streams by index

    @property
    def frames(self) -> int:
        return len(self.order)

    @property
    def time_base(self) -> Fraction:
        return self.info.time_base

    def seconds(self, display: int) -> Fraction:
        """Presentation time of frame `display` (exact, in seconds)."""
        return (self.start_pts + display * self.tick) * self.time_base

    def position(self, display: int) -> int:
        """Where frame `display` sits in decode order."""
        return self.order.index(display)

    @property
    def family(self) -> tuple:
        """What must be equal for two clips' packets to share one stream."""
        i = self.info
        return (i.video_codec, i.width, i.height, i.pix_fmt, i.time_base, self.tick, self.extradata, self.sar,
                self.colour)


def inspect(path: Path, shared: dict | None = None) -> ClipFacts:
    """Demux `path`'s video packets (no decoding) and describe what copying them needs.

    shared: facts already held for other clips, by value; an equal one is kept once (a long film's clips
    from one encoder share their options, parameter sets and packet order: kilobytes a shot, all held
    through the assembly)."""
    with ffmpeg.opened(path, "read the video packets of") as box:
        info = ffmpeg.describe(box)
        if info.kind != "video":
            raise MediaError(f"{path}: is {info.kind}, not video")
        return _facts(Path(path), info, box, {} if shared is None else shared)


def _facts(path: Path, info: ffmpeg.MediaInfo, box, shared: dict) -> ClipFacts:
    stream = box.streams.video[0]
    packets = [(p.pts, p.dts, p.is_keyframe, p) for p in box.demux(stream) if p.size]
    if not packets or any(p[0] is None for p in packets):
        raise MediaError(f"{path}: has no timed video packets")
    pts = sorted(p[0] for p in packets)
    display = {value: i for i, value in enumerate(pts)}
    steps = {b - a for a, b in zip(pts, pts[1:], strict=False)}
    match = X264_OPTIONS.search(bytes(packets[0][3]))
    ctx = stream.codec_context
    once = functools.partial(_once, shared)
    return ClipFacts(
        path=path, info=info, order=once(tuple(display[p[0]] for p in packets)),
        dts=once(tuple(p[1] if p[1] is not None else p[0] for p in packets)),
        keyframes=once(frozenset(display[p[0]] for p in packets if p[2])), start_pts=pts[0],
        tick=steps.pop() if len(steps) == 1 else 0, extradata=once(bytes(ctx.extradata or b"")),
        encoder=once(match.group(1).decode(errors="replace") if match else ""),
        colour=once((ctx.color_primaries, ctx.color_trc, ctx.colorspace, ctx.color_range)),
        sar=stream.sample_aspect_ratio, interlaced=ctx.field_order in INTERLACED,
        video_first=stream.index == 0)


CLIP = "clip/1"  # what the journal keeps these facts as (file_facts); a new number when their form changes


def known(path: Path, facts, shared: dict | None = None) -> ClipFacts:
    """inspect(path), asked of `facts` (what the journal knows of files: engine.file_facts) by the clip's
    content, so a clip the journal knows as it is is not demuxed again."""
    path, shared = Path(path), {} if shared is None else shared
    try:
        return facts.about(path, CLIP, lambda p: _to_plain(inspect(p)), lambda d: _from_plain(path, d, shared))
    except FileNotFoundError:
        return inspect(path, shared)  # says, as ever, that ffmpeg cannot read it


def _to_plain(f: ClipFacts) -> dict:
    return {"info": info_to_plain(f.info), "order": f.order, "dts": f.dts, "keyframes": sorted(f.keyframes),
            "start_pts": f.start_pts, "tick": f.tick, "extradata": f.extradata.hex(), "encoder": f.encoder,
            "colour": f.colour, "sar": None if f.sar is None else str(f.sar), "interlaced": f.interlaced,
            "video_first": f.video_first}


def _from_plain(path: Path, d: dict, shared: dict) -> ClipFacts:
    once = functools.partial(_once, shared)
    return ClipFacts(
        path=path, info=info_from_plain(d["info"]), order=once(tuple(d["order"])), dts=once(tuple(d["dts"])),
        keyframes=once(frozenset(d["keyframes"])), start_pts=d["start_pts"], tick=d["tick"],
        extradata=once(bytes.fromhex(d["extradata"])), encoder=once(d["encoder"]), colour=once(tuple(d["colour"])),
        sar=None if d["sar"] is None else Fraction(d["sar"]), interlaced=d["interlaced"],
        video_first=d["video_first"])


def _once(shared: dict, value):
    """`value`, or the equal one already held."""
    return shared.setdefault(value, value)


def format_problems(facts: ClipFacts, size: tuple[int, int]) -> list[str]:
    """Why this clip cannot be copied into a cut of `size` at the pipeline's rate, whatever the reference."""
    i, found = facts.info, []
    if i.video_codec != CODEC:
        found.append(f"codec {i.video_codec}, not {CODEC}")
    if (i.width, i.height) != size:
        found.append(f"{i.width}x{i.height}, not {size[0]}x{size[1]}")
    if i.pix_fmt != PIX_FMT:
        found.append(f"pixel format {i.pix_fmt}, not {PIX_FMT}")
    if not facts.tick or facts.tick * formats.FPS * facts.time_base != 1:
        found.append(f"{float(i.fps or 0):.3f} fps{'' if facts.tick else ' (uneven)'}, not {formats.FPS}")
    if facts.interlaced:
        found.append("interlaced")
    if not facts.video_first:
        found.append("its video is not its first stream")
    if facts.sar not in (None, Fraction(1)):
        found.append(f"non-square pixels ({facts.sar})")
    return found


def reference(clips: dict[str, ClipFacts], size: tuple[int, int]) -> ClipFacts | None:
    """The clip whose encoding the cut keeps: from the largest group of interchangeable clips (by frames)."""
    fit = [f for f in clips.values() if not format_problems(f, size)]
    if not fit:
        return None
    weight: Counter = Counter()
    for f in fit:
        weight[f.family] += f.frames
    best = max(weight.values())
    return next(f for f in fit if weight[f.family] == best)  # ties go to the earliest in the storyboard


def why_normalised(facts: ClipFacts, ref: ClipFacts | None, size: tuple[int, int]) -> str | None:
    """None when `facts` can be copied next to `ref`, else the reason it is re-encoded."""
    found = format_problems(facts, size)
    if not found and ref is None:
        found = ["no clip can serve as the reference"]
    elif not found and facts.family != ref.family:
        found = [f"encoded differently from {ref.path.name} (time base or parameter sets differ)"]
    return "; ".join(found) or None
