"""Render the pieces of the cut that cannot be copied: one ffmpeg filter graph per piece.

A piece's parts are frame-exact ranges of clips (trimmed by frame number, never by a seek time), cross
faded where the plan has a transition, normalised to the cut's size, rate and pixel format where the clip
is odd, and encoded as the reference clip was (encoder_match) so the piece can sit between copied packets.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .. import ffmpeg, formats
from .edit_list import Blend, Piece, Span


@dataclass(frozen=True)
class Target:
    """What every re-encoded piece must be."""

    width: int
    height: int
    sar: Fraction | None  # the reference's sample aspect ratio as stored (None: not stated)
    timescale: int  # MP4 track timescale (the reference's time base)
    matrix: str | None  # the YUV matrix odd clips are converted to (swscale's name), None to leave it
    encoder: list[str]  # ffmpeg output options for the video encoder


def render(piece: Piece, dest: Path, target: Target) -> None:
    """Write `piece` to `dest` (an MP4 holding exactly piece.frames frames at the cut's rate)."""
    inputs: list[str] = []
    graph: list[str] = []
    labels = [_part(part, inputs, graph, target) for part in piece.parts]
    joined = f"{''.join(labels)}concat=n={len(labels)}:v=1:a=0," if len(labels) > 1 else f"{labels[0]}null,"
    graph.append(f"{joined}settb=1/{formats.FPS},setpts=N[cut]")
    ffmpeg.run([*inputs, "-filter_complex", ";".join(graph), "-map", "[cut]", "-an", "-sn", "-dn",
                "-map_metadata", "-1", "-map_chapters", "-1", *target.encoder, "-r", str(formats.FPS),
                "-frames:v", str(piece.frames), "-video_track_timescale", str(target.timescale),
                "-f", "mp4", str(dest)],
               what=f"re-encoding {', '.join(piece.shots)} ({piece.frames} frames)")


def _part(part: Span | Blend, inputs: list[str], graph: list[str], target: Target) -> str:
    if isinstance(part, Span):
        return _span(part, inputs, graph, target)
    out, into = _span(part.out, inputs, graph, target), _span(part.into, inputs, graph, target)
    label, frames = f"[b{len(graph)}]", part.frames
    if part.kind == "dissolve":
        graph.append(f"{out}{into}xfade=transition=fade:duration={frames / formats.FPS}:offset=0{label}")
    elif frames < 2:  # a one-frame dip: black
        graph.append(f"{out}fade=t=out:start_frame=0:nb_frames=1{label};{into}nullsink")
    else:  # through black: the outgoing shot fades out over the first half, the incoming one in over the rest
        half, name = frames // 2, label[1:-1]
        graph.append(f"{out}trim=end_frame={half},fade=t=out:start_frame=0:nb_frames={half}[{name}o];"
                     f"{into}trim=start_frame={half},setpts=PTS-STARTPTS,fade=t=in:start_frame=0:"
                     f"nb_frames={frames - half}[{name}i];[{name}o][{name}i]concat=n=2:v=1:a=0{label}")
    return label


def _span(span: Span, inputs: list[str], graph: list[str], target: Target) -> str:
    """Add the input and the filter chain giving exactly span.frames frames; return its output label."""
    index = sum(1 for arg in inputs if arg == "-i")
    label = f"[s{index}]"
    if span.normalise:  # retimed first: frame numbers count frames at the cut's rate
        inputs += ["-i", str(span.clip.path)]
        chain = [f"setpts=PTS-STARTPTS,fps={formats.FPS}", _trim(span.first, span.count), _conform(target)]
    else:
        key = max((k for k in span.clip.keyframes if k <= span.first), default=0)
        inputs += _seek(span.clip.seconds(key)) if key else []
        inputs += ["-i", str(span.clip.path)]
        chain = [_trim(span.first - key, span.count)]
    frames = span.frames
    chain.append(f"tpad=stop_mode=clone:stop={frames},trim=end_frame={frames}")  # holds, and odd clips' shortfall
    graph.append(f"[{index}:v:0]{','.join(chain)},settb=1/{formats.FPS},setpts=N{label}")
    return label


def _seek(seconds: Fraction) -> list[str]:
    """Start demuxing at the key frame at `seconds` (a hair later, so the seek cannot land a GOP early),
    passing every frame on: frames are then counted, not timed."""
    return ["-noaccurate_seek", "-ss", f"{float(seconds) + 1e-6:.6f}"]


def _trim(first: int, count: int) -> str:
    return f"trim=start_frame={first}:end_frame={first + count},setpts=PTS-STARTPTS"


def _conform(target: Target) -> str:
    w, h = target.width, target.height
    sar = f"{target.sar.numerator}/{target.sar.denominator}" if target.sar else "0"
    matrix = f":out_color_matrix={target.matrix}:out_range=tv" if target.matrix else ""
    return (f"scale={w}:{h}:force_original_aspect_ratio=decrease{matrix},pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
            f"setsar={sar},format=yuv420p")
