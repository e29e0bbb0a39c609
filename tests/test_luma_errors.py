"""Every documented error and failure reason gets a message that names the next step; retries obey the headers."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import time

import httpx
import pytest
import stamina

from pipeline.engine.polling import MAX_S, MIN_S, until_done
from pipeline.errors import ProviderError
from pipeline.providers.base import FailureKind, JobStatus, ShotRequest
from pipeline.providers.luma import (
    LumaProvider,
    RetryPolicy,
    failure_error,
    is_permanent_failure,
)
from pipeline.providers.luma import errors as errs
from pipeline.providers.luma.request import request_body

SHOT = ShotRequest(shot_id="intro", key="k", model="ray-2", resolution="720p", aspect_ratio="16:9",
                   duration_s=5, prompt="a quiet harbour at dawn")
GENERATION = {"id": "0000-gen", "state": "queued", "created_at": "2025-05-16T18:53:39.062856Z",
              "failure_reason": None, "assets": None, "request": {}}


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def answering(*responses):
    """A MockTransport answering with `responses` in turn (the last one repeats); records the requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        return answer(request) if callable(answer) else answer
    return httpx.MockTransport(handler), seen


def submit_with(*responses, **kwargs):
    transport, seen = answering(*responses)

    async def main():
        async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport,
                                **kwargs) as provider:
            try:
                return await provider.submit(SHOT), seen
            except ProviderError as exc:
                return exc, seen
    return asyncio.run(main())


def refused(status: int, detail, **headers) -> httpx.Response:
    return httpx.Response(status, json={"detail": detail}, headers=headers)


@pytest.mark.parametrize(("status", "detail", "message"), [
    (401, "Invalid API key is provided",
     "shot intro: the API key was refused: check LUMAAI_API_KEY (Luma said: Invalid API key is provided)"),
    (402, "Insufficient credits",
     "shot intro: the Luma account is out of credits: check the balance and add credits on the billing page "
     "of Luma's API dashboard (Luma said: Insufficient credits)"),
    (403, "Forbidden",
     "shot intro: this API key has no permission for that request: check the key's plan and model access in "
     "Luma's API dashboard (Luma said: Forbidden)"),
    (400, "Prompt is required", "shot intro: Luma refused the request: Prompt is required"),
    (400, "Prompt is too long, maximum length is 5000 characters",
     "shot intro: Luma refused the request: Prompt is too long, maximum length is 5000 characters"),
    (400, "Loop is not supported for reverse extension",
     "shot intro: Luma refused the request: Loop is not supported for reverse extension"),
    (400, "No keyframes provided", "shot intro: Luma refused the request: No keyframes provided"),
    (400, "Unknown request type", "shot intro: Luma refused the request: Unknown request type"),
    (422, [{"loc": ["body", "keyframes", "frame0", "url"], "msg": "Field required", "type": "missing"}],
     "shot intro: Luma refused the request as invalid: keyframes.frame0.url: Field required"),
])
def test_a_refused_create_says_what_to_do(status, detail, message):
    error, seen = submit_with(refused(status, detail))
    assert str(error) == message
    assert not error.retryable and len(seen) == 1


def test_a_missing_create_endpoint_suggests_the_other_path():
    error, _ = submit_with(refused(404, "Not Found"))
    assert str(error) == ("shot intro: Luma's create endpoint /generations/video does not answer (HTTP 404): "
                          "try the other create path ('/generations' or '/generations/video') or check "
                          "LUMAAI_BASE_URL")


def test_an_unknown_generation_is_a_404_with_its_id():
    transport, _ = answering(refused(404, "Generation not found"))

    async def main():
        async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
            with pytest.raises(ProviderError) as caught:
                await provider.status("abc-123", shot_id="intro")
            return caught.value
    error = asyncio.run(main())
    assert str(error) == ("shot intro: Luma has no such resource (/v1/generations/abc-123): a generation that "
                          "was deleted or made with another API key, or a wrong LUMAAI_BASE_URL (Luma said: "
                          "Generation not found) (generation abc-123)")


def test_rate_limit_exhausted_tells_the_limits():
    error, seen = submit_with(refused(429, "Too many requests"), retry=RetryPolicy(attempts=4))
    assert str(error) == ("shot intro: Luma's rate limit still refused the request after 4 attempt(s) "
                          "(Build tier: 10 concurrent generations, 20 creates a minute): wait a minute, then "
                          "resume the run")
    assert error.retryable and len(seen) == 4


def test_server_errors_exhausted_say_resume_later():
    error, seen = submit_with(refused(503, "Service unavailable"), retry=RetryPolicy(attempts=3))
    assert str(error).startswith("shot intro: Luma's servers kept failing (Service unavailable) after 3")
    assert error.retryable and len(seen) == 3


