"""Render one ShotRequest to an H.264 MP4: frames made in Python threads, piped to x264 as raw yuv420p."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import ffmpeg
from ..errors import ProviderError
from ..files import atomic_path
from ..formats import FPS, frame_size
from ..providers.base import ShotRequest
from . import keyframes, lineage, pinned
from .film import Cue, Film, caption_band, shoot, timeline
from .motion import Camera
from .planes import Source

WORKERS = 2  # Pillow lets go of the GIL while it resamples, so frames render in parallel with x264
# Fixed x264 settings, thread count included (x264's output depends on it), keep renders bit-identical on
# any machine. ultrafast at a constant quantiser because this is an animatic: CRF's complexity analysis
# alone costs a third of x264's time, which is half of a render's. The first and last frames are what
# continuity is judged on (and what an extension starts from), so they get far finer quantisers: ipratio
# for the only I-frame (-g: one per 10 s), a zone for the last (x264 ignores a zone on frame 0).
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "24", "-threads", "2", "-g", str(10 * FPS),
        "-colorspace", "smpte170m", "-color_range", "tv"]


def _x264(count: int) -> list[str]:
    return [*X264, "-x264-params", f"ipratio=6:zones={count - 1},{count - 1},q=6"]


def render_shot(request: ShotRequest, dest: Path, *, burn_in: bool | None = None,
                repeat_join: bool = False) -> None:
    """Write the animatic of `request` to `dest` (replaced whole, never left half-written).

    burn_in: lay the shot id and prompt over the frames; None follows request.caption. A loop ends on its
    start picture; an end keyframe is reached on the last frame (see film for both). An extension's first
    frame is the moment after its parent's last; repeat_join makes it show that last frame again instead,
    as some providers do (the fake Luma server plays one).
    """
    if request.duration_s < 1:
        raise ProviderError(f"duration {request.duration_s}s is too short to render", shot_id=request.shot_id)
    size = frame_size(request.resolution, request.aspect_ratio)
    shot = plan_film(request, size, request.caption if burn_in is None else burn_in, repeat_join=repeat_join)
    with atomic_path(Path(dest)) as part:
        _encode(shot, size, part, what=f"shot {request.shot_id}: encoding {Path(dest).name}")


@dataclass(frozen=True)
class Shot:
    film: Film | pinned.PinnedFilm
    cued: list
    lineage: str  # what the last frame shows, for the clip's tag (see lineage)


def plan_film(request: ShotRequest, size: tuple[int, int], burn_in: bool, *, repeat_join: bool = False) -> Shot:
    """The pictures and per-frame cues of a shot, ready to render."""
    if request.keyframes:
        return Shot(*pinned.plan(request, size, burn_in))
    start = keyframes.start_still(request, size)
    end = start if request.loop else keyframes.end_still(request, size)
    try:
        camera = Camera.of(request.concepts, size[0] / size[1], travel=end is not None)
    except KeyError as exc:
        raise ProviderError(f"unknown camera concept {exc}", shot_id=request.shot_id) from exc
    continues = start.view is not None and not repeat_join
    source = Source.of(start.picture, size, cover=start.cover)
    if request.loop:  # the same picture lands where the shot began
        landing, landing_view = source, None
    else:
        landing = Source.of(end.picture, size, cover=end.cover) if end is not None else None
        landing_view = end.view if end is not None else None
    band = caption_band(request.shot_id, request.prompt, size) if burn_in else None
    film, cued = shoot(camera, timeline(request.duration_s * FPS, continues=continues), size, source,
                       start.view, landing, landing_view, band=band)
    last = cued[-1]
    shown = (end, last.end) if last.start is None else (start, last.start)
    return Shot(film, cued, lineage.tag(shown[0].origin, shown[1], size))


def _encode(shot: Shot, size: tuple[int, int], out: Path, *, what: str) -> None:
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", str(FPS), "-i", "-"]
    args = [*raw, *_x264(len(shot.cued)), "-an", "-metadata", f"comment={shot.lineage}", "-movflags",
            "+faststart", "-f", "mp4", str(out)]
    with ffmpeg.encoder(args, what=what) as pipe:
        for frame, repeat in _rendered(shot.film.render, _runs(shot.cued)):
            for _ in range(repeat):
                pipe.writelines(frame)


def _runs(cued: list[Cue]) -> list[tuple[Cue, int]]:
    """(cue, times) for each run of equal cues: a held picture is rendered once and written many times."""
    runs: list[tuple[Cue, int]] = []
    for cue in cued:
        if runs and runs[-1][0] == cue:
            runs[-1] = (cue, runs[-1][1] + 1)
        else:
            runs.append((cue, 1))
    return runs


def _rendered(render: Callable[[Cue], list[bytes]], runs: list[tuple[Cue, int]]
              ) -> Iterator[tuple[list[bytes], int]]:
    """(frame, times) in order, rendered WORKERS at a time."""
    with ThreadPoolExecutor(WORKERS) as pool:
        pending: deque = deque()
        for cue, times in runs:
            pending.append((pool.submit(render, cue), times))
            if len(pending) > 2 * WORKERS:  # bounded look-ahead keeps memory flat at 4k
                future, repeat = pending.popleft()
                yield future.result(), repeat
        for future, repeat in pending:
            yield future.result(), repeat
