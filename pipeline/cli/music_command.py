"""`pipeline beats FILE`: the tempo and beat times a music bed is cut to (CLI layer)."""

from __future__ import annotations

from pathlib import Path

from ..errors import PipelineError
from .output import print_json_line

Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"


def beats_command(sub: Sub) -> None:
    p = sub.add_parser("beats", help="show the tempo and beat times of a sound file",
                       description="Find the tempo, beats and downbeats of a sound file, as `cut: beats`, "
                                   "`snap:` and lengths in beats use them. Times are seconds into the file.")
    p.add_argument("path", metavar="FILE", type=Path, help="a sound file (WAV, M4A, MP3, ...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_beats)


def _beats(args) -> int:
    from ..music import beats

    if not args.path.is_file():
        raise PipelineError(f"{args.path}: no such file; give the path of a sound file")
    found = beats.analyse(args.path)
    if args.json:
        print_json_line({"file": str(args.path), **found.to_json()})
        return 0
    print(f"{args.path}: {found.tempo:.1f} bpm, {len(found.beats)} beats, {len(found.downbeats)} downbeats "
          f"in {found.duration:.2f} s")
    down = set(found.downbeats)
    print(" ".join(f"{'|' if t in down else ''}{t:.3f}" for t in found.beats))
    print("(| marks a downbeat: the first beat of a bar)")
    return 0
