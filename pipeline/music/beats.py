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
from . import one_compiler
from .grid import Analysis

VERSION = 1  # bump when the analysis changes, so cached beats are found again
RATE, HOP, FINE = 22050, 128, 32  # samples a second; hops of the tracker and of the attack search
BAR = 4
ATTACK_WINDOW = (0.06, 0.01)  # seconds before and after a tracked beat where its attack is looked for
INSTALL = "pip install 'storyboard-pipeline[music]'"


def analyse(path: Path, *, cache: Path | None = None) -> Analysis:
    """Tempo, beats and downbeats of the sound file `path` (its own times), from `cache` when it has them."""
    digest = sha256_of(path)
    stored = cache / f"beats-v{VERSION}-{digest}.json" if cache is not None else None
    found = _KNOWN.get(digest) or (_load(stored) if stored is not None else None) or _track(path)
    _KNOWN[digest] = found
    if stored is not None and not stored.exists():
        write_atomic(stored, json.dumps(found.to_json()).encode())
    return found


_KNOWN: dict[str, Analysis] = {}  # this process's analyses by digest: a run plans more than once


def _load(stored: Path) -> Analysis | None:
    try:
        return Analysis.from_json(json.loads(stored.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: analysed again


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
    with one_compiler.held():
        return _tracked(librosa, y)


def _tracked(librosa, y: np.ndarray) -> Analysis:
    envelope = librosa.onset.onset_strength(y=y, sr=RATE, hop_length=HOP)
    tempo, frames = librosa.beat.beat_track(onset_envelope=envelope, sr=RATE, hop_length=HOP, trim=False)
    energy = librosa.feature.rms(y=y, frame_length=4 * FINE, hop_length=FINE)[0]
    tracked = librosa.frames_to_time(frames, sr=RATE, hop_length=HOP)
    times = _attacks(energy, _to_the_edges(tracked, energy, len(y) / RATE))
    at = np.minimum(librosa.time_to_frames(times, sr=RATE, hop_length=HOP), len(envelope) - 1)
    strength = envelope[at] if len(times) else np.zeros(0)
    phase = int(np.argmax([strength[p::BAR].mean() for p in range(BAR)])) if len(times) >= BAR else 0
    return Analysis(float(np.atleast_1d(tempo)[0]), tuple(times), tuple(times[phase::BAR]), len(y) / RATE)


def _to_the_edges(beats: np.ndarray, energy: np.ndarray, duration: float) -> np.ndarray:
    """The tracked beats carried on at their period to the file's start and end, where there is sound: the
    tracker leaves out beats it has too little context for, and a cut near the bed's ends needs them."""
    if len(beats) < 2:
        return beats
    period = float(np.median(np.diff(beats)))
    heard = float(np.median(energy[_fine(beats, len(energy))])) * 0.1
    before = np.arange(beats[0] - period, -ATTACK_WINDOW[0], -period)[::-1]
    after = np.arange(beats[-1] + period, duration, period)
    extra = np.concatenate([before, after])
    loud = [t for t in extra if energy[_fine(np.array([max(t, 0)]), len(energy))][0] > heard
            or energy[_fine(np.array([max(t, 0) + 0.01]), len(energy))][0] > heard]
    return np.sort(np.concatenate([beats, np.array(loud)]))


def _fine(times: np.ndarray, size: int) -> np.ndarray:
    return np.minimum((times * RATE / FINE).astype(int), size - 1)


def _attacks(energy: np.ndarray, beats: np.ndarray) -> list[float]:
    """Each beat moved to the steepest rise of the energy in the window around it."""
    rise = np.diff(energy, prepend=energy[0])
    found = []
    for t in beats:
        a = max(0, int((t - ATTACK_WINDOW[0]) * RATE / FINE))
        b = min(len(rise), int((t + ATTACK_WINDOW[1]) * RATE / FINE) + 1)
        found.append(float((a + int(np.argmax(rise[a:b]))) * FINE / RATE) if b > a else float(t))
    return sorted(set(found))
