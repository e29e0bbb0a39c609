"""An unchanged re-run of a 50-shot film against the fake Luma server: its wall time and its provider calls.

    .venv/bin/python bench/rerun.py [--shots 50] [--runs 5] [--vs OTHER_PYTHON]

The storyboard is 5 chains of 10 extensions at 540p. The fake server runs in its own process on loopback and
renders flat clips (bench/orchestration.py's, so the first, paying run is quick). Each checkout's CLI makes its
first run into its own folder, then both re-run unchanged in turn (A B A B ...), so their times are measured
side by side on the same machine at the same moment; min, median and max are printed, and the provider calls
each re-run made.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def board(folder: Path, shots: int, chain: int = 10) -> Path:
    lines = ["resolution: 540p", "shots:"]
    for i in range(shots):
        lines.append(f"  - id: s{i:03d}")
        if i % chain == 0:
            lines.append("    start: none")
        lines.append(f"    prompt: a lighthouse keeper walks the stairs, step {i}")
    path = folder / "long.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("orchestration.py")), "--serve-fake",
                               "--latency", "0.2", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_fake/stats", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the fake server did not start")


def calls(root: str) -> dict[str, int]:
    stats = httpx.get(f"{root}/_fake/stats").json()
    return {k: stats.get(k, 0) for k in ("creates", "gets", "lists", "downloads")}


def run(python: str, path: Path, out: Path, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([python, "-m", "pipeline", "run", str(path), "--provider", "luma", "--yes", "--quiet",
                    "--out", str(out)], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=out.parent)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vs", metavar="PYTHON", help="another checkout's python, measured alongside")
    args = parser.parse_args()
    pythons = {"this": sys.executable, **({"other": args.vs} if args.vs else {})}
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    server = fake_server(port)
    env = {**os.environ, "LUMAAI_BASE_URL": f"{root}/dream-machine/v1", "LUMAAI_API_KEY": "bench"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = board(Path(tmp), args.shots)
            folders = {name: Path(tmp) / f"out-{name}" for name in pythons}
            for name, python in pythons.items():
                print(f"{name}: first run {run(python, path, folders[name], env):.1f} s", flush=True)
            times: dict[str, list[float]] = {name: [] for name in pythons}
            made: dict[str, dict[str, int]] = {}
            for _ in range(args.runs):
                for name, python in pythons.items():
                    before = calls(root)
                    times[name].append(run(python, path, folders[name], env))
                    after = calls(root)
                    made[name] = {k: after[k] - before[k] for k in after}
            for name in pythons:
                t = times[name]
                print(f"{name}: unchanged re-run of {args.shots} shots: wall s min {min(t):.2f} median "
                      f"{statistics.median(t):.2f} max {max(t):.2f}; provider calls in the last: {made[name]}")
            if args.vs:
                ratios = [a / b for a, b in zip(times["this"], times["other"], strict=True)]
                print(f"this / other, pair by pair: median {statistics.median(ratios):.2f} "
                      f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
