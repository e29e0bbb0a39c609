"""A file's packet table from one ffmpeg call: each packet's timestamp, duration, size and key flag, for the
video stream and the subtitle stream, as numpy arrays. ffmpeg's framecrc muxer writes one line per packet
(copied, never decoded); the lines are parsed a chunk at a time with one regular expression per chunk, so
no Python code runs per packet and the text is never held whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .. import ffmpeg

# "stream, dts, pts, duration, size, 0xcrc[, F=0xflags]": no F means the flags are exactly "key"
LINE = re.compile(rb"^(\d+), *-?\d+, *(-?\d+), *(-?\d+), *(\d+), 0x[0-9a-f]+(?:, F=0x([0-9A-F]+))?", re.M)
TIME_BASE = re.compile(rb"^#tb (\d+): (\d+)/(\d+)", re.M)
KEY = 1  # AV_PKT_FLAG_KEY
CHUNK = 1 << 17  # bytes of lines parsed at a time: ~2,000 packets; their parsed rows cost ~10x the text


@dataclass(frozen=True)
class Packets:
    """One stream's packets in file order."""

    time_base: Fraction
    pts: np.ndarray  # int64
    duration: np.ndarray  # int64
    size: np.ndarray  # int64
    key: np.ndarray  # bool


def table(path: Path, *, subtitles: bool) -> tuple[Packets, Packets | None]:
    """The packets of the first video stream, and of the first subtitle stream when `subtitles`."""
    maps = ["-map", "0:v:0", *(["-map", "0:s:0"] if subtitles else [])]
    columns: dict[int, list[np.ndarray]] = {0: [], 1: []}
    bases: dict[int, Fraction] = {}
    for lines in ffmpeg.output_chunks(["-copyts", "-i", str(path), *maps, "-c", "copy", "-f", "framecrc", "-"],
                                      what=f"reading the packets of {path}", chunk=CHUNK):
        text = b"".join(lines)
        bases |= {int(n): Fraction(int(a), int(b)) for n, a, b in TIME_BASE.findall(text)}
        found = LINE.findall(text)
        if found:
            rows = np.array(found, dtype="S20")
            block = np.vstack([rows[:, :4].astype(np.int64).T, _flags(rows[:, 4])])
            for stream in (0, 1):
                columns[stream].append(block[1:, block[0] == stream])
    made = {n: _packets(bases.get(n, Fraction(1)), parts) for n, parts in columns.items()}
    return made[0], (made[1] if subtitles else None)


def _flags(column: np.ndarray) -> np.ndarray:
    """The F= column as numbers: a handful of distinct values, each parsed once."""
    values, where = np.unique(column, return_inverse=True)
    return np.array([int(v, 16) if v else KEY for v in values], dtype=np.int64)[where]


def _packets(time_base: Fraction, parts: list[np.ndarray]) -> Packets:
    rows = np.concatenate(parts, axis=1) if parts else np.zeros((4, 0), dtype=np.int64)
    return Packets(time_base, rows[0], rows[1], rows[2], (rows[3] & KEY).astype(bool))
