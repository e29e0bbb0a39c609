"""A contact sheet of a cut: one frame a second (each second's first frame), tiled in a PNG, to look at a
film's pictures at a glance (mirrored edges, repeated pictures, a subject walking out of frame).

    .venv/bin/python bench/contact_sheet.py OUT/final.mp4 sheet.png [--every 1] [--columns 6] [--width 320]

For an example: `pipeline run storyboards/rocket.yaml --out /tmp/rocket --yes`, then
`bench/contact_sheet.py /tmp/rocket/final.mp4 rocket.png`. The same as this ffmpeg command (N rows):

    ffmpeg -i final.mp4 -vf "select='not(mod(n\\,24))',scale=320:-2,tile=6xN" -frames:v 1 -fps_mode vfr sheet.png
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from pipeline import ffmpeg
from pipeline.formats import FPS


def contact_sheet(cut: Path, sheet: Path, *, every_s: float = 1.0, columns: int = 6, width: int = 320) -> str:
    step = max(1, round(every_s * FPS))
    rows = max(1, math.ceil(math.ceil(ffmpeg.count_frames(cut) / step) / columns))
    chain = f"select='not(mod(n\\,{step}))',scale={width}:-2,tile={columns}x{rows}:padding=2:color=white"
    ffmpeg.run(["-y", "-i", str(cut), "-vf", chain, "-frames:v", "1", "-fps_mode", "vfr", str(sheet)],
               what=f"a contact sheet of {cut}")
    return chain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cut", type=Path)
    parser.add_argument("sheet", type=Path)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between frames (default 1)")
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("--width", type=int, default=320, help="width of each frame in the sheet")
    args = parser.parse_args()
    chain = contact_sheet(args.cut, args.sheet, every_s=args.every, columns=args.columns, width=args.width)
    print(f"{args.sheet}: ffmpeg -i {args.cut} -vf \"{chain}\" -frames:v 1 -fps_mode vfr {args.sheet}")


if __name__ == "__main__":
    main()
