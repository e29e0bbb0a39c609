"""Write the cut: the pieces joined by the concat demuxer (packets copied), the sound, the chapters and the
captions (a mov_text subtitle stream) muxed in the same pass, the index moved to the front (+faststart)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from .. import ffmpeg, formats
from .captions import LANGUAGE
from .edit_list import Piece


def listing(pieces: list[Piece], files: dict[int, Path]) -> str:
    """An ffconcat script: copied pieces cut by in/out points, re-encoded ones whole (keyed by piece index).

    Every entry states its duration, taken from exact frame positions so rounding never accumulates;
    the in point sits just after the key frame's time (the seek lands on it), the out point just before
    the first packet not wanted (the demuxer stops at the first decode time at or past it).
    """
    lines = ["ffconcat version 1.0"]
    for n, piece in enumerate(pieces):
        lines.append(f"file {_quote(files.get(n) or piece.parts[0].clip.path)}")
        if piece.copy:
            span = piece.parts[0]
            clip, end = span.clip, span.first + span.count
            if span.first:
                lines.append(f"inpoint {_seconds(math.ceil(clip.seconds(span.first) * 1_000_000))}")
            if end < clip.frames:
                stop = clip.dts[clip.position(span.first) + span.count] * clip.time_base
                lines.append(f"outpoint {_seconds(math.floor(stop * 1_000_000))}")
        lines.append(f"duration {_seconds(_us(piece.start + piece.frames) - _us(piece.start))}")
    return "\n".join(lines) + "\n"


def _us(frame: int) -> int:
    return round(Fraction(frame * 1_000_000, formats.FPS))


def subtitle_stream(source: int, language: str = LANGUAGE) -> list[str]:
    """Output options that make input `source`'s subtitles the cut's mov_text stream, as QuickTime and VLC
    show it: MP4's own text format, a language tag (ISO 639-2; players skip "und" tracks) and the default flag."""
    return ["-map", f"{source}:s:0", "-c:s", "mov_text", "-metadata:s:s:0", f"language={language}",
            "-disposition:s:0", "default"]


def _seconds(us: int) -> str:
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def _quote(path: Path) -> str:
    return "'" + str(Path(path).resolve()).replace("'", "'\\''") + "'"


def mux(script: Path, sound: Path | None, metadata: Path, dest: Path, *, captions: Path | None = None,
        language: str = LANGUAGE) -> None:
    """Join the pieces listed in `script` by copy, add `sound` (copied), the chapters of `metadata` and the
    SRT `captions` as a subtitle stream tagged `language`."""
    # auto_convert off: every piece shares the reference's parameter sets (the gate checked), so packets
    # go through as they are instead of gaining in-band SPS/PPS on the way through Annex B and back
    args = ["-f", "concat", "-safe", "0", "-auto_convert", "0", "-i", str(script)]
    if sound is not None:  # one AAC file, or a script joining AAC chunks (sound)
        args += ["-f", "concat", "-safe", "0"] if sound.suffix == ".ffconcat" else []
        args += ["-i", str(sound)]
    meta = 2 if sound is not None else 1
    args += ["-f", "ffmetadata", "-i", str(metadata)]
    args += ["-i", str(captions)] if captions is not None else []
    args += ["-map", "0:v:0", "-c:v", "copy"]
    if sound is not None:
        args += ["-map", "1:a:0", "-c:a", "copy"]
    if captions is not None:
        args += subtitle_stream(meta + 1, language)
    # copyts: the concat demuxer's timestamps are already the cut's; without it the sound's priming packet
    # (pts -1024, skipped through an edit list) would be shifted to 0 and play as 21 ms of extra sound
    ffmpeg.run([*args, "-copyts", "-map_metadata", str(meta), "-map_chapters", str(meta), "-movflags", "+faststart",
                "-f", "mp4", str(dest)], what=f"joining the cut into {dest.name}")
