"""HTTP for the job APIs of hosts that cannot list their jobs (the gateways): retries that never pay twice.

A status poll or a download is retried like any idempotent request. A create is different: with no idempotency
key and no list endpoint, a create whose outcome is unknown (the connection dropped or timed out after the
request went out, or a 500/502/504 that may come from behind the point where the job was accepted) cannot be
checked, so it is never sent again: it fails closed (`MayExist`) and the user is told how to look. Only answers
that say the job was not taken (429, 503, 408, a connection never made) are retried; any other refusal is a
`NotCreated`, so the engine knows that nothing was made or charged.

    client = JobClient(AIGATEWAY, api_key=None, base_url=None)   # the key and base from the service's variables
    answer = await client.create("/videos/generations", body, shot_id="s1")   # dict, or raises
    response = await client.get("/jobs/ID", shot_id="s1", job_id="ID")      # httpx.Response (304 included)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

from ..errors import ProviderError
from ..secrets import redact, remember
from .auth import BearerAuth
from .base import MayExist, NotCreated
from .luma.calls import RetryPolicy, checked_base_url
from .luma.errors import TRANSPORT_ERRORS, UNSENT_ERRORS, RefusedResponse, RetryableResponse

# Answers to a create that say the job was not taken: worth sending again.
NOT_TAKEN = frozenset({408, 429, 503})
RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class Service:
    """One host's words and variables, for requests and for messages."""

    title: str  # "AIgateway"
    key_variable: str  # where the API key is read from
    base_variable: str  # where a base URL override is read from (e.g. the fake server's)
    default_base_url: str
    fake_prefix: str  # where the fake server speaks this dialect, for the hint of a bad base URL
    credit: str  # what to do when the account is out of credit

    def key(self) -> str | None:
        return os.environ.get(self.key_variable) or None

    def base_url(self) -> str:
        return os.environ.get(self.base_variable) or self.default_base_url


class OutOfCredit(NotCreated):
    """A create refused with 402: the account cannot pay, so no later create of the run is worth sending."""


