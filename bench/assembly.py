"""Benchmark assembly: 60 five-second 720p clips and a music bed, ours against moviepy, side by side.

    .venv/bin/python bench/assembly.py [--clips 60] [--work DIR] [--skip-moviepy]

The clips are made once (kept in --work): a photo-like picture panned continuously, encoded as the animatic
encodes (x264 ultrafast, one GOP per clip, no B-frames), each clip starting on the picture the previous one
ends on, as extensions do. Each run in its own process, one after another:

  cuts     every shot a new chain (`start: none`): a hard-cut timeline, nothing to compare or trim
  recut    cuts again into the same folder after the last shot was generated again (a new file, same
           length): the bed comes from the output folder's cache
  chain    every shot extends the one before: each join's repeated frame is found and trimmed
  rechain  chain again after the same edit: only the new clip is decoded, the bed comes from the cache
  silent   the cuts timeline without the music bed (what the AAC encoder costs, by difference)
  moviepy  concatenate_videoclips + write_videofile on the same clips, with the same bed looped and faded

cuts, chain and silent start with an empty cache (the output folder's .assembly-cache is removed first).

For each: wall time, realtime multiple (seconds of cut per wall second), CPU seconds (the process and the
ffmpeg it ran), and peak memory of the whole process tree (sampled every 20 ms from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import ffmpeg  # noqa: E402

SIZE, FPS, FRAMES = (1280, 720), 24, 120
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-g", "240", "-pix_fmt", "yuv420p",
        "-colorspace", "smpte170m", "-color_range", "tv"]  # the animatic's settings (render.py)
AUDIO = {"path": "music.m4a", "volume": 0.8, "fade_in": 2.0, "fade_out": 3.0}


def picture(path: Path) -> Path:
    """A 2400x1400 photo-like picture: soft colour fields, shapes, grain (what a pan reveals)."""
    rng = np.random.default_rng(7)
    base = Image.fromarray((rng.random((14, 24, 3)) * 255).astype(np.uint8)).resize((2400, 1400), Image.BICUBIC)
    grain = rng.normal(0, 6, (1400, 2400, 1))
    Image.fromarray((np.asarray(base) + grain).clip(0, 255).astype(np.uint8)).save(path)
    return path


def make_clip(still: Path, dest: Path, n: int) -> None:
    """Clip n: global frames n*119 .. n*119+119 of one continuous pan (its first is clip n-1's last)."""
    g = f"({n * (FRAMES - 1)}+n)"
    crop = f"crop={SIZE[0]}:{SIZE[1]}:x='560+540*sin({g}/60)':y='340+320*cos({g}/85)'"
    ffmpeg.run(["-loop", "1", "-framerate", str(FPS), "-i", str(still), "-vf", crop, "-frames:v", str(FRAMES),
                *X264, str(dest)], what=f"clip {n}")


def prepare(work: Path, count: int) -> list[Path]:
    work.mkdir(parents=True, exist_ok=True)
    still = work / "pan.png" if (work / "pan.png").exists() else picture(work / "pan.png")
    clips = [work / f"clip{n:03d}.mp4" for n in range(count)]
    for n, clip in enumerate(clips):
        if not clip.exists():
            make_clip(still, clip, n)
    if not (work / "music.m4a").exists():  # 60 s of stereo chords with a slow tremolo: looped to length
        tone = "0.15*sin(2*PI*{f}*t)*(1+0.4*sin(2*PI*0.7*t))"
        left, right = "+".join(tone.format(f=f) for f in (220, 277, 330)), "+".join(tone.format(f=f) for f in
                                                                                    (165, 247, 392))
        ffmpeg.run(["-f", "lavfi", "-i", f"aevalsrc='{left}|{right}':s=48000:d=60", "-c:a", "aac", "-b:a", "192k",
                    str(work / "music.m4a")], what="music")
    again = work / f"clip{count - 1:03d}-again.mp4"  # the last clip generated again: other bytes, same frames
    if not again.exists():
        ffmpeg.run(["-i", str(clips[-1]), "-c", "copy", "-metadata", "title=again", str(again)], what="again")
    for name, start, audio in (("cuts", "\n    start: none", True), ("chain", "", True),
                                ("silent", "\n    start: none", False)):
        shots = "".join(f"  - id: s{n:03d}\n    prompt: bench shot {n}{start if n else ''}\n" for n in range(count))
        bed = f"audio: {json.dumps(AUDIO)}\n" if audio else ""
        (work / f"{name}.yaml").write_text(f"resolution: 720p\n{bed}shots:\n{shots}")
    return clips


def run_ours(work: Path, name: str, count: int) -> dict:
    from pipeline.assembly.assemble import assemble
    from pipeline.layout import Layout
    from pipeline.storyboard.load import load

    again = name.startswith("re")
    name = name.removeprefix("re").replace("cut", "cuts") if again else name
    project = load(work / f"{name}.yaml")
    plan = project.plan()
    clips = {p.id: work / f"clip{n:03d}.mp4" for n, p in enumerate(plan.shots)}
    if again:
        clips[plan.shots[-1].id] = work / f"clip{count - 1:03d}-again.mp4"
    else:
        shutil.rmtree(Layout(work / f"out-{name}").assembly_cache, ignore_errors=True)
    report = assemble(project, plan, clips, work / f"out-{name}" / "final.mp4")
    return {"runtime_s": report.runtime_s, "copied": report.copied_frames, "reencoded": report.reencoded_frames,
            "trimmed": sum(s.trimmed_frames for s in report.shots), "warnings": list(report.warnings)}


def run_moviepy(work: Path, count: int) -> dict:
    from moviepy import AudioFileClip, VideoFileClip, afx, concatenate_videoclips

    clips = [VideoFileClip(str(work / f"clip{n:03d}.mp4")) for n in range(count)]
    cut = concatenate_videoclips(clips)
    bed = AudioFileClip(str(work / AUDIO["path"])).with_effects([
        afx.AudioLoop(duration=cut.duration), afx.MultiplyVolume(AUDIO["volume"]),
        afx.AudioFadeIn(AUDIO["fade_in"]), afx.AudioFadeOut(AUDIO["fade_out"])])
    cut.with_audio(bed).write_videofile(str(work / "out-moviepy.mp4"), fps=FPS, codec="libx264", audio_codec="aac",
                                        logger=None)
    for c in clips:
        c.close()
    return {"runtime_s": cut.duration}


def measure(args: list[str]) -> dict:
    """Run one case in a child process; wall time, CPU seconds, peak RSS of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    peak = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(child.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    result = json.loads(child.stdout.read().strip().splitlines()[-1])
    return {**result, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": peak / 2**20,
            "realtime": result["runtime_s"] / wall, "ok": status == 0}


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    parents, rss = {}, {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
                pid = int(entry.name)
                parents[pid], rss[pid] = int(stat[1]), int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    return sum(rss.get(pid, 0) for pid in tree)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-assembly"))
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a single case, run in a child process
    args = parser.parse_args()
    if args.one:
        result = run_moviepy(args.work, args.clips) if args.one == "moviepy" else \
            run_ours(args.work, args.one, args.clips)
        print(json.dumps(result))
        return
    prepare(args.work, args.clips)
    cases = ["cuts", "recut", "chain", "rechain", "silent"] + ([] if args.skip_moviepy else ["moviepy"])
    results = {case: measure(["--one", case, "--clips", str(args.clips), "--work", str(args.work)])
               for case in cases}
    load = os.getloadavg()
    print(f"{args.clips} clips of 5 s at {SIZE[0]}x{SIZE[1]} + music bed; load average {load[0]:.1f}")
    for case, r in results.items():
        print(f"{case:8} {r['wall_s']:7.2f} s wall {r['realtime']:7.1f}x realtime  CPU {r['cpu_s']:6.2f} s  "
              f"peak {r['peak_mb']:6.0f} MB  " + json.dumps({k: v for k, v in r.items() if k in (
                  "copied", "reencoded", "trimmed", "warnings")}))
    if "moviepy" in results:
        for case in ("cuts", "chain"):
            print(f"{case} is {results['moviepy']['wall_s'] / results[case]['wall_s']:.1f}x faster than moviepy")


if __name__ == "__main__":
    main()
