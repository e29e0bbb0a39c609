"""Run from the repository root: .venv/bin/python -m storyboards.make_assets [word ...]"""

from __future__ import annotations

import sys

from pipeline.ffmpeg import probe

from . import ASSETS, make_assets


def report() -> None:
    """One line per file in assets/ (size, kind, frame size or duration), then the total."""
    total = 0
    for path in sorted(p for p in ASSETS.rglob("*") if p.is_file()):
        info, size = probe(path), path.stat().st_size
        total += size
        what = f"{info.width}x{info.height}" if info.kind == "image" else f"{info.duration_s:.2f} s"
        print(f"{path.relative_to(ASSETS.parent)}  {size / 1024:6.1f} KiB  {info.kind} {what}")
    print(f"total {total / 1024:.1f} KiB")


if __name__ == "__main__":
    make_assets(sys.argv[1:])
    report()
