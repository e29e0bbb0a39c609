"""What the `crazyrouter` provider is and can do (LUMA_API.md, "Gateways and hosts"; docs.crazyrouter.com)."""

from __future__ import annotations

from .. import prices
from ..capabilities import Capabilities, ImageInput, ModelCapabilities, ProviderSpec

MODEL_IDS = {"ray-2": "ray-v2"}  # the storyboard's model -> the route's `model_name`

# The route documents 540p, 720p and 1080p, a start and an end image, and extension by task id (with an end
# image too); it has no aspect ratio, loop or concept field, so Luma's default 16:9 is what comes back.
RAY_2 = ModelCapabilities(resolutions=("540p", "720p", "1080p"), durations_s=(5, 9), aspect_ratios=("16:9",),
                          end_frame=True, loop=False, concepts=False, extend_forward=True, extend_backward=False,
                          interpolate=False, prices=prices.per_second("crazyrouter", "ray-2"))
CAPABILITIES = Capabilities(
    paid=True, remote=True, models={"ray-2": RAY_2},
    images=frozenset({ImageInput.INLINE, ImageInput.PUBLIC_URL}),  # "URL or base64": local files go inline
    lists_jobs=False,  # no list endpoint is documented: an ambiguous create fails closed
    result_url_ttl_s=None,  # not published: fetch soon after completion
    concurrency=4, creates_per_minute=None)  # no limits published: a modest default

SPEC = ProviderSpec(name="crazyrouter", title="Crazyrouter",
                    summary="generates with Ray 2 through Crazyrouter's Luma route and costs money",
                    capabilities=CAPABILITIES,
                    implementation="pipeline.providers.crazyrouter.provider:CrazyrouterProvider")
