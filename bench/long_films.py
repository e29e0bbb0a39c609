"""Long films: wall time and peak memory of each command at 10 to 5,000 shots, and the growth from size to size.

    .venv/bin/python bench/long_films.py [--sizes 10 100 1000 5000] [--terminal 1000] [--vs TREE]

Two boards per size, made in /tmp/bench-long-films: `text` (prompts in chains of 10, planned for the
animatic) and `footage` (every shot plays the same 1 s 960x540 clip, so a run renders nothing and the cut is
every packet copied). Each command runs as its own process; wall time is measured around it and peak RSS is
the process's own (os.wait4), not that of the ffmpeg it starts. Modules run from their bytecode, as an
installed package's do (PYTHONDONTWRITEBYTECODE is dropped; a first pass, not shown, writes it). `run` is the
first run into an empty folder, `rerun` the same run again with nothing changed. --terminal N runs this
code's unchanged re-run of N footage shots also under `script` (a pseudo-terminal, so the live table draws),
alternating with a piped run. --vs TREE runs every command a second time, right after, with the code of
another checkout (e.g. a worktree at main's commit, first on PYTHONPATH) into its own output folder, and
prints its table below this code's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path("/tmp/bench-long-films")
COMMANDS = ("validate", "plan", "status", "run", "rerun")


def boards(shots: int) -> dict[str, Path]:
    folder = ROOT / str(shots)
    folder.mkdir(parents=True, exist_ok=True)
    clip = ROOT / "footage.mp4"
    text = ["resolution: 540p", "shots:"]
    footage = ["resolution: 540p", "shots:"]
    for i in range(shots):
        text += [f"  - id: s{i:05d}", *(["    start: none"] if i % 10 == 0 else []),
                 f"    prompt: a lighthouse keeper climbs the stairs, step {i}"]
        footage += [f"  - id: s{i:05d}", f"    clip: {clip}"]
    (folder / "text.yaml").write_text("\n".join(text) + "\n")
    (folder / "footage.yaml").write_text("\n".join(footage) + "\n")
    return {"text": folder / "text.yaml", "footage": folder / "footage.yaml"}


def make_clip() -> None:
    from pipeline import ffmpeg

    ROOT.mkdir(parents=True, exist_ok=True)
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=960x540:rate=24", "-frames:v", "24", "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "240", "-crf", "23", "-colorspace", "smpte170m", "-color_range", "tv",
                "-pix_fmt", "yuv420p", str(ROOT / "footage.mp4")], what="the footage clip")


def timed(args: list[str], *, terminal: bool = False, tree: Path | None = None) -> tuple[float, float, float]:
    """(wall s, peak RSS MB, CPU s with the ffmpeg it ran) of `pipeline ARGS` in its own process; with
    `tree`, that checkout's code."""
    cmd = [sys.executable, "-m", "pipeline", *args]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: bytecode kept
    if tree:
        env["PYTHONPATH"] = str(tree)
    if terminal:  # a pseudo-terminal: stderr is a tty, so the run draws its live table
        cmd = ["script", "-qefc", " ".join(cmd), "/dev/null"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env=env, cwd=tree or None)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pipeline {' '.join(args)} failed ({status})")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(shots: int, trees: list[Path | None]) -> list[dict[str, tuple[float, float, float]]]:
    """Each command's figures for each tree, the trees' runs of one command one after the other."""
    board = boards(shots)
    outs = [board["footage"].parent / ("out" if tree is None else f"out-{tree.name}") for tree in trees]
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    commands = {
        "validate text": lambda out: ["validate", str(board["text"])],
        "validate footage": lambda out: ["validate", str(board["footage"])],
        "plan text": lambda out: ["plan", "--json", str(board["text"])],
        "plan footage": lambda out: ["plan", "--json", str(board["footage"])],
        "run footage": lambda out: ["run", str(board["footage"]), "--out", str(out), "--yes", "--quiet"],
        "rerun footage": lambda out: ["run", str(board["footage"]), "--out", str(out), "--yes", "--quiet"],
        "status footage": lambda out: ["status", str(board["footage"]), "--out", str(out)],
    }
    rows: list[dict[str, tuple[float, float, float]]] = [{} for _ in trees]
    for name, args in commands.items():
        for row, tree, out in zip(rows, trees, outs, strict=True):
            row[name] = timed(args(out), tree=tree)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument("--terminal", type=int, default=1000, help="shots for the terminal / piped re-run (0: none)")
    parser.add_argument("--vs", type=Path, metavar="TREE", help="another checkout to measure beside this code")
    args = parser.parse_args()
    trees = [None, args.vs.resolve()] if args.vs else [None]
    make_clip()
    measure(10, trees)  # not shown: writes every module's bytecode, as an installed package has it
    measured = {n: measure(n, trees) for n in args.sizes}
    for t, tree in enumerate(trees):
        print(f"\n{'this code' if tree is None else tree}:")
        table({n: measured[n][t] for n in args.sizes}, args.sizes)
    if args.terminal:
        terminal_vs_piped(args.terminal)


def table(rows: dict[int, dict[str, tuple[float, float, float]]], sizes: list[int]) -> None:
    print("| command | " + " | ".join(f"{n} shots: s / CPU s / MB" for n in sizes) + " | CPU growth (last two) |"
          " RSS last / 100 |")
    print("|---" * (len(sizes) + 3) + "|")
    for name in rows[sizes[0]]:
        cells = [f"{rows[n][name][0]:.2f} / {rows[n][name][2]:.2f} / {rows[n][name][1]:.0f}" for n in sizes]
        a, b = sizes[-2:]
        growth = (rows[b][name][2] / rows[a][name][2]) / (b / a)  # CPU: wall moves with the machine's load
        rss = rows[b][name][1] / rows[100][name][1] if 100 in rows else float("nan")
        print(f"| {name} | " + " | ".join(cells) + f" | {growth:.2f} of linear | {rss:.2f}x |", flush=True)


def terminal_vs_piped(shots: int, runs: int = 3) -> None:
    board = boards(shots)["footage"]
    out = board.parent / "out"
    if not (out / "final.mp4").is_file():
        timed(["run", str(board), "--out", str(out), "--yes", "--quiet"])
    piped, tty = [], []
    for _ in range(runs):
        piped.append(timed(["run", str(board), "--out", str(out), "--yes"])[0])
        tty.append(timed(["run", str(board), "--out", str(out), "--yes"], terminal=True)[0])
    print(f"\nunchanged re-run of {shots} footage shots, {runs} pairs: piped {min(piped):.2f}-{max(piped):.2f} s, "
          f"terminal {min(tty):.2f}-{max(tty):.2f} s; terminal / piped pair by pair: "
          + ", ".join(f"{t / p:.2f}" for t, p in zip(tty, piped, strict=True)))


if __name__ == "__main__":
    main()
