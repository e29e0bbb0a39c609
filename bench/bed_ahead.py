"""Benchmark the assembly after the last clip lands, with the bed encoded while the shots generate, against
assembling the same timeline cold, side by side in one process.

    .venv/bin/python bench/bed_ahead.py [--clips 60] [--latency 2] [--work DIR] [--repeat 2]

The clips and the 60 s AAC bed are bench/assembly.py's (60 five-second 1280x720 clips made once in --work).
A run of its `cuts` storyboard (every shot a new chain, the bed looped to 300 s, faded) goes through the real
Luma client against the fake on loopback, which answers each generation after LATENCY seconds with the
prepared clip for that shot. Measured:

  after last clip   from the last shot's clip landing (its `done`) to final.mp4 written and verified
  cold assembly     `assemble` of the same folder with its .assembly-cache removed (the bed encoded there)

plus when the bed started ahead was ready, relative to the last clip (negative: before it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from assembly import prepare  # noqa: E402  (bench/assembly.py: the clips and the bed)

from pipeline.assembly import sound  # noqa: E402
from pipeline.engine import runner  # noqa: E402
from pipeline.fake_luma import FakeOptions  # noqa: E402
from pipeline.fake_luma.server import running  # noqa: E402
from pipeline.layout import Layout  # noqa: E402
from pipeline.providers.luma import LumaProvider  # noqa: E402
from pipeline.storyboard.load import load  # noqa: E402


def one_run(work: Path, clips: list[Path], latency: float) -> dict:
    out = work / "out-ahead"
    shutil.rmtree(out, ignore_errors=True)
    marks: dict[str, float] = {}
    encode = sound.cached

    def bed_cached(bed, cache):  # when the bed is ready, whoever asked for it
        made = encode(bed, cache)
        marks.setdefault(f"bed ready ({threading.current_thread().name.split('_')[0]})", time.perf_counter())
        return made

    sound.cached = bed_cached

    def progress(p) -> None:
        if p.state == "done":
            marks["last clip"] = time.perf_counter()

    def render(request, dest: Path) -> None:
        shutil.copy(clips[int(request.prompt.rsplit(" ", 1)[1])], dest)  # "bench shot N"

    with running(FakeOptions(latency=latency, render=render, render_workers=4)) as fake:
        project = load(work / "cuts.yaml", provider="luma")
        plan = project.plan()
        provider = LumaProvider(base_url=fake.api, api_key="bench")
        started = time.perf_counter()
        result = runner.run(project, plan, provider, out, report=progress, confirm=lambda usd: None,
                            limits=runner.Limits(concurrency=10, creates_per_minute=None))
        ended = time.perf_counter()
    shutil.rmtree(Layout(out).assembly_cache)
    cold_started = time.perf_counter()
    cold = runner.assemble_again(project, plan, out, paid=True)
    cold_s = time.perf_counter() - cold_started
    sound.cached = encode
    last = marks["last clip"]
    ready = {name: round(at - last, 2) for name, at in marks.items() if name.startswith("bed")}
    return {"run_s": round(ended - started, 2), "after_last_clip_s": round(ended - last, 2),
            "cold_assembly_s": round(cold_s, 2), "ratio": round(cold_s / (ended - last), 1),
            "bed_ready_vs_last_clip_s": ready, "runtime_s": result.assembly.runtime_s,
            "copied": result.assembly.copied_frames, "reencoded": result.assembly.reencoded_frames,
            "cold_reencoded": cold.reencoded_frames}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=60)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-assembly"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    clips = prepare(args.work, args.clips)
    for n in range(args.repeat):
        print(f"run {n + 1}: {one_run(args.work, clips, args.latency)}", flush=True)


if __name__ == "__main__":
    main()
