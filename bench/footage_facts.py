"""Footage facts kept in the journal: `validate` of a storyboard of N distinct footage clips, with no journal
(every clip hashed, probed and demuxed) against the same after a run kept the facts (none of them read).

    .venv/bin/python bench/footage_facts.py [--clips 1000]    # makes the boards, runs one, prints the command

Writes /tmp/bench-footage-facts/{cold,kept}.yaml over the same N clips (copies of one 1 s 960x540 clip, each
with its own trailing bytes, so each has its own digest), runs `kept` once so its output folder's journal holds
the facts, and prints the farm-bench command that times `validate` of the two side by side.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path("/tmp/bench-footage-facts")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=1000)
    clips = parser.parse_args().clips
    from pipeline import ffmpeg

    shutil.rmtree(ROOT, ignore_errors=True)
    (ROOT / "clips").mkdir(parents=True)
    first = ROOT / "clips" / "c00000.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=960x540:rate=24", "-frames:v", "24", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(first)], what="the footage clip")
    body = first.read_bytes()
    lines = ["resolution: 540p", "shots:"]
    for i in range(clips):
        (ROOT / "clips" / f"c{i:05d}.mp4").write_bytes(body + i.to_bytes(8, "big"))  # trailing bytes: its own digest
        lines += [f"  - id: s{i:05d}", f"    clip: clips/c{i:05d}.mp4"]
    for name in ("cold", "kept"):
        (ROOT / f"{name}.yaml").write_text("\n".join(lines) + "\n")
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(ROOT / "kept.yaml"), "--quiet"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    validate = [sys.executable, "-m", "pipeline", "validate"]
    print(f"cd {ROOT} && farm-bench -n 5 --timeout 600 --vs {shlex.quote(shlex.join([*validate, 'cold.yaml']))} -- "
          f"{shlex.join([*validate, 'kept.yaml'])}")


if __name__ == "__main__":
    main()
