"""`pipeline beats FILE`: the tempo and beat times a music bed is cut to (CLI layer). FILE is a sound file (its
own times) or a storyboard (its bed's beats as the cut hears them: offset and loop applied)."""

from __future__ import annotations

from pathlib import Path

from .. import formats
from ..errors import PipelineError
from ..layout import Layout
from ..music.grid import Analysis, Grid
from .output import print_json_line

Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"


def beats_command(sub: Sub) -> None:
    p = sub.add_parser("beats", help="show the tempo and beat times of a sound file",
                       description="Find the tempo, beats and downbeats of a sound file, as `cut: beats`, "
                                   "`snap:` and lengths in beats use them. For a sound file, times are seconds "
                                   "into the file; for a storyboard, seconds into the cut, with its music bed's "
                                   "offset and loop.")
    p.add_argument("path", metavar="FILE", type=Path, help="a storyboard, or a sound file (WAV, M4A, MP3, ...)")
    p.add_argument("--out", type=Path, help="a storyboard's output folder, whose cache keeps the beats "
                   "(default: output/<storyboard name>)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_beats)


def _beats(args) -> int:
    from ..music import beats

    if not args.path.is_file():
        raise PipelineError(f"{args.path}: no such file; give the path of a storyboard or a sound file")
    if args.path.suffix.lower() in (".yaml", ".yml"):
        return _storyboard_beats(args)
    _has_sound(args.path)
    found = beats.analyse(args.path)
    if args.json:
        print_json_line({"file": str(args.path), **found.to_json()})
        return 0
    print(f"{args.path}: {found.tempo:.1f} bpm, {len(found.beats)} beats, {len(found.downbeats)} downbeats "
          f"in {found.duration:.2f} s")
    _print_times(found.beats, found.downbeats)
    return 0


def _has_sound(path: Path) -> None:
    """A clear word for a file that holds no sound, before the analysis would fail in ffmpeg's words."""
    from .. import ffmpeg
    from ..errors import MediaError

    try:
        info = ffmpeg.probe(path)
    except MediaError:
        raise PipelineError(f"{path}: not a file ffmpeg can read; give a sound file (WAV, M4A, MP3, ...) or a "
                            "storyboard (.yaml)") from None
    if not info.has_audio:
        raise PipelineError(f"{path}: is {'an image' if info.kind == 'image' else 'a video with no sound'}; give a "
                            "sound file (WAV, M4A, MP3, ...) or a storyboard (.yaml)")


def _storyboard_beats(args) -> int:
    """The bed's beats in the cut, as `cut: beats` and `snap:` see them, up to the end of the planned cut."""
    from ..music import beats, grid
    from ..storyboard.load import load

    project = load(args.path)
    music = project.board.audio
    if music is None:
        raise PipelineError(f"{args.path}: the storyboard has no music bed; add `audio: {{path: music.m4a}}`, "
                            "or give the sound file itself")
    layout = Layout(args.out or Path("output") / project.name)
    analysis = beats.analyse(project.file(music.path), cache=layout.assembly_cache if layout.root.is_dir() else None)
    until = project.plan().runtime_frames / formats.FPS
    heard = grid.in_cut(analysis, offset=music.offset, loop=music.loop, until=until)
    if args.json:
        print_json_line({"file": str(args.path), "bed": music.path, **_in_cut(analysis, heard, until)})
        return 0
    print(f"{args.path}: the bed {music.path} at {heard.tempo:.1f} bpm, {len(heard.beats)} beats and "
          f"{len(heard.downbeats)} downbeats in the cut's {until:.2f} s (offset {music.offset:g} s, "
          f"{'looped' if music.loop else 'not looped'})")
    _print_times(heard.beats, heard.downbeats)
    return 0


def _in_cut(analysis: Analysis, heard: Grid, until: float) -> dict:
    return {"tempo_bpm": round(heard.tempo, 3), "bed_duration_s": round(analysis.duration, 6),
            "cut_s": round(until, 6), "beats_s": [round(t, 6) for t in heard.beats],
            "downbeats_s": [round(t, 6) for t in heard.downbeats]}


def _print_times(times, downbeats) -> None:
    down = set(downbeats)
    print(" ".join(f"{'|' if t in down else ''}{t:.3f}" for t in times))
    print("(| marks a downbeat: the first beat of a bar)")
