"""What the `luma` provider is and can do, apart from its code (which needs an HTTP client to load)."""

from __future__ import annotations

from .. import prices
from ..capabilities import Capabilities, ImageInput, ModelCapabilities, ProviderSpec

MODELS = ("ray-2", "ray-flash-2")  # the Dream Machine API v1's video models
RESOLUTIONS = ("540p", "720p", "1080p", "4k")
DURATIONS_S = (5, 9)


def _model(name: str) -> ModelCapabilities:
    # Both frames may be generations (extend either way, interpolate); LUMA_API.md "Chaining".
    return ModelCapabilities(resolutions=RESOLUTIONS, durations_s=DURATIONS_S, extend_backward=True,
                             interpolate=True, prices=prices.per_second("luma", name))


CAPABILITIES = Capabilities(
    paid=True, remote=True, models={name: _model(name) for name in MODELS},
    images=frozenset({ImageInput.PUBLIC_URL}),  # "currently the only way to pass an image"
    lists_jobs=True,  # GET /generations, matched on the request echo
    min_poll_s=0.0,  # none published: the engine's schedule spaces the polls
    result_url_ttl_s=None,  # not published: fetch soon after completion
    concurrency=10, creates_per_minute=20,  # the Build tier's limits
    upscales=True)  # POST /generations/{id}/upscale


SPEC = ProviderSpec(name="luma", title="Luma",
                    summary="generates with Luma's Ray 2 (Dream Machine API v1) and costs money",
                    capabilities=CAPABILITIES, implementation="pipeline.providers.luma.provider:LumaProvider")
