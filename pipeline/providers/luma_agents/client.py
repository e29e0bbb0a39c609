"""A thin async client for Luma's Agents API: generations (create, get) and files (create, upload, complete).

Transient failures are retried as for the v1 API, by the same piece (pipeline.providers.luma.calls: the
policy, the Retry-After rules, the translation into this API's words). A create is different: this API has no
idempotency key and no list of generations, so a create whose outcome is unknown (a timeout or a dropped
connection after the request went out, or a 500/502/504) cannot be resolved and is never sent again: it fails
closed with MayExist.
"""

from __future__ import annotations

import logging
import os

import httpx

from ...errors import ProviderError
from ...secrets import remember
from ..auth import BearerAuth
from ..base import MayExist
from ..luma import errors as transport
from ..luma.calls import FAILURES, Calls, RetryPolicy, checked_base_url
from ..luma.client import AMBIGUOUS_STATUSES
from . import errors as errs

log = logging.getLogger("pipeline.luma_agents")

DEFAULT_BASE_URL = "https://agents.lumalabs.ai/v1"


def api_key_from_env() -> str | None:
    return os.environ.get(errs.KEY_ENV) or None


def base_url_from_env() -> str:
    return os.environ.get(errs.BASE_ENV) or DEFAULT_BASE_URL


class AgentsClient:
    """The Agents API over httpx. Presigned uploads go through a second client that never carries the key."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, retry: RetryPolicy | None = None,
                 timeout: httpx.Timeout | float | None = None):
        key = api_key or api_key_from_env()
        if not key:
            raise ProviderError(f"no Luma Agents API key: set {errs.KEY_ENV} to a key from Luma's API dashboard "
                                "(platform.lumalabs.ai)")
        remember(key)  # from now on redact() hides it from every message, log line and file
        self.base_url = checked_base_url(base_url or base_url_from_env(), env=errs.BASE_ENV, default=DEFAULT_BASE_URL,
                                         api="Luma's Agents API", example="http://127.0.0.1:8800/agents/v1")
        self.retry = retry or RetryPolicy()
        timeout = timeout if timeout is not None else httpx.Timeout(60.0, connect=5.0)
        self._http = httpx.AsyncClient(base_url=self.base_url, auth=BearerAuth(key), transport=transport,
                                       timeout=timeout, headers={"Accept": "application/json"})
        self._uploads = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(300.0, connect=10.0))
        self.calls = Calls(self._http, self.retry, self.base_url, response_error=errs.response_error,
                           transport_error=errs.transport_error)

    def __repr__(self) -> str:
        return f"<AgentsClient {self.base_url}>"

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._uploads.aclose()

    # --- generations ---------------------------------------------------------------------------------

    async def get(self, generation_id: str, *, shot_id: str | None = None) -> dict:
        """The generation; asked twice as patiently as other calls: a GET is free and cannot pay twice, and a
        poll that gives up stops its shot."""
        return (await self.calls.call("GET", f"/generations/{generation_id}", shot_id=shot_id,
                                      job_id=generation_id, attempts=2 * self.retry.attempts)).json()

    async def create(self, body: dict, *, shot_id: str | None = None) -> dict:
        """POST a generation. Retried only while no generation can have been made (429, 503, a refused
        connection); an unknown outcome raises MayExist at once."""
        try:
            async for attempt in self.calls.retrying():
                with attempt:
                    try:
                        return (await self.calls.send("POST", "/generations", json=body)).json()
                    except (transport.RetryableResponse, *transport.TRANSPORT_ERRORS) as exc:
                        if _is_ambiguous(exc):
                            raise _ambiguous(exc, shot_id) from exc
                        raise
        except FAILURES as exc:
            raise self.calls.translate(exc, shot_id=shot_id, job_id=None) from exc
        raise AssertionError("unreachable: the retry loop returns or raises")

    # --- files ---------------------------------------------------------------------------------------

    async def create_file(self, *, mime_type: str, size_bytes: int, filename: str,
                          shot_id: str | None = None) -> dict:
        body = {"mime_type": mime_type, "size_bytes": size_bytes, "filename": filename, "purpose": "input"}
        return (await self.calls.call("POST", "/files", json=body, shot_id=shot_id)).json()

    async def put_upload(self, upload: dict, data: bytes, *, shot_id: str | None = None) -> None:
        """PUT the bytes to a presigned URL (no API key: the URL's signature is the permission)."""
        try:
            async for attempt in self.calls.retrying():
                with attempt:
                    transport.answered(await self._uploads.request(upload.get("method") or "PUT", upload["url"],
                                                                   content=data, headers=upload.get("headers") or {}))
        except FAILURES as exc:
            raise self.calls.translate(exc, shot_id=shot_id, job_id=None) from exc

    async def complete_file(self, file_id: str, *, shot_id: str | None = None) -> dict:
        return (await self.calls.call("POST", f"/files/{file_id}/complete", shot_id=shot_id)).json()

    async def get_file(self, file_id: str, *, shot_id: str | None = None) -> dict:
        return (await self.calls.call("GET", f"/files/{file_id}", shot_id=shot_id)).json()


def _is_ambiguous(exc: Exception) -> bool:
    if isinstance(exc, transport.RetryableResponse):
        return exc.response.status_code in AMBIGUOUS_STATUSES
    return not isinstance(exc, transport.UNSENT_ERRORS)


def _ambiguous(exc: Exception, shot_id: str | None) -> MayExist:
    what = (f"HTTP {exc.response.status_code}" if isinstance(exc, transport.RetryableResponse)
            else type(exc).__name__)
    log.warning("create for shot %s: outcome unknown (%s); not sent again", shot_id, what)
    return MayExist(
        f"the create reached Luma but its answer was lost ({what}): the generation may exist, and may be "
        "charged. Luma's Agents API cannot list generations, so nothing is created again by itself: check "
        "the generations in Luma's dashboard (platform.lumalabs.ai); if none was made for this shot, "
        "`pipeline forget` it and run again", shot_id=shot_id, retryable=False)
