"""The cut's sound: one music bed laid over the whole cut, with footage's own sound mixed in under it.

AAC clips joined by copy overlap by the encoder's priming at every join, and clips whose sound is shorter
than their picture leave holes that become drift. So the picture is joined silent, and the sound is made
once for the whole cut, to the sample: the runtime in frames times 2000 samples (48 kHz at 24 fps).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import ffmpeg, formats
from .errors import MediaError
from .storyboard import Audio

RATE = 48000
PER_FRAME = RATE // formats.FPS
TRUE_PEAK, RANGE = -1.5, 11  # EBU R128 targets besides the integrated loudness the storyboard sets
AAC = ["-c:a", "aac", "-aac_coder", "fast"]  # the fast coder: 1.6x the default's speed, same bitrate


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


def render(bed: Bed, dest: Path) -> None:
    """Write the cut's sound to `dest` (AAC in MP4, exactly bed.samples long)."""
    inputs, graph = _graph(bed)
    loudness = bed.music.loudness if bed.music else None
    if loudness is not None:
        measured = _measure(inputs, graph, loudness)
        graph += f",{_loudnorm(loudness, measured)}"
    graph += f",aresample={RATE},apad=whole_len={bed.samples},atrim=end_sample={bed.samples}[sound]"
    channels = 2 if _stereo(bed) else 1
    ffmpeg.run([*inputs, "-filter_complex", graph, "-map", "[sound]", "-ac", str(channels), *AAC,
                "-b:a", f"{80 * channels}k", "-ar", str(RATE), "-f", "mp4", str(dest)], what="mixing the sound")


def _stereo(bed: Bed) -> bool:
    paths = ([bed.music_path] if bed.music_path else []) + [s.path for s in bed.sounds]
    return any(ffmpeg.audio_channels(p) > 1 for p in paths)


def _graph(bed: Bed) -> tuple[list[str], str]:
    """Inputs and a filter graph ending (open) in the mixed sound, before loudness and the final trim."""
    fmt = f"aresample={RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=PTS-STARTPTS"
    if bed.music is not None:
        inputs, chains = ["-stream_loop", "-1", "-i", str(bed.music_path)], [f"[0:a:0]{fmt},{_music(bed)}[m0]"]
    else:
        inputs = ["-f", "lavfi", "-i", f"anullsrc=r={RATE}:cl=stereo"]
        chains = [f"[0:a:0]atrim=end_sample={bed.samples}[m0]"]
    for n, sound in enumerate(bed.sounds, 1):
        inputs += ["-i", str(sound.path)]
        chains.append(f"[{n}:a:0]{fmt},atrim=start_sample={sound.first * PER_FRAME}:end_sample="
                      f"{(sound.first + sound.frames) * PER_FRAME},asetpts=PTS-STARTPTS,"
                      f"adelay=delays={sound.at * PER_FRAME}S:all=1[m{n}]")
    mix = "".join(f"[m{n}]" for n in range(len(bed.sounds) + 1))
    return inputs, ";".join(chains) + f";{mix}amix=inputs={len(bed.sounds) + 1}:normalize=0:duration=first"


def _music(bed: Bed) -> str:
    """Offset into the file, looped (by the input) and trimmed to the cut, gain, then fades."""
    music, seconds = bed.music, bed.samples / RATE
    chain = [f"atrim=start_sample={round(music.offset * RATE)}", "asetpts=PTS-STARTPTS",
             f"atrim=end_sample={bed.samples}", f"volume={music.volume}", f"apad=whole_len={bed.samples}"]
    if music.fade_in:
        chain.append(f"afade=t=in:st=0:d={min(music.fade_in, seconds)}")
    if music.fade_out:
        chain.append(f"afade=t=out:st={max(seconds - music.fade_out, 0)}:d={min(music.fade_out, seconds)}")
    return ",".join(chain)


def _measure(inputs: list[str], graph: str, target: float) -> dict:
    """First loudnorm pass: what the mix measures (so the second pass can apply one linear gain)."""
    log = ffmpeg.run_for_log([*inputs, "-filter_complex", f"{graph},loudnorm=I={target}:TP={TRUE_PEAK}:"
                              f"LRA={RANGE}:print_format=json[sound]", "-map", "[sound]", "-f", "null", "-"],
                             what="measuring the loudness of the sound")
    found = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", log)
    if not found:
        raise MediaError("measuring the loudness of the sound: loudnorm reported nothing", log)
    return json.loads(found[-1])


def _loudnorm(target: float, m: dict) -> str:
    """Second pass: linear (fades and dynamics kept), unless the peak limit forces loudnorm to compress."""
    return (f"loudnorm=I={target}:TP={TRUE_PEAK}:LRA={RANGE}:measured_I={m['input_i']}:measured_TP={m['input_tp']}"
            f":measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}:offset={m['target_offset']}"
            ":linear=true")
