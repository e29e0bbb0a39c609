"""The short film's music bed: a calm synthesised pad, written as one ffmpeg aevalsrc expression."""

from __future__ import annotations

from pathlib import Path

from .outputs import encode

RATE = 16000          # the pad is low-passed at 5 kHz, so 16 kHz loses nothing and halves the size
CHORDS = [            # (bass, chord tones) as MIDI notes
    (38, [50, 54, 57, 64]),      # D  add9
    (35, [50, 54, 57, 62]),      # Bm7
    (43, [50, 54, 59, 62]),      # Gmaj7
    (45, [49, 52, 57, 64]),      # A  add9
]
BELLS = [[74, 78, 81, 76], [74, 78, 81, 83], [74, 79, 83, 78], [73, 76, 81, 76]]   # four per chord
XF = 2.0              # crossfade between chords, seconds


def music(path: Path, seconds: float = 30.0) -> None:
    """The music bed: AAC, mono, low bitrate (the pad is soft and band-limited, so it survives that)."""
    encode(["-f", "lavfi", "-i", f"aevalsrc=exprs='{music_expr(seconds)}':s={RATE}:d={seconds}:c=mono",
            "-af", music_filters(seconds),
            "-c:a", "aac", "-b:a", "24k", "-ar", str(RATE), "-ac", "1", "-movflags", "+faststart"],
           path, "music bed")


def midi(n: int) -> float:
    return 440.0 * 2 ** ((n - 69) / 12)


def music_expr(seconds: float) -> str:
    """Four slow chords (D add9, Bm7, Gmaj7, A add9) over a soft bass, and a few bell notes."""
    return f"{pad_expr(seconds)}+{bells_expr(seconds)}"


def crossfade(t0: float, t1: float) -> str:
    """Gain that rises over XF seconds around t0 and falls around t1; sin/cos crossfades keep the power level."""
    up = f"clip((t-{t0 - XF / 2:.3f})/{XF},0,1)"
    down = f"clip(({t1 + XF / 2:.3f}-t)/{XF},0,1)"
    return f"(sin({up}*PI/2)*sin({down}*PI/2))"


def chord_expr(bass: int, notes: list[int]) -> str:
    """Bass with its octave, and each chord tone doubled slightly sharp so that it beats slowly."""
    voices = [f"0.16*sin(2*PI*{midi(bass):.3f}*t)", f"0.05*sin(4*PI*{midi(bass):.3f}*t)"]
    for k, n in enumerate(notes):
        f = midi(n)
        voices.append(f"0.055*(sin(2*PI*{f:.3f}*t)+sin(2*PI*{f * 1.003:.3f}*t+{k})"
                      f"+0.3*sin(4*PI*{f:.3f}*t))")
    return "+".join(voices)


def pad_expr(seconds: float) -> str:
    """The chords in turn, each crossfaded into the next, with a slow swell in level over all of them."""
    span = seconds / len(CHORDS)
    terms = []
    for i, (bass, notes) in enumerate(CHORDS):
        # the first chord is at full level from t=0 and the last to the end: the fades are music_filters' job
        t0 = -XF if i == 0 else i * span
        t1 = seconds + XF if i == len(CHORDS) - 1 else (i + 1) * span
        terms.append(f"{crossfade(t0, t1)}*({chord_expr(bass, notes)})")
    return f"(0.85+0.15*sin(2*PI*0.11*t))*({'+'.join(terms)})"


def bells_expr(seconds: float) -> str:
    """Chord tones an octave or two up, four per chord, each decaying over ~2 s; none too near the end."""
    span = seconds / len(CHORDS)
    step = span / 4
    bells = []
    for i, notes in enumerate(BELLS):
        for j, n in enumerate(notes):
            t0 = i * span + j * step + 0.4
            if t0 > seconds - 3.5:
                continue
            f = midi(n)
            bells.append(f"between(t,{t0:.3f},{t0 + 4:.3f})*exp(-1.6*(t-{t0:.3f}))*"
                         f"(0.07*sin(2*PI*{f:.3f}*(t-{t0:.3f}))+0.015*sin(6*PI*{f:.3f}*(t-{t0:.3f})))")
    return "+".join(bells)


def music_filters(seconds: float) -> str:
    """Some space from two echoes, a gentle top end, and fades at both ends."""
    return (f"aecho=0.8:0.55:180|330:0.28|0.18,lowpass=f=5000,atrim=end={seconds},"
            f"afade=t=in:d=1.5,afade=t=out:st={seconds - 3}:d=3,volume=2.6")
