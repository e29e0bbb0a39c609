"""Benchmark the run engine against the seed article's loop, side by side, on the fake Luma server.

    .venv/bin/python bench/orchestration.py [--latency 2] [--chains 3] [--shots 4]

Both generate the same storyboard (CHAINS independent chains of SHOTS extensions each) through the real Luma
client against the fake on loopback, whose generations take LATENCY seconds from create to completed. The
critical path is the longest chain's total latency: SHOTS x LATENCY. The engine's goal is to finish within
10 % of it; the baseline does what the seed article's loop does: one shot after another, polling every 3 s,
downloading, then the next.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from pipeline import ffmpeg, formats, load
from pipeline.engine.journal import Journal
from pipeline.engine.requests import Generated, shot_request
from pipeline.engine.runner import Limits
from pipeline.engine.shots import Engine
from pipeline.engine.work import decide
from pipeline.fake_luma import FakeOptions, serve
from pipeline.layout import Layout
from pipeline.providers.base import ShotRequest
from pipeline.providers.luma import LumaProvider


def storyboard(folder: Path, chains: int, shots: int) -> Path:
    lines = ["resolution: 540p", "shots:"]
    for c in range(chains):
        for s in range(shots):
            lines += [f"  - id: c{c}s{s}", f"    prompt: chain {c}, shot {s}, the lighthouse beam turns"]
            lines += ["    start: none"] if s == 0 else []
    path = folder / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


async def engine_run(project, plan, api: str, out: Path) -> None:
    layout = Layout(out)
    journal = Journal.open(layout)
    provider = LumaProvider(base_url=api, api_key="bench")
    engine = Engine(project, provider, journal, layout, limits=Limits(concurrency=10, creates_per_minute=None),
                    report=lambda p: None, caption=True, allowed={p.key for p in plan.shots}, forget="")
    await engine.run_all(decide(plan, journal, layout))
    await provider.close()
    journal.close()


async def seed_loop(project, plan, api: str, out: Path) -> None:
    """One shot after another: create, sleep 3 s between polls, download, next."""
    done: dict[str, Generated] = {}
    async with LumaProvider(base_url=api, api_key="bench") as provider:
        for planned in plan.shots:
            request = shot_request(project, planned, done)
            job_id = await provider.submit(request)
            while (status := await provider.status(job_id)).state != "completed":
                await asyncio.sleep(3)
            dest = out / f"{planned.id}.mp4"
            await provider.fetch(job_id, status, request, dest)
            done[planned.id] = Generated(job_id, dest)


def timed(run, project, plan, api: str, folder: Path) -> float:
    folder.mkdir()
    started = time.perf_counter()
    asyncio.run(run(project, plan, api, folder))
    return time.perf_counter() - started


def flat_clip(request: ShotRequest, dest: Path) -> None:
    """The fake's videos for this benchmark: a plain colour clip of the right length made by ffmpeg in its own
    process, so that the fake answers at its set latency instead of competing with the engine for the CPU."""
    width, height = formats.frame_size(request.resolution, request.aspect_ratio)
    ffmpeg.run(["-f", "lavfi", "-i", f"color=c=gray:s={width}x{height}:r={formats.FPS}", "-frames:v",
                str(request.duration_s * formats.FPS), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                "yuv420p", str(dest)], what="bench clip")


@contextlib.contextmanager
def fake_server(latency: float, port: int):
    """The fake Luma server in its own process, rendering flat clips."""
    server = subprocess.Popen([sys.executable, __file__, "--serve-fake", "--port", str(port),
                               "--latency", str(latency)], stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{root}/_fake/stats")
                break
            time.sleep(0.05)
        yield root + "/dream-machine/v1"
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=5.0)
    parser.add_argument("--chains", type=int, default=3)
    parser.add_argument("--shots", type=int, default=4)
    parser.add_argument("--port", type=int, default=8877)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        return serve(FakeOptions(latency=args.latency, render=flat_clip), port=args.port)
    with tempfile.TemporaryDirectory() as tmp, fake_server(args.latency, args.port) as api:
        project = load(storyboard(Path(tmp), args.chains, args.shots), provider="luma")
        plan = project.plan()
        critical = args.shots * args.latency
        ours = timed(engine_run, project, plan, api, Path(tmp) / "engine")
        seed = timed(seed_loop, project, plan, api, Path(tmp) / "seed")
    total = args.chains * args.shots
    print(f"{total} shots in {args.chains} chains, {args.latency:g} s per generation; "
          f"critical path {critical:.1f} s")
    print(f"engine:    {ours:6.1f} s  ({ours / critical:.3f} x the critical path)")
    print(f"seed loop: {seed:6.1f} s  ({seed / critical:.3f} x the critical path; engine {seed / ours:.1f}x faster)")


if __name__ == "__main__":
    main()
