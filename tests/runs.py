"""Helpers for tests that run `pipeline run` against the fake Luma server: storyboards, env, stats, frames."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path

import av
import httpx

from pipeline import ffmpeg

TWO_SHOTS = """resolution: 540p
shots:
  - id: dawn
    prompt: a lighthouse at dawn, waves below
  - id: beam
    prompt: the beam sweeps across the sea
"""
TWO_CHAINS = """resolution: 540p
shots:
  - id: a
    prompt: a lighthouse at dusk, waves below
  - id: b
    prompt: the beam sweeps across the sea
  - id: c
    start: none
    prompt: inside, a kettle boils on an iron stove
  - id: d
    prompt: steam curls past the window
"""


def write_board(folder: Path, text: str = TWO_CHAINS) -> Path:
    path = folder / "board.yaml"
    path.write_text(text)
    return path


def luma_env(fake, key: str = "test-key-not-secret") -> dict[str, str]:
    return {**os.environ, "LUMAAI_BASE_URL": fake.api, "LUMAAI_API_KEY": key}


def run_args(board: Path, out: Path) -> list[str]:
    return ["run", str(board), "--provider", "luma", "--yes", "--out", str(out)]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def stats(fake) -> dict:
    return httpx.get(f"{fake.root}/_fake/stats").json()


def journal_states(out: Path) -> list[str]:
    """The journal's row states, read as another process would (empty before the journal exists)."""
    path = out / "journal.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        try:
            return [row[0] for row in db.execute("SELECT state FROM shots")]
        except sqlite3.OperationalError:  # the table is being created
            return []


def frames_digest(path: Path) -> str:
    """A hash of every decoded picture: equal for two cuts that show the same frames."""
    digest = hashlib.sha256()
    with av.open(str(path)) as box:
        for frame in box.decode(video=0):
            digest.update(frame.to_ndarray(format="gray").tobytes())
    return digest.hexdigest()


def assembled_frames(out: Path) -> tuple[int, int, int]:
    """(frames in the cut, what assembly.json says the cut has, the plan's frames minus reported trims)."""
    report = json.loads((out / "assembly.json").read_text())
    trimmed = sum(s["trimmed_frames"] for s in report["shots"])
    return ffmpeg.count_frames(out / "final.mp4"), report["runtime_frames"], report["planned_frames"] - trimmed
