"""What the `luma-agents` provider is and can do, apart from its code (which needs an HTTP client to load)."""

from __future__ import annotations

from .. import prices
from ..capabilities import Capabilities, ImageInput, ModelCapabilities, ProviderSpec

NAME = "luma-agents"
MODEL = "ray-3.2"
RESOLUTIONS = ("360p", "540p", "720p", "1080p")  # 360p is the draft tier
DURATIONS_S = (5, 10)
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")  # the ray-3.2 subset of the API's list
OUTPUT_URL_TTL_S = 3600.0  # "Presigned URL (1hr expiry)"

RAY_3_2 = ModelCapabilities(
    resolutions=RESOLUTIONS, durations_s=DURATIONS_S, aspect_ratios=ASPECT_RATIOS,
    concepts=False,  # no concepts field: camera moves travel in the prompt's words
    extend_forward=True, extend_backward=True, interpolate=True,  # start_frame / end_frame generation_id
    framed_durations_s=(5,),  # 10 s is text to video only: no start/end frame, extension or loop
    pinned_keyframes=64,  # video.keyframes + keyframe_indexes, at 5 s and 10 s alike
    prices=prices.per_second(NAME, MODEL))

CAPABILITIES = Capabilities(
    paid=True, remote=True, models={MODEL: RAY_3_2},
    images=frozenset({ImageInput.UPLOAD, ImageInput.PUBLIC_URL}),  # its Files API, or an https URL
    lists_jobs=False,  # no list endpoint for generations: an ambiguous create fails closed
    min_poll_s=0.0,
    result_url_ttl_s=OUTPUT_URL_TTL_S,
    concurrency=10, creates_per_minute=20)  # not published for this API: the v1 Build tier's, and 429s wait

SPEC = ProviderSpec(name=NAME, title="Luma Agents",
                    summary="generates with Luma's Ray 3.2 (the Agents API) and costs money",
                    capabilities=CAPABILITIES,
                    implementation="pipeline.providers.luma_agents.provider:LumaAgentsProvider")
