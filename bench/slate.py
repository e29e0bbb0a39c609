"""Benchmark a slate on 1, 2 and 3 worker processes against the bound the account's limits set.

    .venv/bin/python bench/slate.py [--films 4] [--latency 2] [--in-flight 4] [--workers 1 2 3]

A slate of FILMS storyboards (two chains of two shots each: 4 generations a film) through the real Luma client
against the fake on loopback, whose generations take LATENCY seconds from create to completed and whose
account allows IN_FLIGHT generations at once and 20 creates a minute (Build tier's rate). The workers run
`pipeline slate run` with one PostgreSQL journal (Debian's server, initdb'd into a temp folder), each with
--concurrency IN_FLIGHT, so only the database keeps the account's limit across them.

The account's bound on the generation phase: max(shots x LATENCY / IN_FLIGHT, a chain's 2 x LATENCY,
(shots - 20) x 3 s for the creates past the first minute's 20). Every run checks the fake's stats: each shot
created once, no limit violation.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.fake_luma import FakeOptions, running  # noqa: E402
from tests import postgres_server  # noqa: E402

BOARD = """resolution: 540p
shots:
  - id: a
    prompt: harbour {i} at dawn
  - id: b
    prompt: the ferry {i} leaves the quay
  - id: c
    start: none
    prompt: a lighthouse {i} in fog
  - id: d
    prompt: the lamp {i} turns
"""
SHOTS_PER_FILM = 4


def bound_s(shots: int, latency: float, in_flight: int, per_minute: int = 20) -> float:
    return max(shots * latency / in_flight, 2 * latency, max(shots - per_minute, 0) * 60 / per_minute)


def slate_once(url: str, options: FakeOptions, boards: list[Path], workers: int, in_flight: int,
               folder: Path) -> dict:
    """One slate from scratch: a new database and a new fake (an old fake's jobs would be found and adopted)."""
    database = f"b_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {database}")
    with running(options) as fake:
        return _timed(fake, url.rsplit("/", 1)[0] + f"/{database}", boards, workers, in_flight, folder)


def _timed(fake, url: str, boards: list[Path], workers: int, in_flight: int, folder: Path) -> dict:
    env = {**os.environ, "LUMAAI_BASE_URL": fake.api, "LUMAAI_API_KEY": "bench-key",
           "PIPELINE_JOURNAL": url}
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "slate", "run", *map(str, boards), "--provider",
                               "luma", "--yes", "--concurrency", str(in_flight), "--out", str(folder / f"w{i}"),
                               "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(workers)]
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            raise SystemExit(f"a worker failed: {err[-2000:]}")
    wall = time.perf_counter() - started
    seen = httpx.get(f"{fake.root}/_fake/stats").json()
    return {"workers": workers, "wall_s": round(wall, 2), "creates": seen["creates"],
            "violations": seen["limit_violations"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=4)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    shots = args.films * SHOTS_PER_FILM
    options = FakeOptions(latency=args.latency, account_in_flight=args.in_flight)
    with tempfile.TemporaryDirectory() as tmp, postgres_server.running() as url:
        folder = Path(tmp)
        boards = []
        for i in range(args.films):
            (board := folder / f"film{i}.yaml").write_text(BOARD.format(i=i))
            boards.append(board)
        bound = bound_s(shots, args.latency, args.in_flight)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "slate", "--help"], check=True, capture_output=True)
        print(f"a worker's start-up alone (pipeline slate --help): {time.perf_counter() - started:.2f} s; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{args.films} films, {shots} shots, latency {args.latency:g} s, {args.in_flight} in flight: "
              f"the account's bound on generation {bound:.1f} s")
        for workers in args.workers:
            result = slate_once(url, options, boards, workers, args.in_flight, folder / f"run{workers}")
            result["bound_s"] = round(bound, 2)
            result["wall_over_bound"] = round(result["wall_s"] / bound, 2)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
