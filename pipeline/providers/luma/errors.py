"""What Luma's answers mean: which are worth retrying, how long to wait, and what to tell the user.

Every message names the next step. None of them may contain the API key: they are built from the status,
Luma's `detail` and the URL path only, never from request headers, and what Luma says is redacted (a
careless server may quote the key back).
"""

from __future__ import annotations

import email.utils
import time

import httpx

from ...errors import ProviderError
from ...secrets import redact
from ..base import FailureKind, GenerationFailed

RETRY_STATUSES = frozenset({408, 409, 429})
# A timeout or a dropped connection after the request went out: a create may or may not have happened.
TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Errors where the request certainly never reached Luma.
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

PERMANENT_FAILURES = {
    "contains blacklisted words":
        "Luma refused the prompt because it contains blocked words: reword the prompt",
    "failed to read user input frames":
        "Luma could not read the keyframe image(s): check that every keyframe URL is public and serves "
        "an image (open it in a private browser window)",
    "frame moderation failed":
        "Luma's moderation refused a keyframe image: use another image",
    "advanced prompt moderation failed":
        "Luma's moderation refused the prompt: reword the prompt",
}
TRANSIENT_FAILURES = ("prompt processing failed", "error dispatching job", "job failed")


class RetryableResponse(Exception):
    """An answer worth asking again for (429, 5xx, ...); carries the response for the backoff hook."""

    def __init__(self, response: httpx.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code} from {response.request.url.path}")


class RefusedResponse(Exception):
    """An answer not worth asking again for (400, 401, 404, ...); translated with context by the caller."""

    def __init__(self, response: httpx.Response):
        self.response = response
        super().__init__(f"HTTP {response.status_code} from {response.request.url.path}")


def should_retry(response: httpx.Response) -> bool:
    """Luma's `x-should-retry` header decides when present; otherwise 408, 409, 429 and 5xx are retried."""
    hint = response.headers.get("x-should-retry", "").strip().lower()
    if hint in ("true", "false"):
        return hint == "true"
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def answered(response: httpx.Response) -> httpx.Response:
    """One attempt's answer: the response when it succeeded, RetryableResponse for one worth retrying, else
    RefusedResponse (the retry loop and the error translation catch both)."""
    if response.is_success:
        return response
    if should_retry(response):
        raise RetryableResponse(response)
    raise RefusedResponse(response)


def retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, then `retry-after` in seconds or an HTTP date)."""
    if (ms := _number(headers.get("retry-after-ms"))) is not None:
        return ms / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _number(value)) is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - (time.time() if now is None else now)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def backoff_hook(max_retry_after: float):
    """A stamina `on` hook: False to give up, True for exponential backoff, or the server's wait in seconds.

    Like Luma's own SDK, a Retry-After outside (0, max_retry_after] falls back to exponential backoff.
    """
    def hook(exc: Exception) -> bool | float:
        if isinstance(exc, RetryableResponse):
            wait = retry_after(exc.response.headers)
            return wait if wait is not None and 0 < wait <= max_retry_after else True
        return isinstance(exc, TRANSPORT_ERRORS)
    return hook


def detail(response: httpx.Response) -> str:
    """Luma's `detail` message (a string, or a list of validation errors), else the start of the body;
    redacted, since this is where a server's words enter our messages."""
    return redact(_said(response))


def _said(response: httpx.Response) -> str:
    try:
        found = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:200].strip()
    if isinstance(found, list):
        return "; ".join(_validation_item(item) for item in found)
    return str(found) if found is not None else response.text[:200].strip()


def _validation_item(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
    return f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))


def response_error(response: httpx.Response, *, shot_id: str | None = None, job_id: str | None = None,
                   attempts: int = 1) -> ProviderError:
    """The ProviderError for a refused or failed answer, worded so that the user knows what to do."""
    status, said = response.status_code, detail(response)
    retryable = status in RETRY_STATUSES or status >= 500
    message = _MESSAGES.get(status) or (_server_message if status >= 500 else _generic_message)
    return ProviderError(message(said, response.request.url.path, attempts),
                         shot_id=shot_id, job_id=job_id, retryable=retryable)


def _generic_message(said: str, path: str, attempts: int) -> str:
    return f"Luma answered an unexpected error for {path}: {said}"


def _server_message(said: str, path: str, attempts: int) -> str:
    return (f"Luma's servers kept failing ({said}) after {attempts} attempt(s): "
            "resume the run later (finished shots are kept)")


_MESSAGES = {
    400: lambda said, path, n: f"Luma refused the request: {said}",
    401: lambda said, path, n: f"the API key was refused: check LUMAAI_API_KEY (Luma said: {said})",
    402: lambda said, path, n: ("the Luma account is out of credits: check the balance and add credits on "
                                f"the billing page of Luma's API dashboard (Luma said: {said})"),
    403: lambda said, path, n: ("this API key has no permission for that request: check the key's plan and "
                                f"model access in Luma's API dashboard (Luma said: {said})"),
    404: lambda said, path, n: (f"Luma has no such resource ({path}): a generation that was deleted or made "
                                f"with another API key, or a wrong LUMAAI_BASE_URL (Luma said: {said})"),
    408: _server_message,
    409: _server_message,
    422: lambda said, path, n: f"Luma refused the request as invalid: {said}",
    429: lambda said, path, n: (f"Luma's rate limit still refused the request after {n} attempt(s) "
                                "(Build tier: 10 concurrent generations, 20 creates a minute): "
                                "wait a minute, then resume the run"),
}


def transport_error(exc: Exception, base_url: str, *, shot_id: str | None = None,
                    job_id: str | None = None, attempts: int = 1) -> ProviderError:
    """The ProviderError for a connection that failed or timed out on every attempt."""
    return ProviderError(
        f"could not reach Luma at {base_url} after {attempts} attempt(s) ({type(exc).__name__}): "
        "check the network and LUMAAI_BASE_URL, then resume the run",
        shot_id=shot_id, job_id=job_id, retryable=True)


def is_permanent_failure(reason: str | None) -> bool:
    """True when a failed generation's reason means the same input will fail again (don't retry it)."""
    return _known(reason) in PERMANENT_FAILURES


def _known(reason: str | None) -> str | None:
    text = (reason or "").strip().lower()
    return next((known for known in (*PERMANENT_FAILURES, *TRANSIENT_FAILURES) if known in text), None)


def failure_error(reason: str | None, *, shot_id: str | None = None,
                  job_id: str | None = None) -> GenerationFailed:
    """The error for a generation that ended `failed`: refused when the same input will fail again, retryable
    when Luma's reason is a known transient one, unknown (and retried too) otherwise."""
    known, reason = _known(reason), redact(reason)
    if known in PERMANENT_FAILURES:
        return GenerationFailed(f"{PERMANENT_FAILURES[known]} (Luma said: {reason})", kind=FailureKind.REFUSED,
                                reason=reason, shot_id=shot_id, job_id=job_id)
    kind = FailureKind.RETRYABLE if known else FailureKind.UNKNOWN
    return GenerationFailed(f"the generation failed on Luma's side ({reason or 'no reason given'}): "
                            "this is usually transient, and the shot will be generated again",
                            kind=kind, reason=reason, shot_id=shot_id, job_id=job_id)
