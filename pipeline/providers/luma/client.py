"""A thin async client for Luma's Dream Machine API v1, with retries that never pay twice for one create.

Transient failures (408, 409, 429, 5xx, timeouts, dropped connections) are retried by stamina, honouring
`retry-after-ms` / `Retry-After` and `x-should-retry`. A create is different: Luma has no idempotency key, so
when a create's outcome is unknown (a timeout or a dropped connection after the request went out, or a 5xx
from a gateway), the client lists recent generations and adopts the one whose request echo matches before it
dares to create again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Collection

import httpx

from ...errors import ProviderError
from ...secrets import remember
from ..auth import BearerAuth
from . import errors as errs
from .calls import FAILURES, Calls, RetryPolicy, checked_base_url
from .request import matches

log = logging.getLogger("pipeline.luma")

DEFAULT_BASE_URL = "https://api.lumalabs.ai/dream-machine/v1"
CREATE_PATH = "/generations/video"
LEGACY_CREATE_PATH = "/generations"
AMBIGUOUS_STATUSES = frozenset({500, 502, 504})  # a gateway may have passed the create on before failing
UNSUPPORTED_STATUSES = frozenset({404, 405, 501})  # e.g. a gateway or an older server without /credits


def api_key_from_env() -> str | None:
    return os.environ.get("LUMAAI_API_KEY") or os.environ.get("LUMA_API_KEY") or None


def base_url_from_env() -> str:
    return os.environ.get("LUMAAI_BASE_URL") or DEFAULT_BASE_URL


class LumaClient:
    """Dream Machine API v1 over httpx: create, get, list, delete, concepts, credits, ping."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, create_path: str = CREATE_PATH,
                 retry: RetryPolicy | None = None, timeout: httpx.Timeout | float | None = None):
        key = api_key or api_key_from_env()
        if not key:
            raise ProviderError("no Luma API key: set LUMAAI_API_KEY (or LUMA_API_KEY) to a key from "
                                "Luma's API dashboard")
        remember(key)  # from now on redact() hides it from every message, log line and file
        self.base_url = checked_base_url(base_url or base_url_from_env(), env="LUMAAI_BASE_URL",
                                         default=DEFAULT_BASE_URL, api="Luma's API",
                                         example="http://127.0.0.1:8800/dream-machine/v1")
        self.create_path = create_path
        self.retry = retry or RetryPolicy()
        self.owned: set[str] = set()  # ids this client created: never adopted for another request
        self._http = httpx.AsyncClient(
            base_url=self.base_url, auth=BearerAuth(key), transport=transport,
            timeout=timeout if timeout is not None else httpx.Timeout(60.0, connect=5.0),
            headers={"Accept": "application/json"})
        self.calls = Calls(self._http, self.retry, self.base_url, response_error=errs.response_error,
                           transport_error=errs.transport_error)

    def __repr__(self) -> str:
        return f"<LumaClient {self.base_url}>"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> LumaClient:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    # --- the endpoints -------------------------------------------------------------------------------

    async def get(self, generation_id: str, *, shot_id: str | None = None) -> dict:
        return (await self.calls.call("GET", f"/generations/{generation_id}", shot_id=shot_id,
                                      job_id=generation_id)).json()

    async def list(self, *, limit: int = 100, offset: int = 0) -> dict:
        params = {"limit": limit, "offset": offset}
        return (await self.calls.call("GET", "/generations", params=params)).json()

    async def delete(self, generation_id: str) -> None:
        await self.calls.call("DELETE", f"/generations/{generation_id}", job_id=generation_id)

    async def concepts(self) -> list[str]:
        return (await self.calls.call("GET", "/generations/concepts/list")).json()

    async def credits(self) -> float:
        return (await self.calls.call("GET", "/credits")).json()["credit_balance"]

    async def balance_usd(self) -> float | None:
        """The balance in USD (/credits answers USD cents); None where this server has no /credits or
        answers no number there. Other errors (a refused key, servers down) raise as for any call."""
        try:
            answer = (await self.calls.call("GET", "/credits")).json()
        except ProviderError as exc:
            cause = exc.__cause__
            if isinstance(cause, errs.RefusedResponse) and cause.response.status_code in UNSUPPORTED_STATUSES:
                return None
            raise
        except ValueError:  # not JSON
            return None
        cents = answer.get("credit_balance") if isinstance(answer, dict) else None
        return cents / 100 if isinstance(cents, int | float) and not isinstance(cents, bool) else None

    async def ping(self) -> dict:
        return (await self.calls.call("GET", "/ping")).json()

    async def create(self, body: dict, *, shot_id: str | None = None) -> dict:
        """POST a generation; on an unknown outcome adopt the matching generation instead of paying twice."""
        since = dt.datetime.now(dt.UTC)
        ambiguous = False
        try:
            async for attempt in self.calls.retrying():
                with attempt:
                    if ambiguous and (found := await self.find(body, since=since)):
                        return self._own(found)
                    try:
                        return self._own((await self.calls.send("POST", self.create_path, json=body)).json())
                    except Exception as exc:
                        ambiguous = ambiguous or _is_ambiguous(exc)
                        raise
        except FAILURES as exc:
            if ambiguous and (found := await self.find(body, since=since)):
                return self._own(found)
            if isinstance(exc, errs.RefusedResponse) and exc.response.status_code in (404, 405):
                raise ProviderError(
                    f"Luma's create endpoint {self.create_path} does not answer (HTTP "
                    f"{exc.response.status_code}): try the other create path ('{LEGACY_CREATE_PATH}' or "
                    f"'{CREATE_PATH}') or check LUMAAI_BASE_URL", shot_id=shot_id) from exc
            raise self.calls.translate(exc, shot_id=shot_id, job_id=None) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")

    async def upscale(self, generation_id: str, resolution: str, *, shot_id: str | None = None) -> dict:
        """POST an upscale of a completed generation to `resolution`: a new generation, paid for like one. Sent
        once, never retried (an answer lost on the way could be paid twice; the caller decides)."""
        body = {"generation_type": "upscale_video", "resolution": resolution}
        try:
            answer = await self.calls.send("POST", f"/generations/{generation_id}/upscale", json=body)
        except FAILURES as exc:
            raise self.calls.translate(exc, shot_id=shot_id, job_id=generation_id) from exc
        return self._own(answer.json())

    def _own(self, generation: dict) -> dict:
        self.owned.add(generation["id"])
        return generation

    async def find(self, body: dict, *, since: dt.datetime | None = None, pages: int = 5,
                   skew_s: float = 60.0, exclude: Collection[str] = ()) -> dict | None:
        """The newest generation not failed, not already owned, made from `body`, created after `since`.

        `skew_s` allows for the difference between this machine's clock and Luma's. Order of the list is
        unconfirmed, so pages are read until they are all older than `since` (newest first) or run out.
        """
        cutoff = _utc(since) - dt.timedelta(seconds=skew_s) if since else None
        for page in range(pages):
            answer = await self.list(limit=100, offset=page * 100)
            found, all_older = _scan(answer.get("generations") or [], body, cutoff, self.owned | set(exclude))
            if found:
                log.info("adopted generation %s for an ambiguous create", found["id"])
                return found
            if not answer.get("has_more") or (all_older and _newest_first(answer)):
                return None
        return None

