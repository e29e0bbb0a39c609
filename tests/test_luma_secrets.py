"""The API key never appears in logs, output, exceptions, reprs, or any file a run writes."""

from __future__ import annotations

import asyncio
import logging
import traceback

import httpx
import pytest
import stamina

from pipeline.errors import PipelineError
from pipeline.fake_luma import FakeOptions, create_app, running
from pipeline.fake_luma.testing import quick_render, wait
from pipeline.providers.base import GenerationKeyframe, ShotRequest
from pipeline.providers.luma import LumaProvider, RetryPolicy

KEY = "luma-sk-CANARY-3f9a7c21d0e4"
WRONG_KEY = "luma-sk-WRONGCANARY-88b1e0"
SECRETS = (KEY, WRONG_KEY, "CANARY")


class Recording(httpx.AsyncBaseTransport):
    """Passes requests on, keeping the reprs a careless log line would show."""

    keyed = 0  # requests that did carry the key: proof that there was something to leak
    assets = 0

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: list[str]):
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        Recording.keyed += request.headers.get("authorization") == f"Bearer {KEY}"
        if request.url.path.startswith("/assets/"):  # the CDN must never be sent the key
            Recording.assets += 1
            assert "authorization" not in request.headers
        self.seen += [repr(request), repr(request.headers), str(request.url), repr(request.extensions)]
        response = await self.inner.handle_async_request(request)
        self.seen += [repr(response), repr(response.headers)]
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def shot(index: int, parent: str | None = None, prompt: str | None = None) -> ShotRequest:
    return ShotRequest(shot_id=f"s{index}", key=f"k{index}", model="ray-2", resolution="540p",
                       aspect_ratio="16:9", duration_s=5, prompt=prompt or f"a harbour, part {index}",
                       start=GenerationKeyframe(f"s{index - 1}", job_id=parent) if parent else None)


async def exercise(base_url: str, transport, tmp_path, seen: list[str], errors: list[BaseException]):
    """A chain through faults, a refusal, a wrong key and an unreachable server; keep every error."""
    def provider(key, url=base_url, attempts=12):
        return LumaProvider(api_key=key, base_url=url, transport=Recording(transport(), seen),
                            retry=RetryPolicy(attempts=attempts), fetch_attempts=8)
    async with provider(KEY) as luma:
        seen += [repr(luma), repr(luma.client), str(vars(luma))]
        parent = None
        for index in range(3):
            request = shot(index, parent)
            parent = await luma.submit(request)
            status = await wait(luma, parent)
            await luma.fetch(parent, status, request, tmp_path / f"s{index}.mp4")
        for bad in (shot(9, prompt="no"), shot(9, parent="missing")):
            await _expect_error(luma.submit(bad), errors)
        await _expect_error(wait(luma, await luma.submit(shot(8)), timeout_s=0.0), errors)
    async with provider(WRONG_KEY) as wrong:
        await _expect_error(wrong.submit(shot(7)), errors)
    async with provider(KEY, "http://127.0.0.1:9/dream-machine/v1", attempts=2) as offline:
        await _expect_error(offline.status("abc"), errors)


async def _expect_error(awaitable, errors: list[BaseException]) -> None:
    with pytest.raises(PipelineError) as caught:
        await awaitable
    errors.append(caught.value)


def everything_said(errors, seen, caplog, capfd, tmp_path) -> str:
    texts = [*seen, caplog.text, *capfd.readouterr()]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), str(record.__dict__)]
    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        cause = error.__cause__
        while cause is not None:
            texts += [repr(cause), str(getattr(cause, "request", "")), str(vars(cause))]
            cause = cause.__cause__
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
        texts.append(str(path))
    return "\n".join(texts)


@pytest.mark.parametrize("mode", ["asgi", "loopback"])
def test_the_api_key_is_never_written_logged_or_raised(mode, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    options = FakeOptions(latency=0.05, render=quick_render, fault_rate=0.3, seed=4, api_key=KEY,
                          work_dir=tmp_path / "fake")
    seen: list[str] = []
    errors: list[BaseException] = []
    with stamina.set_testing(True, attempts=100, cap=True):
        if mode == "asgi":
            app = create_app(options)
            asyncio.run(exercise("http://fake.test/dream-machine/v1", lambda: httpx.ASGITransport(app),
                                 tmp_path, seen, errors))
            app.state.fake.close()
        else:
            with running(options) as server:
                asyncio.run(exercise(server.api, httpx.AsyncHTTPTransport, tmp_path, seen, errors))
    assert Recording.keyed > 10 and Recording.assets >= 3
    assert len(errors) == 5 and any("the API key was refused" in str(e) for e in errors)
    said = everything_said(errors, seen, caplog, capfd, tmp_path)
    assert len(said) > 10_000 and "[secure]" in said  # httpx masks the header in its reprs
    for secret in SECRETS:
        assert secret not in said
