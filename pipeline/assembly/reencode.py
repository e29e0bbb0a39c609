"""Render the pieces of the cut that cannot be copied: one ffmpeg filter graph per piece.

A piece's parts are frame-exact ranges of clips (trimmed by frame number, never by a seek time), cross
faded where the plan has a transition, normalised to the cut's size, rate and pixel format where the clip
is odd, and encoded as the reference clip was (encoder_match) so the piece can sit between copied packets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ffmpeg as ffmpeg_python  # builds the filter graph and arguments; pipeline.ffmpeg runs them

from .. import ffmpeg, formats
from . import graph
from .edit_list import Blend, Piece, Span
from .gate import ClipFacts


@dataclass(frozen=True)
class Target:
    """What every re-encoded piece must be."""

    width: int
    height: int
    sar: Fraction | None  # the reference's sample aspect ratio as stored (None: not stated)
    timescale: int  # MP4 track timescale (the reference's time base)
    matrix: str | None  # the YUV matrix odd clips are converted to (swscale's name), None to leave it
    encoder: dict[str, str]  # ffmpeg output options for the video encoder (name without the dash -> value)


def render(piece: Piece, dest: Path, target: Target) -> None:
    """Write `piece` to `dest` (an MP4 holding exactly piece.frames frames at the cut's rate)."""
    sources = _sources(piece)
    parts = [_part(part, target, sources) for part in piece.parts]
    joined = ffmpeg_python.concat(*parts, v=1, a=0) if len(parts) > 1 else parts[0]
    cut = _renumbered(joined).output(
        str(dest), an=None, sn=None, dn=None, map_metadata=-1, map_chapters=-1, **target.encoder, r=formats.FPS,
        video_track_timescale=target.timescale, f="mp4", **{"frames:v": piece.frames})
    ffmpeg.run(ffmpeg_python.get_args(cut), what=f"re-encoding {', '.join(piece.shots)} ({piece.frames} frames)")


def _part(part: Span | Blend, target: Target, sources: dict):
    if isinstance(part, Span):
        return _span(part, target, sources)
    out, frames = _span(part.out, target, sources), part.frames
    if part.kind == "dissolve":
        return ffmpeg_python.filter([out, _span(part.into, target, sources)], "xfade", transition="fade",
                                    duration=frames / formats.FPS, offset=0)
    if frames < 2:  # a one-frame dip: black, and nothing of the incoming shot shows
        return out.filter("fade", t="out", start_frame=0, nb_frames=1)
    # through black: the outgoing shot fades out over the first half, the incoming one in over the rest
    half = frames // 2
    into = _span(part.into, target, sources).filter("trim", start_frame=half).filter("setpts", "PTS-STARTPTS")
    return ffmpeg_python.concat(out.filter("trim", end_frame=half).filter("fade", t="out", start_frame=0,
                                                                         nb_frames=half),
                                into.filter("fade", t="in", start_frame=0, nb_frames=frames - half), v=1, a=0)


def _sources(piece: Piece) -> dict[tuple[Path, bool, int], list]:
    """Each clip's video as the piece reads it (whole, to be retimed, or demuxed from the key frame a span
    starts after), one stream for each span that reads it (graph.readers)."""
    spans = [s for p in piece.parts for s in ((p.out, p.into) if isinstance(p, Blend) else (p,))]
    uses = Counter(_source(s) for s in spans)
    clips = {_source(s): s.clip for s in spans}
    return {key: _read(clips[key], *key[1:], uses[key]) for key in uses}


def _source(span: Span) -> tuple[Path, bool, int]:
    """(clip, retimed?, the key frame demuxing starts at)."""
    key = 0 if span.normalise else max((k for k in span.clip.keyframes if k <= span.first), default=0)
    return span.clip.path, span.normalise, key


def _read(clip: ClipFacts, normalise: bool, key: int, readers: int) -> list:
    seek = _seek(clip.seconds(key)) if key and not normalise else {}
    return graph.readers(str(clip.path), readers, "v:0", **seek)


def _span(span: Span, target: Target, sources: dict):
    """The clip's video trimmed, held and (when odd) conformed to exactly span.frames frames."""
    path, normalise, key = _source(span)
    video = sources[path, normalise, key].pop(0)
    if normalise:  # retimed first: frame numbers count frames at the cut's rate
        video = video.filter("setpts", "PTS-STARTPTS").filter("fps", formats.FPS)
        video = _conform(_trim(video, span.first, span.count), target)
    else:
        video = _trim(video, span.first - key, span.count)
    frames = span.frames  # holds, and odd clips' shortfall
    return _renumbered(video.filter("tpad", stop_mode="clone", stop=frames).filter("trim", end_frame=frames))


def _seek(seconds: Fraction) -> dict[str, str | None]:
    """Start demuxing at the key frame at `seconds` (a hair later, so the seek cannot land a GOP early),
    passing every frame on: frames are then counted, not timed."""
    return {"noaccurate_seek": None, "ss": f"{float(seconds) + 1e-6:.6f}"}


def _trim(video, first: int, count: int):
    return video.filter("trim", start_frame=first, end_frame=first + count).filter("setpts", "PTS-STARTPTS")


def _renumbered(video):
    """Timestamps remade as frame numbers at the cut's rate."""
    return video.filter("settb", f"1/{formats.FPS}").filter("setpts", "N")


def _conform(video, target: Target):
    w, h = target.width, target.height
    sar = f"{target.sar.numerator}/{target.sar.denominator}" if target.sar else "0"
    matrix = {"out_color_matrix": target.matrix, "out_range": "tv"} if target.matrix else {}
    return (video.filter("scale", w, h, force_original_aspect_ratio="decrease", **matrix)
            .filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2").filter("setsar", sar).filter("format", "yuv420p"))
