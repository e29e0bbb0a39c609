"""Beat tracking of a music bed by librosa (an optional dependency: the `music` extra), kept in the output
folder's cache by the sha256 of the file's bytes, so a bed is analysed once however often the film is planned.

librosa's tracker places beats on its onset envelope (a hop of 128 samples, ~6 ms); each beat is then moved
to the steepest rise of the sound's energy just before it, where the attack starts (the envelope peaks a
little after), so a cut lands on the hit, not ~20 ms late. librosa finds no bars: the downbeats are every
fourth beat, from the phase whose beats carry the most onset energy (music in 4/4).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import ffmpeg
from ..errors import MediaError, PipelineError
from ..files import sha256_of, write_atomic
from .grid import Analysis

VERSION = 1  # bump when the analysis changes, so cached beats are found again
RATE, HOP, FINE = 22050, 128, 32  # samples a second; hops of the tracker and of the attack search
BAR = 4
ATTACK_WINDOW = (0.06, 0.01)  # seconds before and after a tracked beat where its attack is looked for
INSTALL = "pip install 'storyboard-pipeline[music]'"


def analyse(path: Path, *, cache: Path | None = None) -> Analysis:
    """Tempo, beats and downbeats of the sound file `path` (its own times), from `cache` when it has them."""
    digest = sha256_of(path)
    if digest in _KNOWN:
        found = _KNOWN[digest]
    else:
        found = _KNOWN[digest] = _cached(path, digest, cache)
    return found


_KNOWN: dict[str, Analysis] = {}  # this process's analyses by digest: a run plans more than once


def _cached(path: Path, digest: str, cache: Path | None) -> Analysis:
    stored = cache / f"beats-v{VERSION}-{digest}.json" if cache is not None else None
    if stored is not None and stored.exists():
        try:
            return Analysis.from_json(json.loads(stored.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # damaged: analysed again
    found = _track(path)
    if stored is not None:
        write_atomic(stored, json.dumps(found.to_json()).encode())
    return found


def _librosa():
    try:
        import librosa
    except ImportError as exc:
        raise PipelineError(f"cutting to the beats needs the librosa music library, which is not installed; "
                            f"run `{INSTALL}`") from exc
    return librosa


def _track(path: Path) -> Analysis:
    librosa = _librosa()
    y = ffmpeg.mono_samples(path, RATE)
    if not len(y):
        raise MediaError(f"{path}: has no sound to find beats in")
    envelope = librosa.onset.onset_strength(y=y, sr=RATE, hop_length=HOP)
    tempo, frames = librosa.beat.beat_track(onset_envelope=envelope, sr=RATE, hop_length=HOP)
    times = _attacks(librosa, y, librosa.frames_to_time(frames, sr=RATE, hop_length=HOP))
    strength = envelope[np.minimum(frames, len(envelope) - 1)] if len(frames) else np.zeros(0)
    phase = int(np.argmax([strength[p::BAR].mean() for p in range(BAR)])) if len(times) >= BAR else 0
    return Analysis(float(np.atleast_1d(tempo)[0]), tuple(times), tuple(times[phase::BAR]), len(y) / RATE)


def _attacks(librosa, y: np.ndarray, beats: np.ndarray) -> list[float]:
    """Each beat moved to the steepest rise of the energy in the window before it."""
    energy = librosa.feature.rms(y=y, frame_length=4 * FINE, hop_length=FINE)[0]
    rise = np.diff(energy, prepend=energy[0])
    found = []
    for t in beats:
        a = max(0, int((t - ATTACK_WINDOW[0]) * RATE / FINE))
        b = min(len(rise), int((t + ATTACK_WINDOW[1]) * RATE / FINE) + 1)
        found.append(float((a + int(np.argmax(rise[a:b]))) * FINE / RATE) if b > a else float(t))
    return sorted(set(found))