def _is_ambiguous(exc: Exception) -> bool:
    if isinstance(exc, errs.RetryableResponse):
        return exc.response.status_code in AMBIGUOUS_STATUSES
    return isinstance(exc, errs.TRANSPORT_ERRORS) and not isinstance(exc, errs.UNSENT_ERRORS)


def _created(generation: dict) -> dt.datetime | None:
    try:
        return _utc(dt.datetime.fromisoformat(generation["created_at"].replace("Z", "+00:00")))
    except (KeyError, AttributeError, ValueError):
        return None


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware in UTC; a naive time is taken to be UTC already (Luma's timestamps are)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _scan(generations: list[dict], body: dict, cutoff: dt.datetime | None,
          owned: set[str]) -> tuple[dict | None, bool]:
    """(the first match on this page, whether every generation on it is older than the cutoff)."""
    all_older = True
    for generation in generations:
        created = _created(generation)
        if cutoff and created and created < cutoff:
            continue
        all_older = False
        if (generation.get("state") != "failed" and generation.get("id") not in owned
                and matches(body, generation)):
            return generation, False
    return None, all_older


def _newest_first(answer: dict) -> bool:
    stamps = [s for s in map(_created, answer.get("generations") or []) if s]
    return len(stamps) < 2 or stamps[0] >= stamps[-1]
