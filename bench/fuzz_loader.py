"""Load 50,000 random mutations of the example storyboards and count what ends in anything but a storyboard error.

    .venv/bin/python bench/fuzz_loader.py [--count 50000] [--seed 0] [--jobs 2] [--keep DIR]

The mutations are tests/mutations.py's (the suite runs a few thousand of the same). Each mutant is loaded in
process, with no provider named or with `luma`, and its plan made and written as JSON; a StoryboardError with
positions (or another PipelineError) is the right outcome, anything else a bug, counted by exception type.
The work is split into --jobs processes, each with its own seed (seed, seed+1, ...), so a count repeats
exactly. --keep writes the first mutant of each kind of bug to DIR to reproduce it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import mutations  # noqa: E402 - the repository root is on the path only from the line above


def _chunk(count: int, seed: int, keep: str | None) -> dict[str, int]:
    def kept(name: str, text: str) -> None:
        target = Path(keep) / f"{name}-{seed}.yaml"
        if keep and not target.exists():
            target.write_text(text, encoding="utf-8", errors="surrogatepass")

    with tempfile.TemporaryDirectory() as folder:
        return mutations.run(count, seed, Path(folder), kept)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR", help="write one mutant of each kind of bug here")
    args = parser.parse_args()
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    shares = [args.count // args.jobs + (i < args.count % args.jobs) for i in range(args.jobs)]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(_chunk, shares, [args.seed + i for i in range(args.jobs)], [args.keep] * args.jobs))
    crashes: dict[str, int] = {}
    for result in results:
        for name, n in result.items():
            crashes[name] = crashes.get(name, 0) + n
    total = sum(crashes.values())
    said = ", ".join(f"{name} {n}" for name, n in sorted(crashes.items(), key=lambda kv: -kv[1]))
    print(f"{args.count} mutations (seed {args.seed}, {args.jobs} jobs) in {time.perf_counter() - started:.0f} s: "
          f"{total} ended in something other than the storyboard error{': ' + said if said else ''}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
