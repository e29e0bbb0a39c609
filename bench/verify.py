"""Verification of a long cut: wall time, CPU time and peak RSS of assembly.verify on a cut and its
assembly.json (e.g. bench/long_films.py's 5,000-shot footage cut), in a fresh process per measurement.

    .venv/bin/python bench/verify.py CUT [--runs 3] [--vs OTHER_PYTHON]

--vs runs the same call with another checkout's python (its verify) alternately, so the two are side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ONE = """
import json, sys, time
from pathlib import Path
from pipeline.assembly import verify
cut = Path(sys.argv[1])
made = json.loads((cut.parent / "assembly.json").read_text())
starts = [(s["start_frame"], s["id"]) for s in made["shots"]]
verify.verify(cut, made["runtime_frames"], None, starts, sound=False)
"""


def timed(python: str, cut: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen([python, "-c", ONE, str(cut)], cwd=Path(python).resolve().parents[2])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{python}: verification failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cut", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vs", metavar="PYTHON")
    args = parser.parse_args()
    made = json.loads((args.cut.parent / "assembly.json").read_text())
    print(f"{args.cut}: {made['runtime_frames']} frames, {len(made['shots'])} shots")
    for _ in range(args.runs):
        for name, python in (("this", sys.executable), *((("other", args.vs),) if args.vs else ())):
            wall, cpu, rss = timed(python, args.cut)
            print(f"{name}: {wall:.2f} s wall, {cpu:.2f} CPU s, {rss:.0f} MB peak", flush=True)


if __name__ == "__main__":
    main()
