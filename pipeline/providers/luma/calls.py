"""One way to send a request to a Luma API (Dream Machine v1 or Agents): the retry loop, one attempt's answer,
and what is left of a failure translated into a ProviderError that names the next step.

    calls = Calls(http, RetryPolicy(), base_url, response_error=errs.response_error,
                  transport_error=errs.transport_error)
    generation = (await calls.call("GET", f"/generations/{id}", shot_id=shot_id, job_id=id)).json()

Each API keeps its own words (its errors module); a create, which must never be paid twice, drives
`retrying()` and `send()` itself and decides what an unknown outcome means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import stamina

from ...errors import ProviderError
from . import errors as errs

# What the retry loop leaves behind when it gives up: translated by `translate`.
FAILURES = (errs.RetryableResponse, errs.RefusedResponse, *errs.TRANSPORT_ERRORS)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry one request: attempts include the first; timeout_s caps the time, waits included."""

    attempts: int = 5
    timeout_s: float = 120.0
    wait_initial_s: float = 0.5
    wait_max_s: float = 8.0
    wait_jitter_s: float = 0.5
    max_retry_after_s: float = 60.0  # a longer Retry-After falls back to exponential backoff, as in the SDK

    def loop(self, attempts: int | None = None):
        """stamina's retry loop under this policy (Retry-After honoured up to its cap); `attempts` overrides."""
        return stamina.retry_context(
            on=errs.backoff_hook(self.max_retry_after_s), attempts=attempts or self.attempts,
            timeout=self.timeout_s, wait_initial=self.wait_initial_s, wait_max=self.wait_max_s,
            wait_jitter=self.wait_jitter_s)


@dataclass(frozen=True)
class Calls:
    """An API's requests over one httpx client, retried by `retry`, failures in that API's words."""

    http: httpx.AsyncClient
    retry: RetryPolicy
    base_url: str
    response_error: Callable[..., ProviderError]  # (response, *, shot_id, job_id, attempts)
    transport_error: Callable[..., ProviderError]  # (exc, base_url, *, shot_id, job_id, attempts)

    def retrying(self, attempts: int | None = None):
        return self.retry.loop(attempts)

    async def call(self, method: str, path: str, *, shot_id: str | None = None, job_id: str | None = None,
                   attempts: int | None = None, **kwargs) -> httpx.Response:
        """Send with retries; translate what is left into a ProviderError the user can act on."""
        try:
            async for attempt in self.retrying(attempts):
                with attempt:
                    return await self.send(method, path, **kwargs)
        except FAILURES as exc:
            raise self.translate(exc, shot_id=shot_id, job_id=job_id, attempts=attempts) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")

    async def send(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One attempt: the response when it succeeded, else RetryableResponse or RefusedResponse."""
        return errs.answered(await self.http.request(method, path, **kwargs))

    def translate(self, exc: Exception, *, shot_id: str | None, job_id: str | None,
                  attempts: int | None = None) -> ProviderError:
        attempts = attempts or self.retry.attempts
        if isinstance(exc, errs.RetryableResponse | errs.RefusedResponse):
            return self.response_error(exc.response, shot_id=shot_id, job_id=job_id, attempts=attempts)
        return self.transport_error(exc, self.base_url, shot_id=shot_id, job_id=job_id, attempts=attempts)


def checked_base_url(url: str, *, env: str, default: str, example: str, api: str) -> str:
    """The API's address without a trailing slash; a ProviderError before any request if it is no http(s) URL."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ProviderError(f"{env} `{url}` is not an http(s) URL: unset it to use {api} ({default}), or give "
                            f"the fake server's, e.g. {example}")
    return url.strip().rstrip("/")