class JobClient:
    """JSON over httpx with the service's key; `create` never repeats a create that may have been taken."""

    def __init__(self, service: Service, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, retry: RetryPolicy | None = None,
                 timeout: httpx.Timeout | float | None = None):
        key = api_key or service.key()
        if not key:
            raise ProviderError(f"no {service.title} API key: set {service.key_variable} to a key from "
                                f"{service.title}'s dashboard")
        remember(key)  # from now on redact() hides it from every message, log line and file
        self.service = service
        self.base_url = checked_base_url(base_url or service.base_url(), env=service.base_variable,
                                         default=service.default_base_url, api=service.title,
                                         example=f"http://127.0.0.1:8800{service.fake_prefix}")
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=self.base_url, auth=BearerAuth(key), transport=transport,
            timeout=timeout if timeout is not None else httpx.Timeout(60.0, connect=5.0),
            headers={"Accept": "application/json"})

    @property
    def rehearsal(self) -> bool:
        return self.base_url != self.service.default_base_url.rstrip("/")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create(self, path: str, body: dict, *, shot_id: str | None = None) -> dict:
        """POST a job; retried only while the answer says it was not taken. MayExist when it may have been."""
        try:
            async for attempt in self._retrying():
                with attempt:
                    try:
                        response = await self._http.post(path, json=body)
                    except UNSENT_ERRORS:
                        raise  # never reached the host: safe to send again
                    except TRANSPORT_ERRORS as exc:
                        raise self._may_exist(f"the connection failed ({type(exc).__name__})", shot_id) from exc
                    if response.is_success:
                        return _json(response, self.service, shot_id)
                    if response.status_code in NOT_TAKEN:
                        raise RetryableResponse(response)
                    if response.status_code >= 500:
                        raise self._may_exist(f"HTTP {response.status_code}", shot_id)
                    raise RefusedResponse(response)
        except (RetryableResponse, RefusedResponse) as exc:
            raise self.refusal(exc.response, shot_id=shot_id, job_id=None, create=True) from exc
        except UNSENT_ERRORS as exc:
            raise NotCreated(self._unreachable(exc), shot_id=shot_id, retryable=True) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")

    async def get(self, path: str, *, shot_id: str | None = None, job_id: str | None = None) -> httpx.Response:
        """GET with retries; a 2xx or 304 answer is returned, anything else raises a ProviderError."""
        try:
            async for attempt in self._retrying():
                with attempt:
                    response = await self._http.get(path)
                    if response.is_success or response.status_code == 304:
                        return response
                    if response.status_code in RETRY_STATUSES or response.status_code >= 500:
                        raise RetryableResponse(response)
                    raise RefusedResponse(response)
        except (RetryableResponse, RefusedResponse) as exc:
            raise self.refusal(exc.response, shot_id=shot_id, job_id=job_id, create=False) from exc
        except TRANSPORT_ERRORS as exc:
            raise ProviderError(self._unreachable(exc), shot_id=shot_id, job_id=job_id, retryable=True) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")

    def _retrying(self):
        return self.retry.loop()

    def _may_exist(self, what: str, shot_id: str | None) -> MayExist:
        return MayExist(f"the create was sent and its answer lost ({what}); {self.service.title} cannot list its "
                        "jobs, so it was not sent again: the job may exist and be charged (check the jobs page of "
                        f"{self.service.title}'s dashboard); run again to be told how to go on", shot_id=shot_id)

    def _unreachable(self, exc: Exception) -> str:
        return (f"could not reach {self.service.title} at {self.base_url} after {self.retry.attempts} attempt(s) "
                f"({type(exc).__name__}): check the network and {self.service.base_variable}, then resume the run")

    def refusal(self, response: httpx.Response, *, shot_id: str | None, job_id: str | None,
                create: bool) -> ProviderError:
        """The error for an answer that is not a success, worded with the next step."""
        status, said, title = response.status_code, said_by(response), self.service.title
        messages = {
            401: f"{title} refused the API key: check {self.service.key_variable} ({title} said: {said})",
            402: f"the {title} account is out of credit: {self.service.credit}, then run again ({title} said: {said})",
            403: f"{title} refused this key the request: check the key's permissions ({title} said: {said})",
            404: (f"{title} has no such job or endpoint ({response.request.url.path}): a job made with another key, "
                  f"or a wrong {self.service.base_variable} ({title} said: {said})"),
            429: (f"{title}'s rate limit still refused the request after {self.retry.attempts} attempt(s): wait a "
                  "minute, then resume the run"),
        }
        message = messages.get(status) or (
            f"{title}'s servers kept failing ({said}) after {self.retry.attempts} attempt(s): resume the run later "
            "(finished shots are kept)" if status >= 500 else f"{title} refused the request (HTTP {status}): {said}")
        retryable = status in RETRY_STATUSES or status >= 500
        kind = (OutOfCredit if status == 402 else NotCreated) if create else ProviderError
        return kind(message, shot_id=shot_id, job_id=job_id, retryable=retryable)


def said_by(response: httpx.Response) -> str:
    """What the host said: `error.message` (and its code), `detail` or `message`, else the body's start;
    redacted, since this is where a server's words enter our messages."""
    try:
        body = response.json()
    except ValueError:
        return redact(response.text[:200].strip())
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code") or error.get("type")
        text = f"{code}: {error.get('message', '')}" if code else str(error.get("message", ""))
    elif isinstance(body, dict):
        text = str(body.get("detail") or body.get("message") or error or body)[:300]
    else:
        text = str(body)[:300]
    return redact(text.strip())


def _json(response: httpx.Response, service: Service, shot_id: str | None) -> dict:
    """The answer to an accepted create; a job whose answer cannot be read may exist all the same."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise MayExist(f"{service.title} accepted the create (HTTP {response.status_code}) but its answer is not "
                       "a job; the job may exist: check the jobs page of its dashboard", shot_id=shot_id)
    return answer
