"""Render one ShotRequest to an H.264 MP4: frames made in Python threads, piped to x264 as raw yuv420p."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import ffmpeg
from ..errors import ProviderError
from ..files import atomic_path
from ..formats import FPS, frame_size
from ..providers.base import ShotRequest
from . import keyframes, text
from .film import Cue, Film, caption_band, cues
from .motion import Camera

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


def render_shot(request: ShotRequest, dest: Path, *, burn_in: bool | None = None) -> None:
    """Write the animatic of `request` to `dest` (replaced whole, never left half-written).

    burn_in: lay the shot id and prompt over the frames; None follows request.caption. A loop ends on its
    start picture; an end keyframe is reached on the last frame (see film for both).
    """
    if request.duration_s < 1:
        raise ProviderError(f"duration {request.duration_s}s is too short to render", shot_id=request.shot_id)
    size = frame_size(request.resolution, request.aspect_ratio)
    film, cued = plan_film(request, size, request.caption if burn_in is None else burn_in)
    with atomic_path(Path(dest)) as part:
        _encode(film.render, cued, size, part, what=f"shot {request.shot_id}: encoding {Path(dest).name}")


def plan_film(request: ShotRequest, size: tuple[int, int], burn_in: bool) -> tuple[Film, list[Cue]]:
    """The pictures and per-frame cues of a shot, ready to render."""
    start = keyframes.start_picture(request, size) or text.slate(request.shot_id, request.prompt, size)
    end = start if request.loop else keyframes.end_picture(request, size)
    try:
        camera = Camera.of(request.concepts, size[0] / size[1], travel=end is not None)
    except KeyError as exc:
        raise ProviderError(f"unknown camera concept {exc}", shot_id=request.shot_id) from exc
    cued = cues(camera, request.duration_s * FPS, ending=end is not None, captioned=burn_in)
    band = caption_band(request.shot_id, request.prompt, size) if burn_in else None
    return Film.of(cued, size, start, end, band), cued


def _encode(render: Callable[[Cue], list[bytes]], cued: list[Cue], size: tuple[int, int], out: Path, *,
            what: str) -> None:
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", str(FPS), "-i", "-"]
    args = [*raw, *_x264(len(cued)), "-an", "-movflags", "+faststart", "-f", "mp4", str(out)]
    with ffmpeg.encoder(args, what=what) as pipe:
        for frame, repeat in _rendered(render, _runs(cued)):
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
