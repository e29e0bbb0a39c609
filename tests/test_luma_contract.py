"""The Luma provider against the fake server, in-process (httpx.ASGITransport) and over loopback (uvicorn)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
import stamina
from PIL import Image

from pipeline import ffmpeg
from pipeline.assets.base_url import BaseUrlStore
from pipeline.errors import ProviderError
from pipeline.fake_luma import FakeOptions
from pipeline.fake_luma.testing import provider_and_fake, quick_render, wait
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest
from pipeline.providers.luma import RetryPolicy


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture(params=["asgi", "loopback"])
def mode(request) -> str:
    return request.param


def options(**kwargs) -> FakeOptions:
    return FakeOptions(**{"latency": 0.1, "render": quick_render, **kwargs})


def shot(shot_id: str, start=None, **kwargs) -> ShotRequest:
    fields = {"model": "ray-2", "resolution": "540p", "aspect_ratio": "16:9", "duration_s": 5,
              "prompt": f"a test shot called {shot_id}"}
    return ShotRequest(shot_id=shot_id, key=shot_id, start=start, **{**fields, **kwargs})


def run(mode: str, fake_options: FakeOptions, scenario, **provider_kwargs):
    async def main():
        async with provider_and_fake(mode, fake_options, **provider_kwargs) as pair:
            return await scenario(*pair)
    return asyncio.run(main())


def test_text_to_video_is_generated_polled_and_fetched(mode, tmp_path):
    async def scenario(provider, fake, root):
        request = shot("opening")
        job_id = await provider.submit(request)
        first = await provider.status(job_id)
        assert first.state in ("queued", "dreaming")
        status = await wait(provider, job_id, timeout_s=20)
        assert status.state == "completed" and status.video_url.endswith("/video.mp4")
        info = await provider.fetch(job_id, status, request, tmp_path / "opening.mp4")
        assert (info.frames, info.width, info.height) == (120, 960, 540)
        assert [p.name for p in tmp_path.iterdir()] == ["opening.mp4"]
        return fake.snapshot()

    stats = run(mode, options(), scenario)
    assert (stats["creates"], stats["downloads"], stats["faults"]) == (1, 1, 0)


@pytest.mark.parametrize("includes_parent", [False, True])
def test_an_extension_continues_its_parent(mode, tmp_path, includes_parent):
    async def scenario(provider, fake, root):
        first = shot("first")
        first_id = await provider.submit(first)
        await provider.fetch(first_id, await wait(provider, first_id), first, tmp_path / "first.mp4")
        second = shot("second", start=GenerationKeyframe("first", job_id=first_id))
        second_id = await provider.submit(second)
        generation = await provider.client.get(second_id)
        assert generation["request"]["keyframes"] == {"frame0": {"type": "generation", "id": first_id}}
        return await provider.fetch(second_id, await wait(provider, second_id), second, tmp_path / "second.mp4")

    info = run(mode, options(extension_includes_parent=includes_parent), scenario)
    assert info.frames == (240 if includes_parent else 120)
    ffmpeg.frame_at(tmp_path / "second.mp4", -1)  # decodes to the end: playable


def test_a_local_keyframe_is_sent_as_its_public_url(mode, tmp_path):
    cdn = tmp_path / "board"
    (cdn / "frames").mkdir(parents=True)
    Image.new("RGB", (64, 36), "orange").save(cdn / "frames" / "pad one.png")

    async def scenario(provider, fake, root):
        url = BaseUrlStore(root + "/cdn/", cdn).publish(cdn / "frames" / "pad one.png").url
        request = shot("launch", start=ImageKeyframe(path=cdn / "frames" / "pad one.png", url=url))
        job_id = await provider.submit(request)
        generation = await provider.client.get(job_id)
        status = await wait(provider, job_id)
        return generation["request"]["keyframes"], status

    keyframes, status = run(mode, options(cdn_dir=cdn), scenario)
    assert keyframes["frame0"]["url"].endswith("/cdn/frames/pad%20one.png")
    assert status.state == "completed"


def test_an_unreadable_keyframe_url_fails_the_generation_for_good(mode, tmp_path):
    async def scenario(provider, fake, root):
        request = shot("launch", start=ImageKeyframe(url=root + "/cdn/missing.png"))
        return await wait(provider, await provider.submit(request))

    status = run(mode, options(cdn_dir=tmp_path), scenario)
    assert (status.state, status.failure_reason) == ("failed", "Failed to read user input frames")


def test_a_refused_create_names_the_shot_and_lumas_detail(mode):
    async def scenario(provider, fake, root):
        with pytest.raises(ProviderError) as caught:
            await provider.submit(shot("tiny", prompt="ab"))
        return caught.value, fake.snapshot()

    error, stats = run(mode, options(), scenario)
    assert str(error) == ("shot tiny: Luma refused the request: Prompt is too short, minimum length is 3 "
                          "characters")
    assert not error.retryable and stats["creates"] == 0


def test_extending_an_unfinished_generation_is_refused(mode):
    async def scenario(provider, fake, root):
        parent = await provider.submit(shot("first"))
        with pytest.raises(ProviderError, match="is (queued|dreaming): only completed generations"):
            await provider.submit(shot("second", start=GenerationKeyframe("first", job_id=parent)))

    run(mode, options(latency=5), scenario)


@pytest.mark.parametrize("create_path", ["/generations/video", "/generations"])
def test_a_dropped_create_is_adopted_from_the_list_not_paid_twice(mode, create_path):
    async def scenario(provider, fake, root):
        job_id = await provider.submit(shot("once"))
        return job_id, fake.snapshot(), [g.id for g in fake.newest_first()]

    job_id, stats, ids = run(mode, options(fault_rate=1.0, faults=("drop",)), scenario,
                             create_path=create_path)
    assert ids == [job_id]
    assert (stats["creates"], stats["faults_drop"], stats["lists"]) == (1, 1, 1)


def test_find_existing_matches_the_request_and_skips_failed_and_different_ones(mode):
    async def scenario(provider, fake, root):
        before = dt.datetime.now(dt.UTC)
        assert await provider.find_existing(shot("a")) is None
        failed = await provider.submit(shot("a", prompt="a shot [[fail: Job failed]]"))
        assert (await wait(provider, failed)).state == "failed"
        made = await provider.submit(shot("a"))
        await provider.submit(shot("a", duration_s=9))
        provider.client.owned.clear()  # as after a restart: this process made none of them
        found = await provider.find_existing(shot("a"), since=before)
        unfailed = await provider.find_existing(shot("a", prompt="a shot [[fail: Job failed]]"))
        later = await provider.find_existing(shot("a"), since=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        return made, failed, found, unfailed, later

    made, failed, found, unfailed, later = run(mode, options(), scenario)
    assert found == made and unfailed is None and later is None and failed != made


def test_transient_answers_are_retried_and_counted(mode, tmp_path):
    async def scenario(provider, fake, root):
        request = shot("busy")
        job_id = await provider.submit(request)
        status = await wait(provider, job_id)
        await provider.fetch(job_id, status, request, tmp_path / "busy.mp4")
        return fake.snapshot()

    stats = run(mode, options(fault_rate=0.5, faults=("429", "500", "503"), seed=3), scenario,
                retry=RetryPolicy(attempts=30))
    assert stats["faults"] > 0 and stats["creates"] == 1


def test_rate_limit_still_refusing_after_the_last_attempt(mode):
    async def scenario(provider, fake, root):
        with pytest.raises(ProviderError) as caught:
            await provider.submit(shot("busy"))
        return caught.value, fake.snapshot()

    error, stats = run(mode, options(fault_rate=1.0, faults=("429",)), scenario,
                       retry=RetryPolicy(attempts=3))
    assert str(error).startswith("shot busy: Luma's rate limit still refused the request after 3 attempt(s)")
    assert error.retryable and stats["faults_429"] == 3 and stats["creates"] == 0


def test_a_truncated_download_is_fetched_again(mode, tmp_path):
    async def scenario(provider, fake, root):
        request = shot("cut")
        job_id = await provider.submit(request)
        status = await wait(provider, job_id)
        fake.faults.rate = 1.0  # every download truncated from now on
        with pytest.raises(Exception, match="incomplete or unreadable after 2 attempt"):
            await provider.fetch(job_id, status, request, tmp_path / "cut.mp4")
        fake.faults.rate = 0.0
        info = await provider.fetch(job_id, status, request, tmp_path / "cut.mp4")
        return info, fake.snapshot()

    info, stats = run(mode, options(faults=("truncate",)), scenario, fetch_attempts=2)
    assert info.frames == 120 and stats["faults_truncate"] == 2 and stats["downloads"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["cut.mp4"]


def test_waiting_gives_up_after_the_time_limit(mode):
    async def scenario(provider, fake, root):
        job_id = await provider.submit(shot("slow"))
        with pytest.raises(ProviderError, match=r"still (queued|dreaming) after 0.3 s") as caught:
            await wait(provider, job_id, timeout_s=0.3)
        return caught.value, job_id

    error, job_id = run(mode, options(latency=30), scenario)
    assert error.retryable and error.job_id == job_id


def test_the_other_endpoints(mode):
    async def scenario(provider, fake, root):
        client = provider.client
        job_id = await provider.submit(shot("gone"))
        listed = await client.list(limit=10)
        await client.delete(job_id)
        with pytest.raises(ProviderError, match="no such resource"):
            await client.get(job_id)
        return listed, await client.concepts(), await client.credits(), await client.ping()

    listed, concepts, credits, pong = run(mode, options(), scenario)
    assert listed["count"] == 1 and listed["generations"][0]["state"] in ("queued", "dreaming")
    # the fake charged Ray 2 540p: 5 s at 4.5 cents a second
    assert "dolly_zoom" in concepts and credits == 100_000.0 - 4.5 * 5 and pong == {"message": "pong"}


def test_a_wrong_key_is_refused_with_the_next_step(mode):
    async def scenario(provider, fake, root):
        with pytest.raises(ProviderError) as caught:
            await provider.submit(shot("locked"))
        return caught.value

    error = run(mode, options(api_key="the-right-key"), scenario, api_key="a-wrong-key")
    assert str(error) == ("shot locked: the API key was refused: check LUMAAI_API_KEY "
                          "(Luma said: Invalid API key is provided)")


def test_running_out_of_credits_says_where_to_add_them(mode):
    async def scenario(provider, fake, root):
        with pytest.raises(ProviderError) as caught:
            await provider.submit(shot("broke"))
        return caught.value

    error = run(mode, options(credit_balance=10), scenario)
    assert "out of credits" in str(error) and "billing page of Luma's API dashboard" in str(error)


def test_a_connection_refused_is_reported_with_the_base_url():
    async def main():
        async with httpx.AsyncClient() as probe_client:
            del probe_client
        from pipeline.providers.luma import LumaProvider

        provider = LumaProvider(api_key="k", base_url="http://127.0.0.1:9/dream-machine/v1",
                                retry=RetryPolicy(attempts=2))
        async with provider:
            with pytest.raises(ProviderError) as caught:
                await provider.submit(shot("offline"))
        return caught.value

    error = asyncio.run(main())
    assert "could not reach Luma at http://127.0.0.1:9/dream-machine/v1 after 2 attempt(s) (ConnectError)" \
        in str(error)


@pytest.mark.parametrize("includes_parent", [False, True])
def test_the_animatic_renders_an_extension_from_its_parents_last_frame(mode, tmp_path, includes_parent):
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=960x540", "-frames:v", "1", str(tmp_path / "key.png")],
               what="keyframe")

    async def scenario(provider, fake, root):
        url = BaseUrlStore(root + "/cdn", tmp_path).publish(tmp_path / "key.png").url
        first = shot("first", start=ImageKeyframe(path=tmp_path / "key.png", url=url), concepts=("pan_left",),
                     caption=False)
        first_id = await provider.submit(first)
        await provider.fetch(first_id, await wait(provider, first_id), first, tmp_path / "first.mp4")
        second = shot("second", start=GenerationKeyframe("first", job_id=first_id), caption=False)
        second_id = await provider.submit(second)
        return await provider.fetch(second_id, await wait(provider, second_id), second, tmp_path / "second.mp4")

    options = FakeOptions(latency=0.1, extension_includes_parent=includes_parent, cdn_dir=tmp_path)
    info = run(mode, options, scenario)
    assert info.frames == (240 if includes_parent else 120)
    parent_last = ffmpeg.frame_at(tmp_path / "first.mp4", -1).astype(int)
    join = ffmpeg.frame_at(tmp_path / "second.mp4", 120 if includes_parent else 0).astype(int)
    assert abs(parent_last - join).mean() < 4
    if includes_parent:
        assert abs(ffmpeg.frame_at(tmp_path / "second.mp4", 119).astype(int) - parent_last).mean() < 1


def test_the_animatic_starts_from_a_keyframe_on_the_cdn(mode, tmp_path):
    Image.new("RGB", (960, 540), (250, 120, 10)).save(tmp_path / "orange.png")

    async def scenario(provider, fake, root):
        url = BaseUrlStore(root + "/cdn", tmp_path).publish(tmp_path / "orange.png").url
        request = shot("lit", start=ImageKeyframe(path=tmp_path / "orange.png", url=url), caption=False)
        job_id = await provider.submit(request)
        return await provider.fetch(job_id, await wait(provider, job_id), request, tmp_path / "lit.mp4")

    assert run(mode, FakeOptions(latency=0.1, cdn_dir=tmp_path), scenario).frames == 120
    first = ffmpeg.frame_at(tmp_path / "lit.mp4", 0)
    assert abs(first.reshape(-1, 3).mean(axis=0) - (250, 120, 10)).max() < 12
