"""The `luma` provider: Luma's Dream Machine API v1 (Ray 2). What it can do is in spec (light, read by
validation and planning); the HTTP details and never-pay-twice in client; the retry loop and the error
translation that both Luma clients (v1 and Agents) share in calls; pure request building in request; what
Luma's errors mean in errors; the seam in provider.

The names below are loaded on first use, so that `import pipeline.providers.luma.spec` costs no HTTP client.
"""

import importlib

_WHERE = {
    "CREATE_PATH": "client", "LEGACY_CREATE_PATH": "client", "LumaClient": "client", "RetryPolicy": "calls",
    "PERMANENT_FAILURES": "errors", "failure_error": "errors", "is_permanent_failure": "errors",
    "LumaProvider": "provider", "to_status": "provider", "KeyframeURLError": "request", "keyframe_url": "request",
    "CAPABILITIES": "spec",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
