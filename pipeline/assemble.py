"""Join the shots into the cut: one ffmpeg filter graph, normalising every clip to the plan's format.

This is the simplest correct join: it re-encodes the whole cut. Transitions overlap shots as planned, the
music bed is laid over the joined video, and the result is checked frame-exact against the plan.
"""

from __future__ import annotations

from pathlib import Path

from . import ffmpeg, formats
from .errors import MediaError
from .files import atomic_path
from .load import Project
from .plan import Plan, PlannedShot

XFADE = {"dissolve": "fade", "fade": "fadeblack"}


def assemble(project: Project, plan: Plan, clips: dict[str, Path], dest: Path) -> Path:
    """Write the cut of `plan` to `dest` from `clips` (shot id -> video file); return dest."""
    width, height = formats.frame_size(project.board.resolution, project.board.aspect_ratio)
    inputs = [arg for p in plan.shots for arg in ("-i", str(clips[p.id]))]
    graph = [_normalise(i, p, width, height) for i, p in enumerate(plan.shots)]
    graph += _joins(plan)
    audio = project.board.audio
    if audio is not None:
        inputs += ["-stream_loop", "-1", "-i", str(project.file(audio.path))]
        graph.append(_music_bed(len(plan.shots), audio, plan.runtime_frames / formats.FPS))
    maps = ["-map", "[cut]"] + (["-map", "[bed]", "-c:a", "aac", "-b:a", "160k", "-ar", "48000"] if audio else [])
    with atomic_path(dest) as tmp:
        ffmpeg.run([*inputs, "-filter_complex", ";".join(graph), *maps, "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "18", "-pix_fmt", "yuv420p", "-r", str(formats.FPS), "-frames:v",
                    str(plan.runtime_frames), "-movflags", "+faststart", "-f", "mp4", str(tmp)],
                   what=f"assembling {dest.name}")
        _verify(tmp, plan)
    return dest


def _normalise(i: int, p: PlannedShot, width: int, height: int) -> str:
    """Any clip -> exactly the planned frames at the cut's size, rate and pixel format."""
    return (f"[{i}:v:0]fps={formats.FPS},scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,"
            f"tpad=stop_mode=clone:stop={p.frames},trim=end_frame={p.frames},setpts=PTS-STARTPTS,settb=1/{formats.FPS}[v{i}]")


def _joins(plan: Plan) -> list[str]:
    steps, acc = [], "v0"
    for i, p in enumerate(plan.shots[1:], 1):
        out = "cut" if i == len(plan.shots) - 1 else f"j{i}"
        if p.transition == "cut":
            steps.append(f"[{acc}][v{i}]concat=n=2:v=1:a=0,settb=1/{formats.FPS}[{out}]")
        else:
            steps.append(f"[{acc}][v{i}]xfade=transition={XFADE[p.transition]}:"
                         f"duration={p.transition_frames / formats.FPS}:offset={p.start_s}[{out}]")
        acc = out
    if len(plan.shots) == 1:
        steps.append("[v0]null[cut]")
    return steps


def _music_bed(index: int, audio, runtime: float) -> str:
    chain = [f"atrim=start={audio.offset}", "asetpts=PTS-STARTPTS", f"volume={audio.volume}"]
    if audio.loudness is not None:
        chain.append(f"loudnorm=I={audio.loudness}")
    chain += [f"atrim=end={runtime}", "apad", f"atrim=end={runtime}"]
    if audio.fade_in:
        chain.append(f"afade=t=in:d={audio.fade_in}")
    if audio.fade_out:
        chain.append(f"afade=t=out:st={max(runtime - audio.fade_out, 0)}:d={audio.fade_out}")
    return f"[{index}:a:0]{','.join(chain)}[bed]"


def _verify(path: Path, plan: Plan) -> None:
    frames = ffmpeg.count_frames(path)
    if frames != plan.runtime_frames:
        raise MediaError(f"the cut has {frames} frames, the plan {plan.runtime_frames}: it was not written")