@pytest.mark.parametrize("status", [408, 409, 429, 503])
def test_transient_statuses_are_retried_then_succeed(status):
    job_id, seen = submit_with(refused(status, "busy"), httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen" and len(seen) == 2
    assert all(r.url.path == "/v1/generations/video" for r in seen)  # no list: nothing was created


def test_a_500_on_create_is_ambiguous_so_the_list_is_checked_first():
    listing = {"generations": [], "has_more": False, "count": 0, "limit": 100, "offset": 0}
    job_id, seen = submit_with(refused(500, "oops"), httpx.Response(200, json=listing),
                               httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen"
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/v1/generations/video"), ("GET", "/v1/generations"), ("POST", "/v1/generations/video")]


def test_x_should_retry_overrides_the_status():
    error, seen = submit_with(refused(503, "down", **{"x-should-retry": "false"}))
    assert len(seen) == 1 and error.retryable
    job_id, seen = submit_with(refused(400, "flaky", **{"x-should-retry": "true"}),
                               httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen" and len(seen) == 2


def test_the_legacy_create_path_is_configurable():
    _, seen = submit_with(httpx.Response(201, json=GENERATION), create_path="/generations")
    assert seen[0].url.path == "/v1/generations"
    assert seen[0].headers["authorization"] == "Bearer k"


def test_a_connection_refused_before_sending_is_retried_without_listing():
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)
    job_id, seen = submit_with(refuse, httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen" and [r.method for r in seen] == ["POST", "POST"]


def headers(**values) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


def test_retry_after_in_all_its_forms():
    assert errs.retry_after(headers(retry_after_ms="1500", retry_after="9")) == 1.5
    assert errs.retry_after(headers(retry_after="7")) == 7
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= errs.retry_after(headers(retry_after=later)) <= 31
    assert errs.retry_after(headers(retry_after="soon")) is None
    assert errs.retry_after(headers()) is None


def test_the_backoff_hook_uses_retry_after_within_bounds():
    hook = errs.backoff_hook(max_retry_after=60)
    request = httpx.Request("POST", "http://luma.test/v1/generations")

    def answer(status, **h):
        return errs.RetryableResponse(httpx.Response(status, headers=headers(**h), request=request))
    assert hook(answer(429, retry_after="2")) == 2.0
    assert hook(answer(429, retry_after_ms="250")) == 0.25
    assert hook(answer(429, retry_after="600")) is True  # too long: exponential backoff instead
    assert hook(answer(503)) is True
    assert hook(httpx.ReadTimeout("slow")) is True
    assert hook(errs.RefusedResponse(httpx.Response(400, request=request))) is False
    assert hook(ValueError("a bug")) is False


PERMANENT = {
    "Contains blacklisted words": "Luma refused the prompt because it contains blocked words: reword the prompt",
    "Failed to read user input frames": "Luma could not read the keyframe image(s): check that every keyframe "
                                        "URL is public and serves an image",
    "Frame moderation failed": "Luma's moderation refused a keyframe image: use another image",
    "Advanced prompt moderation failed": "Luma's moderation refused the prompt: reword the prompt",
}


@pytest.mark.parametrize(("reason", "advice"), PERMANENT.items())
def test_permanent_failures_are_not_retried_and_say_why(reason, advice):
    assert is_permanent_failure(reason)
    error = failure_error(reason, shot_id="intro", job_id="g1")
    assert str(error).startswith(f"shot intro: {advice}")
    assert str(error).endswith(f"(Luma said: {reason}) (generation g1)")
    assert not error.retryable and error.kind is FailureKind.REFUSED


TRANSIENT = ("Prompt processing failed", "Error dispatching job", "Job failed")


@pytest.mark.parametrize("reason", [*TRANSIENT, "Something new happened", None])
def test_other_failures_are_retryable(reason):
    assert not is_permanent_failure(reason)
    error = failure_error(reason, shot_id="intro", job_id="g1")
    assert error.retryable
    assert error.kind is (FailureKind.RETRYABLE if reason in TRANSIENT else FailureKind.UNKNOWN)
    assert str(error) == (f"shot intro: the generation failed on Luma's side ({reason or 'no reason given'}): "
                          "this is usually transient, and the shot will be generated again (generation g1)")


def test_a_missing_key_says_which_variable_to_set(monkeypatch):
    monkeypatch.delenv("LUMAAI_API_KEY", raising=False)
    monkeypatch.delenv("LUMA_API_KEY", raising=False)
    with pytest.raises(ProviderError, match=r"no Luma API key: set LUMAAI_API_KEY \(or LUMA_API_KEY\)"):
        LumaProvider()


def test_the_key_and_base_url_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("LUMAAI_API_KEY", raising=False)
    monkeypatch.setenv("LUMA_API_KEY", "from-env")
    monkeypatch.setenv("LUMAAI_BASE_URL", "http://elsewhere.test/v9/")
    transport, seen = answering(httpx.Response(200, json={"credit_balance": 12.5}))

    async def main():
        async with LumaProvider(transport=transport) as provider:
            return await provider.client.credits()
    assert asyncio.run(main()) == 12.5
    assert str(seen[0].url) == "http://elsewhere.test/v9/credits"
    assert seen[0].headers["authorization"] == "Bearer from-env"


def test_the_provider_reads_its_failed_status_in_its_own_words():
    provider = LumaProvider(api_key="k", base_url="http://luma.test/v1")
    error = provider.failure(JobStatus("failed", failure_reason="Frame moderation failed"), shot_id="intro",
                             job_id="g1")
    assert error.kind is FailureKind.REFUSED and not error.retryable and "use another image" in str(error)
    assert str(error) == str(failure_error("Frame moderation failed", shot_id="intro", job_id="g1"))
    asyncio.run(provider.close())


def test_polling_through_the_engine_starts_short_and_grows_to_a_cap():
    states = ["queued"] * 3 + ["dreaming"] * 150 + ["completed"]
    answers = [httpx.Response(200, json={**GENERATION, "state": s}) for s in states]
    transport, seen = answering(*answers)
    sleeps: list[float] = []

    async def fake_sleep(seconds):  # the clock moves only when the poller sleeps
        sleeps.append(seconds)

    async def main():
        async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
            return await until_done(provider, "0000-gen", clock=lambda: sum(sleeps), sleep=fake_sleep,
                                    timeout_s=1e6)
    assert asyncio.run(main()).state == "completed"
    assert len(sleeps) == len(seen) - 1 == len(states) - 1
    assert sleeps[0] == MIN_S and sleeps == sorted(sleeps) and sleeps[-1] == MAX_S


def test_a_server_without_credits_has_no_balance_rather_than_an_error():
    for answer, expected in ((refused(404, "Not Found"), None), (httpx.Response(200, json={"credit_balance": 1250}),
                                                                 12.5)):
        transport, seen = answering(answer)

        async def main(transport=transport):
            async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
                return await provider.balance_usd()
        assert asyncio.run(main()) == expected
        assert [r.url.path for r in seen] == ["/v1/credits"]
    transport, _ = answering(refused(401, "Invalid API key is provided"))

    async def refused_key():
        async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
            return await provider.balance_usd()
    with pytest.raises(ProviderError, match="the API key was refused"):
        asyncio.run(refused_key())


def test_a_timed_out_create_adopts_the_generation_it_made_instead_of_paying_again():
    made = {**GENERATION, "id": "made-by-the-lost-attempt", "created_at": "2999-01-01T00:00:00.000000Z",
            "request": {**request_body(SHOT), "callback_url": None}}
    other = {**made, "id": "someone-elses", "request": {**made["request"], "prompt": "another shot"}}
    listing = {"generations": [other, made], "has_more": False, "count": 2, "limit": 100, "offset": 0}

    def timeout(request):
        raise httpx.ReadTimeout("no answer", request=request)
    job_id, seen = submit_with(timeout, httpx.Response(200, json=listing))
    assert job_id == "made-by-the-lost-attempt"
    assert [r.method for r in seen] == ["POST", "GET"]


def test_a_timed_out_create_that_made_nothing_is_created_again():
    empty = {"generations": [], "has_more": False, "count": 0, "limit": 100, "offset": 0}

    def timeout(request):
        raise httpx.ReadTimeout("no answer", request=request)
    job_id, seen = submit_with(timeout, httpx.Response(200, json=empty), httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen" and [r.method for r in seen] == ["POST", "GET", "POST"]


def test_an_old_identical_generation_is_not_adopted_for_a_new_create():
    old = {**GENERATION, "id": "yesterdays", "created_at": "2020-01-01T00:00:00Z",
           "request": request_body(SHOT)}
    listing = {"generations": [old], "has_more": False, "count": 1, "limit": 100, "offset": 0}

    def timeout(request):
        raise httpx.ReadTimeout("no answer", request=request)
    job_id, seen = submit_with(timeout, httpx.Response(200, json=listing), httpx.Response(201, json=GENERATION))
    assert job_id == "0000-gen"


def test_find_copes_with_naive_times_on_either_side():
    made = {**GENERATION, "id": "naive", "created_at": "2999-01-01T00:00:00", "request": request_body(SHOT)}
    transport, _ = answering(httpx.Response(200, json={"generations": [made], "has_more": False}))

    async def main():
        async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
            return await provider.find_existing(SHOT, since=dt.datetime(2000, 1, 1))
    assert asyncio.run(main()) == "naive"


def test_find_reads_on_when_the_list_is_oldest_first_and_stops_early_when_newest_first():
    def generation(gid, year, prompt="other"):
        return {**GENERATION, "id": gid, "created_at": f"{year}-01-01T00:00:00Z",
                "request": {**request_body(SHOT), "prompt": prompt}}
    old = [generation("a", 2001), generation("b", 2002)]
    oldest_first = [{"generations": old, "has_more": True},
                    {"generations": [generation("c", 2999, SHOT.prompt)], "has_more": False}]
    newest_first = [{"generations": old[::-1], "has_more": True}, {"generations": [], "has_more": False}]

    for pages, expected, requests in ((oldest_first, "c", 2), (newest_first, None, 1)):
        transport, seen = answering(*(httpx.Response(200, json=page) for page in pages))

        async def main(transport=transport):
            async with LumaProvider(api_key="k", base_url="http://luma.test/v1", transport=transport) as provider:
                return await provider.find_existing(SHOT, since=dt.datetime(2500, 1, 1, tzinfo=dt.UTC))
        assert asyncio.run(main()) == expected
        assert [r.url.params["offset"] for r in seen] == ["0", "100"][:requests]
