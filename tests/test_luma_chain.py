"""A 10-shot chain of extensions survives 30 % injected faults and pays once per shot (plus refunded failures).

The loop below stands in for the run engine: submit, wait (through the engine's poller), retry a transient failure,
fetch.
"""

from __future__ import annotations

import asyncio

import pytest
import stamina

from pipeline import ffmpeg
from pipeline.fake_luma import FakeOptions
from pipeline.fake_luma.testing import provider_and_fake, quick_render, wait
from pipeline.providers.base import GenerationKeyframe, ShotRequest
from pipeline.providers.luma import RetryPolicy, is_permanent_failure

SHOTS = 10
SEED = 25


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def request(index: int, parent: str | None) -> ShotRequest:
    start = GenerationKeyframe(f"shot{index - 1}", job_id=parent) if parent else None
    return ShotRequest(shot_id=f"shot{index}", key=f"k{index}", model="ray-flash-2", resolution="540p",
                       aspect_ratio="16:9", duration_s=5, prompt=f"the chain goes on, part {index}",
                       start=start)


async def generate(provider, shot: ShotRequest, dest, tries: int = 6):
    for _ in range(tries):
        job_id = await provider.submit(shot)
        status = await wait(provider, job_id)
        if status.state == "completed":
            return job_id, await provider.fetch(job_id, status, shot, dest)
        assert not is_permanent_failure(status.failure_reason), status.failure_reason
    raise AssertionError(f"{shot.shot_id} failed {tries} times")


async def chain(provider, folder) -> list:
    parent, infos = None, []
    for index in range(SHOTS):
        parent, info = await generate(provider, request(index, parent), folder / f"shot{index}.mp4")
        infos.append(info)
    return infos


@pytest.mark.parametrize("mode", ["asgi", "loopback"])
def test_a_ten_shot_chain_completes_through_thirty_percent_faults(mode, tmp_path):
    options = FakeOptions(latency=0.05, render=quick_render, fault_rate=0.3, seed=SEED)

    async def main():
        async with provider_and_fake(mode, options, retry=RetryPolicy(attempts=12), fetch_attempts=8) as pair:
            return await chain(pair.provider, tmp_path), pair.fake.snapshot()

    infos, stats = asyncio.run(main())
    print(stats)
    assert [info.frames for info in infos] == [120] * SHOTS
    assert stats["creates"] == SHOTS + stats["failed"]
    assert stats["failed"] == stats["faults_failed"] > 0
    assert stats["faults_drop"] > 0 and stats["faults_truncate"] > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"shot{i}.mp4" for i in range(SHOTS))
    ffmpeg.frame_at(tmp_path / "shot9.mp4", -1)
