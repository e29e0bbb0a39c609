"""One contract suite, run against every registered provider (PySceneDetect's backend suite, in our seam).

The animatic renders on this machine; luma talks to the fake server on loopback. Each test states a promise
of the seam (pipeline/providers/base.py) or of the capabilities a provider declares; a provider added to the
registry without a setup here fails `test_every_registered_provider_is_in_this_suite`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import dataclass, field, replace

import pytest
import stamina

from pipeline import formats, providers
from pipeline.cli.app import build_parser
from pipeline.errors import ProviderError
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.testing import quick_render, wait
from pipeline.providers import PROVIDERS, Capabilities, FailureKind, GenerationFailed
from pipeline.providers.base import GenerationKeyframe, JobStatus, ShotRequest
from pipeline.providers.download import check_video
from pipeline.providers.prices import PER_SECOND_USD
from pipeline.storyboard.model import Storyboard

SEAM = ("submit", "status", "fetch", "find_existing", "failure", "balance_usd", "close")
_keys = itertools.count()


@dataclass(frozen=True)
class Setup:
    options: dict  # what create() is given besides the run options
    failing_prompt: str | None = None  # a prompt that makes the job fail, where the provider can be told to
    fields: dict = field(default_factory=dict)  # what its shots ask for besides the defaults (e.g. its model)


@pytest.fixture(scope="module")
def fake_luma():
    with running(FakeOptions(latency=0.1, render=quick_render)) as server:
        yield server


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def setups(fake) -> dict[str, Setup]:
    return {
        "animatic": Setup({"burn_in": False}),
        "luma": Setup({"api_key": "contract-key", "base_url": fake.api}, "a shot that fails [[fail: Job failed]]"),
        "aigateway": Setup({"api_key": "contract-key", "base_url": fake.root + "/aigateway/v1"},
                           "a shot that fails [[fail: Job failed]]"),
        "crazyrouter": Setup({"api_key": "contract-key", "base_url": fake.root + "/crazyrouter"},
                             "a shot that fails [[fail: Job failed]]"),
        "luma-agents": Setup({"api_key": "contract-key", "base_url": fake.root + "/agents/v1"},
                             "a shot that fails [[fail: generation_failed]]", {"model": "ray-3.2"}),
    }


@pytest.fixture(params=providers.NAMES)
def name(request) -> str:
    return request.param


@pytest.fixture
def setup(name, fake_luma) -> Setup:
    return setups(fake_luma)[name]


def with_provider(name: str, setup: Setup, scenario, tmp_path):
    """Run `scenario(make)`, where make() creates a provider as a run would (each closed at the end)."""
    async def main():
        made = []

        def make():
            made.append(providers.create(name, **setup.options))
            return made[-1]
        try:
            return await scenario(make)
        finally:
            for provider in made:
                await provider.close()
    return asyncio.run(main())


def shot(setup: Setup, name: str, shot_id: str, **fields) -> ShotRequest:
    """A shot for the provider `name`: its setup's model (Ray 2 where it says none) at the smallest resolution
    the provider offers for it."""
    values = {"model": "ray-2", "aspect_ratio": "16:9", "duration_s": 5, "prompt": f"a contract shot called {shot_id}",
              "caption": False, **setup.fields}
    values.setdefault("resolution", providers.capabilities(name).models[values["model"]].resolutions[0])
    return ShotRequest(shot_id=shot_id, key=f"{shot_id}-{next(_keys)}", **{**values, **fields})


async def generate(provider, request: ShotRequest, dest) -> tuple[str, JobStatus]:
    job_id = await provider.submit(request)
    status = await wait(provider, job_id)  # the engine's poller
    assert status.state == "completed", status
    await provider.fetch(job_id, status, request, dest)
    return job_id, status


@pytest.mark.parametrize(("longest", "aspect"), [(False, "16:9"), (True, "9:16")])
def test_a_shot_is_submitted_polled_to_completed_and_fetched_verified(name, setup, tmp_path, longest, aspect):
    request = shot(setup, name, "opening", aspect_ratio=aspect)
    offered = providers.capabilities(name).models[request.model]
    if aspect not in offered.aspect_ratios:
        pytest.skip(f"{name} offers no shot at {aspect}")
    duration_s = max(offered.durations_s) if longest else min(offered.durations_s)
    request = replace(request, duration_s=duration_s)

    async def scenario(make):
        provider = make()
        job_id = await provider.submit(request)
        assert isinstance(job_id, str) and job_id
        status = await wait(provider, job_id)
        assert status.done and status.state == "completed"
        await provider.fetch(job_id, status, request, tmp_path / "opening.mp4")
        return job_id

    with_provider(name, setup, scenario, tmp_path)
    info = check_video(tmp_path / "opening.mp4", formats.frames_for(duration_s))  # raises unless whole
    assert (info.frames, info.width, info.height) == (duration_s * 24, *formats.frame_size(request.resolution, aspect))
    assert [p.name for p in tmp_path.iterdir()] == ["opening.mp4"]  # nothing half-written left beside it


def test_an_extension_by_generation_keyframe_continues_its_parent(name, setup, tmp_path):
    parent = shot(setup, name, "parent")
    if not providers.capabilities(name).models[parent.model].extend_forward:
        pytest.skip(f"{name} cannot extend a generation (validation refuses chains for it)")

    async def scenario(make):
        provider = make()
        parent_id, _ = await generate(provider, parent, tmp_path / "parent.mp4")
        child = shot(setup, name, "child", start=GenerationKeyframe("parent", job_id=parent_id,
                                                                    clip=tmp_path / "parent.mp4"))
        child_id, _ = await generate(provider, child, tmp_path / "child.mp4")
        return parent_id, child_id

    parent_id, child_id = with_provider(name, setup, scenario, tmp_path)
    assert child_id != parent_id
    assert check_video(tmp_path / "child.mp4", 120, at_least=True).frames >= 120  # may hold its parent too


def test_find_existing_finds_a_job_only_where_the_provider_lists_jobs(name, setup, tmp_path):
    request = shot(setup, name, "interrupted")

    async def scenario(make):
        before = dt.datetime.now(dt.UTC)
        made = await make().submit(request)
        found = await make().find_existing(request, since=before)  # another run: it did not make the job
        other = await make().find_existing(shot(setup, name, "never-made"), since=before)
        return made, found, other

    made, found, other = with_provider(name, setup, scenario, tmp_path)
    assert found == (made if providers.capabilities(name).lists_jobs else None)
    assert other is None


@pytest.mark.parametrize("reason", [None, "Job failed", "Contains blacklisted words", "something new"])
def test_a_failed_status_is_classified_by_its_provider(name, setup, tmp_path, reason):
    async def scenario(make):
        return make().failure(JobStatus("failed", failure_reason=reason), shot_id="s1", job_id="j1")

    error = with_provider(name, setup, scenario, tmp_path)
    assert isinstance(error, GenerationFailed) and isinstance(error, ProviderError)
    assert error.kind in FailureKind and error.retryable == (error.kind is not FailureKind.REFUSED)
    assert str(error).startswith("shot s1: ") and str(error).endswith("(generation j1)")


def test_a_job_that_fails_reaches_the_poller_as_failed_and_is_classified(name, setup, tmp_path):
    if setup.failing_prompt is None:
        pytest.skip(f"{name} cannot be told to fail a job")

    async def scenario(make):
        provider = make()
        job_id = await provider.submit(shot(setup, name, "doomed", prompt=setup.failing_prompt))
        status = await wait(provider, job_id)
        return status, provider.failure(status, shot_id="doomed", job_id=job_id)

    status, error = with_provider(name, setup, scenario, tmp_path)
    assert status.state == "failed" and error.kind is FailureKind.RETRYABLE and error.retryable


def test_the_balance_is_a_number_of_dollars_or_none(name, setup, tmp_path):
    async def scenario(make):
        return await make().balance_usd()

    balance = with_provider(name, setup, scenario, tmp_path)
    assert balance is None if not providers.capabilities(name).paid else balance is None or balance >= 0


def test_the_capabilities_are_consistent(name):
    cls, caps = providers.provider_class(name), providers.capabilities(name)
    assert cls.name == name and isinstance(caps, Capabilities) and cls.paid == caps.paid
    assert all(callable(getattr(cls, method, None)) for method in SEAM)
    assert caps.models and caps.min_poll_s >= 0 and caps.concurrency >= 1
    assert caps.images or not any(m.end_frame for m in caps.models.values())  # no image: no end image either
    assert caps.creates_per_minute is None or caps.creates_per_minute > 0
    assert caps.result_url_ttl_s is None or caps.result_url_ttl_s > 0
    assert set(caps.render_options) <= set(providers.registry._parameters(cls))  # options it is given
    for model, offered in caps.models.items():
        assert set(offered.resolutions) <= set(formats.RESOLUTIONS) and offered.resolutions
        assert set(offered.durations_s) <= set(formats.DURATIONS_S) and offered.durations_s
        assert set(offered.aspect_ratios) <= set(formats.ASPECT_RATIOS) and offered.aspect_ratios
        if caps.paid:  # every resolution offered has a price, and the price table lists nothing unoffered
            assert set(offered.prices) == set(offered.resolutions), model
            assert all(usd > 0 for usd in offered.prices.values())
            assert all(providers.cost_usd(name, model, res, 5) > 0 for res in offered.resolutions)
        else:
            assert not offered.prices and providers.cost_usd(name, model, offered.resolutions[0], 5) == 0
    listed = {(m, r) for p, m, r in PER_SECOND_USD if p == name}
    assert listed == {(m, r) for m, o in caps.models.items() for r in o.resolutions} if caps.paid else not listed


def test_every_registered_provider_is_in_this_suite(fake_luma):
    assert set(setups(fake_luma)) == set(PROVIDERS)


def test_the_registry_is_the_one_list_of_names():
    assert providers.NAMES == tuple(PROVIDERS) == tuple(spec.load().name for spec in PROVIDERS.values())
    assert not providers.capabilities(providers.DEFAULT).paid  # spending money is never a default
    schema = Storyboard.model_json_schema()["properties"]["provider"]
    assert schema["enum"] == list(providers.NAMES) and schema["default"] == providers.DEFAULT
    run = build_parser().parse_args(["run", "board.yaml", "--provider", providers.NAMES[-1]])
    assert run.provider == providers.NAMES[-1]
    with pytest.raises(ProviderError, match="unknown provider 'nope': choose one of"):
        providers.create("nope")
    with pytest.raises(TypeError, match="no provider takes api_kye"):
        providers.create(providers.DEFAULT, api_kye="typo")


def test_prices_are_never_below_the_published_figures():
    price = PER_SECOND_USD
    assert price[("luma", "ray-2", "720p")] >= 0.08  # Build tier ~$0.08/s (plans.apis.io); $0.40 / 5 s clip
    assert price[("luma", "ray-flash-2", "540p")] >= 0.20 / 5  # fal: $0.20 per 5 s at 540p
    assert price[("luma", "ray-flash-2", "720p")] >= max(0.40 / 5, 11 * 4 / 1200)  # fal x2; Luma's credits
    assert price[("luma", "ray-flash-2", "1080p")] >= 0.80 / 5  # fal x4
    assert providers.cost_usd("luma", "ray-2", "720p", 5) >= 0.40
    assert price[("aigateway", "ray-2", "720p")] >= 0.50  # the gateway's page: $0.50 per video second
    assert all(usd >= 0.50 for (p, _, _), usd in price.items() if p == "crazyrouter")  # unpublished: the highest known
    fal_5s = {"540p": 0.72, "720p": 1.08, "1080p": 2.16}  # fal's Ray 3.2 (video to video), the highest seen
    assert all(providers.cost_usd("luma-agents", "ray-3.2", res, 5) >= usd for res, usd in fal_5s.items())
    assert providers.cost_usd("luma-agents", "ray-3.2", "360p", 5) >= 0.06  # Runware's 360p figure
    for name in ("luma", "luma-agents", "crazyrouter"):  # more pixels never cost less
        for model, offered in providers.capabilities(name).models.items():
            rates = [price[(name, model, res)] for res in offered.resolutions]
            assert rates == sorted(rates), model
