"""What the `aigateway` provider is and can do (LUMA_API.md, "Gateways and hosts that resell Ray 2")."""

from __future__ import annotations

from ... import formats
from .. import prices
from ..capabilities import Capabilities, ModelCapabilities, ProviderSpec

MODEL_IDS = {"ray-2": "luma/luma-dream-machine-ray-2"}  # the storyboard's model -> the gateway's

# Text to video only: the job API has no image, end-frame, extension, loop or concept field. Its example asks
# for `duration: 5` and names no resolution (Luma renders 720p when none is asked).
RAY_2 = ModelCapabilities(resolutions=("720p",), durations_s=(5,), aspect_ratios=formats.ASPECT_RATIOS,
                          end_frame=False, loop=False, concepts=False, extend_forward=False,
                          prices=prices.per_second("aigateway", "ray-2"))
CAPABILITIES = Capabilities(
    paid=True, remote=True, models={"ray-2": RAY_2}, images=frozenset(),
    lists_jobs=False,  # no list endpoint: an ambiguous create fails closed
    min_poll_s=3.0,  # polled more often, a job answers 304 Not Modified
    result_url_ttl_s=24 * 3600,  # result.file_url is signed for 24 h
    concurrency=4, creates_per_minute=None)  # no limits published: a modest default

SPEC = ProviderSpec(name="aigateway", title="AIgateway",
                    summary="generates with Ray 2 through AIgateway's job API (text to video only) and costs money",
                    capabilities=CAPABILITIES,
                    implementation="pipeline.providers.aigateway.provider:AigatewayProvider")
