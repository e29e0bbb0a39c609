"""Benchmark the animatic renderer: a six-shot film at 720p with mixed camera moves.

    .venv/bin/python bench/animatic.py [--resolution 720p] [--seconds 5] [--keep DIR]

Prints each shot's render time and the whole film's realtime multiple (seconds of video per wall second),
plus CPU seconds (this process and ffmpeg), which say more than wall time on a shared, busy machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from pipeline.animatic import render_shot
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest

SHOTS = [  # (id, concepts, start, end): start/end name a picture, "prev" extends the previous shot
    ("slate", ("push_in",), None, None),
    ("street", ("pan_left", "handheld"), "a", None),
    ("rise", ("crane_up",), "prev", None),
    ("arrive", ("orbit_right",), "b", "a"),
    ("tumble", ("roll_left",), "prev", None),
    ("vertigo", ("dolly_zoom",), "b", None),
]


def picture(path: Path, size: tuple[int, int], seed: int) -> Path:
    """A photo-like picture: soft colour fields, hard shapes, luma grain."""
    rng = np.random.default_rng(seed)
    image = Image.fromarray((rng.random((9, 16, 3)) * 255).astype(np.uint8)).resize(size, Image.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y, r = rng.integers(0, size[0]), rng.integers(0, size[1]), int(rng.integers(10, size[1] // 5))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    grain = rng.normal(0, 3, (size[1], size[0], 1))
    Image.fromarray((np.asarray(image) + grain).clip(0, 255).astype(np.uint8)).save(path)
    return path


def cpu_seconds() -> np.ndarray:
    """CPU seconds used so far by this process and by its children (ffmpeg)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return np.array([own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime])


def run(folder: Path, resolution: str, seconds: int) -> None:
    pictures = {"a": picture(folder / "a.png", (1920, 1080), 1), "b": picture(folder / "b.png", (1600, 1200), 2)}
    keyframe = {name: ImageKeyframe(path=path) for name, path in pictures.items()}
    total_wall, total_cpu = 0.0, np.zeros(2)
    previous = None
    for shot_id, concepts, start, end in SHOTS:
        clip = folder / f"{shot_id}.mp4"
        first = GenerationKeyframe("prev", clip=previous) if start == "prev" else keyframe.get(start)
        request = ShotRequest(shot_id=shot_id, key=f"bench-{shot_id}", model="ray-2", resolution=resolution,
                              aspect_ratio="16:9", duration_s=seconds, concepts=concepts,
                              prompt=f"Bench shot {shot_id}: {' and '.join(concepts)}", start=first,
                              end=keyframe.get(end))
        wall, cpu = time.perf_counter(), cpu_seconds()
        render_shot(request, clip)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        total_wall, total_cpu, previous = total_wall + wall, total_cpu + cpu, clip
        print(f"{shot_id:8} {'+'.join(concepts):18} {wall:5.2f} s wall  {seconds / wall:5.1f}x realtime"
              f"  CPU s: {cpu[0]:4.2f} Python + {cpu[1]:4.2f} ffmpeg")
    video = seconds * len(SHOTS)
    print(f"{len(SHOTS)} shots, {video} s of {resolution} video in {total_wall:.2f} s: "
          f"{video / total_wall:.1f}x realtime; CPU s: {total_cpu[0]:.2f} Python + {total_cpu[1]:.2f} ffmpeg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default="720p")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the clips here instead of a temp dir")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.keep, args.resolution, args.seconds)
        return
    with tempfile.TemporaryDirectory(prefix="animatic-bench-") as tmp:
        run(Path(tmp), args.resolution, args.seconds)


if __name__ == "__main__":
    main()
