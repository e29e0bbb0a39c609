"""Verify a written cut before it is called done: frame count, evenly spaced frames, every piece's key
frames where they belong (so each shot's frames are where and as many as planned), sound that ends
with the picture, and captions that are one mov_text stream players show, with the planned cues.
Packets are read, nothing is decoded: ffmpeg lists them in one call (assembly.packets) and the checks run on
numpy arrays of their timestamps, never a Python loop per packet; memory stays small however long the cut is.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .. import ffmpeg, formats
from ..errors import MediaError
from . import packets
from .captions import LANGUAGE, Cue


def verify(path: Path, runtime: int, keyframes: set[int] | None, starts: list[tuple[int, str]], *, sound: bool,
           cues: list[Cue] | tuple[Cue, ...] = (), language: str = LANGUAGE) -> None:
    """Raise MediaError naming the shot where `path` departs from the assembly's own arithmetic.

    keyframes: frames of the cut that must be key frames (and no others; None: any, as after a whole
    re-encode); starts: (first frame, shot id); cues: the captions its subtitle stream must hold (none: no
    subtitle stream).
    """
    with ffmpeg.opened(path, "read the streams of the cut") as box:
        ffmpeg.video_stream(box, path)
        text = _subtitle_stream(box, bool(cues), language)
        audio_end = _audio_end(box) if sound else None
    video, subtitles = packets.table(path, subtitles=text is not None)
    frames, found, uneven = _video(video)
    shown = _shown(subtitles) if subtitles is not None else []
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


def _shown(subtitles: packets.Packets) -> list[tuple[int, int]]:
    """Each cue shown as (first frame, end): a two-byte packet is the empty sample mov_text puts between cues."""
    shown = []
    for pts, duration in zip(subtitles.pts[subtitles.size > 2].tolist(),
                             subtitles.duration[subtitles.size > 2].tolist(), strict=True):
        start = pts * subtitles.time_base * formats.FPS
        shown.append((round(start), round(start + duration * subtitles.time_base * formats.FPS)))
    return shown


def _video(video: packets.Packets) -> tuple[int, set[int], int | None]:
    """(frames, key frame numbers, first frame off its slot or None), from packet timestamps, in integers:
    frame n sits at n * den / (FPS * num) ticks of the time base num/den, within a quarter frame."""
    present = video.size > 0
    times, keys = video.pts[present], video.key[present]
    order = np.argsort(times, kind="stable")
    times, keys = times[order], keys[order]
    if not len(times):
        return 0, set(), None
    num, den = video.time_base.numerator * formats.FPS, video.time_base.denominator
    ticks = (times - times[0]) * num  # frame number * den
    off = np.nonzero(np.abs(4 * ticks - 4 * np.arange(len(ticks)) * den) > den)[0]
    numbers = (2 * ticks[keys] + den) // (2 * den)  # rounded to the nearest frame
    return len(times), set(numbers.tolist()), int(off[0]) if len(off) else None


def _audio_end(box) -> Fraction | None:
    audio = next(iter(box.streams.audio), None)
    if audio is None or not audio.duration:
        return None
    return (audio.start_time or 0) * audio.time_base + audio.duration * audio.time_base
