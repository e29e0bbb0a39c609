"""The cut's sound: one music bed laid over the whole cut, with footage's own sound mixed in under it.

AAC clips joined by copy overlap by the encoder's priming at every join, and clips whose sound is shorter
than their picture leave holes that become drift. So the picture is joined silent, and the sound is made
once for the whole cut, to the sample: the runtime in frames times 2000 samples (48 kHz at 24 fps).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ffmpeg as ffmpeg_python  # builds the filter graph and arguments; pipeline.ffmpeg runs them

from .. import ffmpeg, formats
from ..errors import MediaError
from ..files import atomic_path, sha256_of, write_atomic
from ..storyboard.model import Audio
from . import graph

RATE = 48000
PER_FRAME = RATE // formats.FPS
TRUE_PEAK, RANGE = -1.5, 11  # EBU R128 targets besides the integrated loudness the storyboard sets
AAC = {"c:a": "aac"}  # FFmpeg's own; its default (twoloop) coder measured faster than "fast" on music here
FRAME, ROLL = 1024, 4096  # AAC frame; samples encoded either side of a chunk and dropped
CHUNK_S, WORKERS = 30, 2  # shortest chunk (seconds) and chunks encoded at once
KEPT = 3  # beds kept in a cache folder (the most recently used)
END_FADE_S = 1.0  # a bed that does not loop and ends before the cut fades out this long, unless it says


@dataclass(frozen=True)
class Sound:
    """A footage clip's own sound: its frames [first, first + frames) play from frame `at` of the cut."""

    path: Path
    at: int
    first: int
    frames: int


@dataclass(frozen=True)
class Bed:
    """Everything the sound of a cut depends on (so equal beds are the same audio)."""

    runtime: int  # frames
    music: Audio | None = None
    music_path: Path | None = None
    sounds: tuple[Sound, ...] = ()

    @property
    def samples(self) -> int:
        return self.runtime * PER_FRAME

    @property
    def empty(self) -> bool:
        return self.music is None and not self.sounds


def cached(bed: Bed, cache: Path) -> Path:
    """`render`, kept in `cache` under a digest of everything that shapes the sound (the mix, the bytes of
    its inputs, the loudness target, the encoder settings), so a cut re-assembled with the same runtime and
    sound reuses the AAC instead of encoding it again; the last KEPT beds used are kept."""
    name = f"bed-{_key(bed)}"
    made = cache / (f"{name}-000.m4a" if len(_chunks(bed.samples)) == 1 else f"{name}.ffconcat")
    if not made.exists():  # the script is written last, once every chunk is in place
        made = render(bed, cache, name=name)
    os.utime(made)
    _prune(cache)
    return made


def _key(bed: Bed) -> str:
    paths = ([bed.music_path] if bed.music is not None else []) + [s.path for s in bed.sounds]
    digests = {str(p): sha256_of(Path(p)) for p in paths}
    mix = ffmpeg_python.get_args(_mix(bed).output("-", f="null"))  # inputs and graph: what shapes the sound
    material = {"mix": [digests.get(arg, arg) for arg in mix],
                "loudness": [bed.music.loudness if bed.music else None, TRUE_PEAK, RANGE],
                "encoder": [AAC, RATE, FRAME, ROLL, CHUNK_S, WORKERS]}
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()[:32]


def _prune(cache: Path) -> None:
    """Remove all but the KEPT most recently used beds (and any left half-made)."""
    used: dict[str, float] = {}
    for f in cache.glob("bed-*"):
        with contextlib.suppress(OSError):
            used[f.name[:36]] = max(used.get(f.name[:36], 0.0), f.stat().st_mtime)
    old = set(sorted(used, key=used.__getitem__, reverse=True)[KEPT:])
    for f in cache.glob("bed-*"):
        if f.name[:36] in old:
            f.unlink(missing_ok=True)


def render(bed: Bed, folder: Path, *, name: str = "sound") -> Path:
    """Mix the cut's sound into `folder` as files named `name`-NNN (each written whole or not at all); return
    what mux reads: one AAC .m4a for a short cut, else an ffconcat script of AAC chunks encoded side
    by side (FFmpeg's AAC encoder has one thread and would set the pace of a stream-copied cut). Chunks are
    cut on AAC frame boundaries and encoded with a little sound either side, so each kept frame was coded
    with its real neighbours."""
    mixed = _mix(bed)
    if bed.music is not None and bed.music.loudness is not None:
        gain = _gain(_measure(mixed, bed.music.loudness), bed.music.loudness)
        mixed = mixed.filter("volume", f"{gain:.2f}dB")
    mixed = mixed.filter("apad", whole_len=bed.samples).filter("atrim", end_sample=bed.samples)
    channels = 2 if _stereo(bed) else 1
    chunks = _chunks(bed.samples)
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda n: _encode(mixed, chunks[n], folder / f"{name}-{n:03d}.m4a", channels),
                      range(len(chunks))))
    if len(chunks) == 1:
        return folder / f"{name}-000.m4a"
    script = folder / f"{name}.ffconcat"
    write_atomic(script, _listing(chunks, name, bed.samples).encode())
    return script


