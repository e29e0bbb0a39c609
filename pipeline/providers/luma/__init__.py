"""The `luma` provider: Luma's Dream Machine API v1 (Ray 2). The HTTP details, retries and never-pay-twice live
in client; pure request building in request; what Luma's errors mean in errors."""

from .client import CREATE_PATH, LEGACY_CREATE_PATH, LumaClient, RetryPolicy
from .errors import PERMANENT_FAILURES, failure_error, is_permanent_failure
from .provider import CAPABILITIES, LumaProvider, to_status
from .request import KeyframeURLError, keyframe_url

__all__ = [
    "CAPABILITIES", "CREATE_PATH", "LEGACY_CREATE_PATH", "PERMANENT_FAILURES", "KeyframeURLError", "LumaClient",
    "LumaProvider", "RetryPolicy", "failure_error", "is_permanent_failure", "keyframe_url",
    "to_status",
]
