"""Verify a written cut before it is called done: frame count, evenly spaced frames, every piece's key
frames where they belong (so each shot's frames are where and as many as planned), and sound that ends
with the picture. Packets are read, nothing is decoded: memory stays flat however long the cut is.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from pathlib import Path

from .. import ffmpeg, formats
from ..errors import MediaError


def verify(path: Path, runtime: int, keyframes: set[int], starts: list[tuple[int, str]], *, sound: bool) -> None:
    """Raise MediaError naming the shot where `path` departs from the assembly's own arithmetic.

    keyframes: frames of the cut that must be key frames (and no others); starts: (first frame, shot id).
    """
    with ffmpeg.opened(path, "read the packets of the cut") as box:
        video = ffmpeg.video_stream(box, path)
        frames, found, uneven = _video(box, video)
        audio_end = _audio_end(box) if sound else None
    end = Fraction(runtime, formats.FPS)

    def shot_at(frame: int) -> str:
        return starts[max(0, bisect.bisect_right([s for s, _ in starts], frame) - 1)][1]

    if frames != runtime:
        raise MediaError(f"the cut has {frames} frames, assembly planned {runtime}; around shot "
                         f"{shot_at(min(frames, runtime) - 1)}: it was not written")
    if uneven is not None:
        raise MediaError(f"shot {shot_at(uneven)}: frame {uneven} of the cut is not where its rate puts it")
    wrong = sorted(found ^ keyframes)
    if wrong:
        where = "a key frame" if wrong[0] in found else "no key frame"
        raise MediaError(f"shot {shot_at(wrong[0])}: the cut has {where} at frame {wrong[0]}, against its "
                         "pieces: its frames are not where they were placed")
    if sound and (audio_end is None or abs(audio_end - end) > Fraction(1, formats.FPS)):
        raise MediaError(f"the sound ends at {float(audio_end or 0):.3f} s, the picture at {float(end):.3f} s")


def _video(box, video) -> tuple[int, set[int], int | None]:
    """(frames, key frame numbers, first frame off its slot or None), from packet timestamps."""
    step = 1 / (Fraction(formats.FPS) * video.time_base)
    start, times, keys = None, [], set()
    for packet in box.demux(video):
        if not packet.size:
            continue
        times.append(packet.pts)
        if packet.is_keyframe:
            keys.add(packet.pts)
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
