"""What the Agents API's answers mean: failure codes to retry or refuse, and HTTP errors worded for the user.

The transport rules (which statuses to retry, Retry-After, `x-should-retry`, reading `detail`) are the v1
API's, shared from pipeline.providers.luma.errors; the messages differ in the settings they name.
"""

from __future__ import annotations

import httpx

from ...errors import ProviderError
from ...secrets import redact
from ..base import FailureKind, GenerationFailed
from ..luma.errors import RETRY_STATUSES, detail

KEY_ENV, BASE_ENV = "LUMA_AGENTS_API_KEY", "LUMA_BASE_URL"
OUT_OF_CREDIT = ("the Luma account is out of credit: add credit on the billing page of Luma's API dashboard "
                 "(platform.lumalabs.ai), then resume the run (finished shots are kept)")

# failure_code -> what to tell the user; these fail again with the same input: never retried.
REFUSED = {
    "content_moderated": "Luma's moderation refused the prompt or a keyframe: reword the prompt or use another image",
    "image_too_large": "Luma refused a keyframe image as too large: use a smaller image",
    "unsupported_format": "Luma cannot read the keyframe image's format: use a PNG, JPEG or WebP image",
    "corrupt_input": "Luma could not decode a keyframe image: check the file opens, or export it again",
    "invalid_request": "Luma refused the request as invalid: check the shot's settings",
    "budget_exhausted": OUT_OF_CREDIT,
}
RETRYABLE = ("generation_failed", "rate_limited", "output_not_found")


def failure_error(code: str | None, reason: str | None, *, shot_id: str | None = None,
                  job_id: str | None = None) -> GenerationFailed:
    """The error for a generation that ended `failed`, by its failure_code; an unknown code is retried (a
    failed generation is refunded, and the engine bounds the tries)."""
    reason = redact(reason)
    said = f" (Luma said: {code}{': ' + reason if reason else ''})" if code or reason else ""
    if code in REFUSED:
        return GenerationFailed(REFUSED[code] + said, kind=FailureKind.REFUSED, reason=code, shot_id=shot_id,
                                job_id=job_id)
    kind = FailureKind.RETRYABLE if code in RETRYABLE else FailureKind.UNKNOWN
    return GenerationFailed(f"the generation failed on Luma's side{said or ' (no reason given)'}: this is "
                            "usually transient, and the shot will be generated again", kind=kind,
                            reason=code or reason, shot_id=shot_id, job_id=job_id)


def response_error(response: httpx.Response, *, shot_id: str | None = None, job_id: str | None = None,
                   attempts: int = 1) -> ProviderError:
    """The ProviderError for a refused or failed answer, worded so that the user knows what to do."""
    status, said, path = response.status_code, detail(response), response.request.url.path
    retryable = status in RETRY_STATUSES or status >= 500
    message = {
        400: f"Luma refused the request: {said}",
        401: f"the API key was refused: check {KEY_ENV} (Luma said: {said})",
        402: f"{OUT_OF_CREDIT} (Luma said: {said})",
        403: f"this API key has no permission for that request: check its access in Luma's dashboard "
             f"(Luma said: {said})",
        404: f"Luma has no such resource ({path}): deleted, made with another API key, or a wrong {BASE_ENV} "
             f"(Luma said: {said})",
        422: f"Luma refused the request as invalid: {said}",
        429: f"Luma's rate limit still refused the request after {attempts} attempt(s) ({said}): wait a "
             "minute, then resume the run",
    }.get(status) or (f"Luma's servers kept failing ({said}) after {attempts} attempt(s): resume the run later "
                      "(finished shots are kept)" if status >= 500 else f"Luma answered an unexpected error "
                      f"for {path}: {said}")
    return ProviderError(message, shot_id=shot_id, job_id=job_id, retryable=retryable)


def transport_error(exc: Exception, base_url: str, *, shot_id: str | None = None, job_id: str | None = None,
                    attempts: int = 1) -> ProviderError:
    return ProviderError(f"could not reach Luma at {base_url} after {attempts} attempt(s) "
                         f"({type(exc).__name__}): check the network and {BASE_ENV}, then resume the run",
                         shot_id=shot_id, job_id=job_id, retryable=True)
