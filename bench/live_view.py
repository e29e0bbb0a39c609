"""The live table's cost per event and per refresh at 10 to 5,000 shots (10 in flight, half finished).

    .venv/bin/python bench/live_view.py [--vs OTHER_PYTHON]

A refresh is rendered the way rich's refresh thread renders it: the view's renderable, drawn to an 80x40
terminal (a StringIO). Each size runs in this process; --vs runs the same measurement with another
checkout's python (its progress module) right after, so the two are side by side.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (10, 100, 1000, 5000)


def measure(shots: int) -> tuple[float, float]:
    """(µs per event, ms per refresh) for a film of `shots`."""
    from rich.console import Console

    from pipeline.cli.progress import LiveView
    from pipeline.engine.runner import Progress
    from pipeline.storyboard.load import load

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.yaml"
        path.write_text("shots:\n" + "".join(f"  - id: s{i:05d}\n    start: none\n    prompt: shot {i}\n"
                                             for i in range(shots)))
        plan = load(path, provider="luma").plan()
    console = Console(file=io.StringIO(), width=80, height=40, force_terminal=True)
    view = LiveView(plan, console)
    ids = [p.id for p in plan.shots]
    events = [Progress(i, "done") for i in ids[: shots // 2]] + [Progress(i, "dreaming") for i in ids[-10:]]
    started = time.perf_counter()
    for event in events:
        view(event)
    per_event = (time.perf_counter() - started) / len(events) * 1e6
    draw = view.live.get_renderable if hasattr(view.live, "get_renderable") else None
    renderable = getattr(view, "screen", None) or view._table()
    refreshes = max(3, min(50, 20_000 // shots))
    started = time.perf_counter()
    for _ in range(refreshes):
        with console.capture():
            console.print(renderable if draw is None else draw())
    return per_event, (time.perf_counter() - started) / refreshes * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vs", metavar="PYTHON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(*measure(args.one))
        return
    print("| shots | event µs | refresh ms |" + (" other: event µs | other: refresh ms |" if args.vs else ""))
    for shots in SIZES:
        row = [f"{x:.1f}" for x in _run(sys.executable, shots)]
        row += [f"{x:.1f}" for x in _run(args.vs, shots)] if args.vs else []
        print(f"| {shots} | " + " | ".join(row) + " |", flush=True)


def _run(python: str, shots: int) -> list[float]:
    done = subprocess.run([python, __file__, "--one", str(shots)], capture_output=True, text=True, check=True,
                          cwd=Path(python).resolve().parents[2] if python != sys.executable else None)
    return [float(x) for x in done.stdout.split()]


if __name__ == "__main__":
    main()