def _chunks(samples: int) -> list[tuple[int, int]]:
    """[a, b) sample ranges on AAC frame boundaries: one per worker, none shorter than CHUNK_S seconds
    (each chunk's ffmpeg mixes the sound from the start, so more chunks would mix more)."""
    size = max(CHUNK_S * RATE, -(-samples // WORKERS))
    size = -(-size // FRAME) * FRAME
    return [(a, min(a + size, samples)) for a in range(0, samples, size)]


def _encode(mixed, chunk: tuple[int, int], dest: Path, channels: int) -> None:
    a, b = chunk
    cut = mixed.filter("atrim", start_sample=max(0, a - ROLL), end_sample=b + ROLL).filter("asetpts", "N/SR/TB")
    with atomic_path(dest) as tmp:
        out = cut.output(str(tmp), ac=channels, **AAC, audio_bitrate=f"{80 * channels}k", ar=RATE, f="mp4")
        ffmpeg.run(ffmpeg_python.get_args(out), what=f"encoding the sound from {a / RATE:.1f} s")


def _listing(chunks: list[tuple[int, int]], name: str, samples: int) -> str:
    """Each chunk from its own start (past the roll-in) to its end (before the roll-out)."""
    lines = ["ffconcat version 1.0"]
    for n, (a, b) in enumerate(chunks):
        local = a - max(0, a - ROLL)
        lines.append(f"file '{name}-{n:03d}.m4a'")
        if local:
            lines.append(f"inpoint {math.ceil(local * 1_000_000 / RATE) / 1_000_000:.6f}")
        if b < samples:
            lines.append(f"outpoint {math.floor((local + b - a) * 1_000_000 / RATE) / 1_000_000:.6f}")
        lines.append(f"duration {(b - a) / RATE:.6f}")
    return "\n".join(lines) + "\n"


def _stereo(bed: Bed) -> bool:
    paths = ([bed.music_path] if bed.music_path else []) + [s.path for s in bed.sounds]
    return any(ffmpeg.audio_channels(p) > 1 for p in paths)


def _mix(bed: Bed):
    """The mixed sound (an ffmpeg-python stream), before loudness and the final trim: the music (or
    silence) first, so amix's duration=first makes it as long as the cut, and each footage sound on it."""
    if bed.music is not None:
        looped = {"stream_loop": -1} if bed.music.loop else {}
        music = _music(bed, _uniform(ffmpeg_python.input(str(bed.music_path), **looped)["a:0"]
                                     .filter("aresample", RATE)))
    else:
        music = ffmpeg_python.input(f"anullsrc=r={RATE}:cl=stereo", f="lavfi")["a:0"].filter(
            "atrim", end_sample=bed.samples)
    uses = Counter(str(s.path) for s in bed.sounds)
    heard = {path: graph.readers(path, count, "a:0") for path, count in uses.items()}
    footage = [_footage(heard[str(s.path)].pop(0), s) for s in bed.sounds]
    return ffmpeg_python.filter([music, *footage], "amix", inputs=len(bed.sounds) + 1, normalize=0,
                                duration="first")


def _uniform(sound):
    # Timestamps are remade from sample counts: a looped file jumps by its priming at every loop
    return sound.filter("aformat", sample_fmts="fltp", channel_layouts="stereo").filter("asetpts", "N/SR/TB")


def _footage(heard, sound: Sound):
    """A clip's own sound, placed: holes first filled with silence where its timestamps say (async)."""
    heard = _uniform(heard.filter("aresample", RATE, **{"async": 1}, first_pts=0))
    heard = heard.filter("atrim", start_sample=sound.first * PER_FRAME,
                         end_sample=(sound.first + sound.frames) * PER_FRAME).filter("asetpts", "PTS-STARTPTS")
    return heard.filter("adelay", delays=f"{sound.at * PER_FRAME}S", all=1)


def _music(bed: Bed, music):
    """Offset into the file, looped (by the input) and trimmed to the cut, gain, then fades: a bed that does
    not loop and ends before the cut fades out where it ends, and silence follows."""
    settings, seconds = bed.music, bed.samples / RATE
    music = music.filter("atrim", start_sample=round(settings.offset * RATE)).filter("asetpts", "PTS-STARTPTS")
    music = music.filter("atrim", end_sample=bed.samples).filter("volume", settings.volume)
    music = music.filter("apad", whole_len=bed.samples)
    if settings.fade_in:
        music = music.filter("afade", t="in", st=0, d=min(settings.fade_in, seconds))
    ends = min(seconds, heard_s(bed)) if not settings.loop else seconds
    fade = settings.fade_out or (END_FADE_S if ends < seconds else 0.0)
    if fade:
        music = music.filter("afade", t="out", st=max(ends - fade, 0), d=min(fade, ends))
    return music


def heard_s(bed: Bed) -> float:
    """Seconds of the music file the cut plays once through, from its offset."""
    return max(ffmpeg.probe(bed.music_path).duration_s - bed.music.offset, 0.0)


def _measure(mixed, target: float) -> dict:
    """First loudnorm pass: what the mix measures (so the second pass can apply one linear gain)."""
    measured = mixed.filter("loudnorm", I=target, TP=TRUE_PEAK, LRA=RANGE, print_format="json")
    log = ffmpeg.run_for_log(ffmpeg_python.get_args(measured.output("-", f="null")),
                             what="measuring the loudness of the sound")
    found = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", log)
    if not found:
        raise MediaError("measuring the loudness of the sound: loudnorm reported nothing", log)
    return json.loads(found[-1])


def _gain(measured: dict, target: float) -> float:
    """One gain for the whole mix (as loudnorm's linear mode), held down so true peaks stay under the limit.

    A single gain keeps fades and dynamics as mixed, and is the same in every chunk."""
    loudness, peak = float(measured["input_i"]), float(measured["input_tp"])
    if not math.isfinite(loudness):
        return 0.0  # silence: nothing to bring up
    return min(target - loudness, TRUE_PEAK - peak)
