"""Verify a written cut before it is called done: frame count, evenly spaced frames, every piece's key
frames where they belong (so each shot's frames are where and as many as planned), sound that ends
with the picture, and captions that are one mov_text stream players show, with the planned cues.
Packets are read, nothing is decoded: memory stays flat however long the cut is.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from pathlib import Path

import av

from .. import ffmpeg, formats
from ..errors import MediaError
from .captions import LANGUAGE, Cue


def verify(path: Path, runtime: int, keyframes: set[int] | None, starts: list[tuple[int, str]], *, sound: bool,
           cues: list[Cue] | tuple[Cue, ...] = (), language: str = LANGUAGE) -> None:
    """Raise MediaError naming the shot where `path` departs from the assembly's own arithmetic.

    keyframes: frames of the cut that must be key frames (and no others; None: any, as after a whole
    re-encode); starts: (first frame, shot id); cues: the captions its subtitle stream must hold (none: no
    subtitle stream).
    """
    with ffmpeg.opened(path, "read the packets of the cut") as box:
        video = ffmpeg.video_stream(box, path)
        text = _subtitle_stream(box, bool(cues), language)
        times, keys, shown = _packets(box, video, text)
        frames, found, uneven = _video(video, times, keys)
        audio_end = _audio_end(box) if sound else None
    end = Fraction(runtime, formats.FPS)

    def shot_at(frame: int) -> str:
        return starts[max(0, bisect.bisect_right([s for s, _ in starts], frame) - 1)][1]

    if frames != runtime:
        raise MediaError(f"the cut has {frames} frames, assembly planned {runtime}; around shot "
                         f"{shot_at(min(frames, runtime) - 1)}: it was not written")
    if uneven is not None:
        raise MediaError(f"shot {shot_at(uneven)}: frame {uneven} of the cut is not where its rate puts it")
    wrong = sorted(found ^ keyframes) if keyframes is not None else []
    if wrong:
        where = "a key frame" if wrong[0] in found else "no key frame"
        raise MediaError(f"shot {shot_at(wrong[0])}: the cut has {where} at frame {wrong[0]}, against its "
                         "pieces: its frames are not where they were placed")
    if sound and (audio_end is None or abs(audio_end - end) > Fraction(1, formats.FPS)):
        raise MediaError(f"the sound ends at {float(audio_end or 0):.3f} s, the picture at {float(end):.3f} s")
    placed = [(c.start, c.end) for c in cues]
    if shown != placed:
        raise MediaError(f"the cut's subtitle stream shows cues at frames {shown}, assembly placed them at {placed}")


def _subtitle_stream(box, expected: bool, language: str):
    """The cut's one subtitle stream, checked to be what players show; None when no cue is expected."""
    streams = list(box.streams.subtitles)
    if not expected:
        if streams:
            raise MediaError("the cut has a subtitle stream but no shot has a caption")
        return None
    text = streams[0] if len(streams) == 1 else None
    if text is None or text.codec_context.name != "mov_text" or text.language != language or \
            not text.disposition & av.stream.Disposition.default:
        raise MediaError(f"the cut's captions are not one mov_text subtitle stream tagged {language} and shown by "
                         f"default (found {[(s.codec_context.name, s.language) for s in streams]})")
    return text


def _packets(box, video, text) -> tuple[list[int], set[int], list[tuple[int, int]]]:
    """The video packets' timestamps and key frames' timestamps, and each cue shown as (first frame, end)."""
    times, keys, shown = [], set(), []
    for packet in box.demux(*(s for s in (video, text) if s is not None)):
        if packet.stream.index != video.index:
            if packet.size > 2:  # a two-byte packet is the empty sample mov_text puts between cues
                start = packet.pts * packet.time_base * formats.FPS
                shown.append((round(start), round(start + packet.duration * packet.time_base * formats.FPS)))
        elif packet.size:
            times.append(packet.pts)
            if packet.is_keyframe:
                keys.add(packet.pts)
    return times, keys, shown


def _video(video, times: list[int], keys: set[int]) -> tuple[int, set[int], int | None]:
    """(frames, key frame numbers, first frame off its slot or None), from packet timestamps."""
    step = 1 / (Fraction(formats.FPS) * video.time_base)
    times.sort()
    start = times[0] if times else 0
    numbered = [(t - start) / step for t in times]
    uneven = next((n for n, x in enumerate(numbered) if abs(x - n) > Fraction(1, 4)), None)
    return len(times), {round((t - start) / step) for t in keys}, uneven


def _audio_end(box) -> Fraction | None:
    audio = next(iter(box.streams.audio), None)
    if audio is None or not audio.duration:
        return None
    return (audio.start_time or 0) * audio.time_base + audio.duration * audio.time_base
