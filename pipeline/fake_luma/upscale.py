"""`POST /generations/{id}/upscale` as Luma v1 answers it: a new generation (its own id, charged like a
generation of the source's length at the new resolution, refunded if it fails) whose video is the completed
source scaled up to `resolution`. A source that is unknown, unfinished or already that large is refused."""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import ffmpeg, formats
from .faults import error_answer
from .store import FakeLuma, Generation

log = logging.getLogger(__name__)
UPSCALED_TO = ("1080p", "4k")


async def upscale(request: Request) -> Response:
    fake: FakeLuma = request.app.state.fake
    source = fake.generations.get(request.path_params["id"])
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return error_answer(request, "Request body is not valid JSON", 422)
    refused = _refusal(fake, source, body)
    if refused:
        fake.count("refused")
        return error_answer(request, refused[0], refused[1])
    asked = {**source.request, "generation_type": "upscale_video", "resolution": body["resolution"],
             "keyframes": {"frame0": {"type": "generation", "id": source.id}}}
    if fake.balance < (price := fake.price_of(asked)):
        fake.count("refused_credits")
        return error_answer(request, f"Insufficient credits: this upscale costs {price:g} credits", 402)
    generation = fake.new_generation(asked, auth=request.headers.get("authorization"))
    generation.request = asked  # the echo keeps what the upscale was of
    fake.count("upscales")
    generation.render = fake.pool.submit(_scale, fake, generation, source)
    base = (fake.options.public_url or str(request.base_url)).rstrip("/")
    return JSONResponse(generation.to_json(base, fake.clock()), status_code=201)


def _refusal(fake: FakeLuma, source: Generation | None, body: object) -> tuple[str, int] | None:
    if source is None:
        return "Generation not found", 404
    if not isinstance(body, dict) or body.get("generation_type", "upscale_video") != "upscale_video":
        return "generation_type must be upscale_video", 400
    if body.get("resolution") not in UPSCALED_TO:
        return f"resolution must be one of {', '.join(UPSCALED_TO)}", 400
    if fake.state_of(source) != "completed" or source.video is None:
        return "Only a completed generation can be upscaled", 400
    now = source.request.get("resolution") or "720p"
    order = list(formats.RESOLUTIONS)
    if order.index(body["resolution"]) <= order.index(now):
        return f"The generation is {now} already; upscale to a higher resolution", 400
    return None


def _scale(fake: FakeLuma, generation: Generation, source: Generation) -> None:
    width, height = formats.frame_size(generation.request["resolution"], source.request.get("aspect_ratio") or "16:9")
    video = fake.work_dir / f"{generation.id}.mp4"
    try:
        ffmpeg.run(["-i", str(source.video), "-vf", f"scale={width}:{height}:flags=lanczos", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", "-an", "-movflags", "+faststart", str(video)], what="fake luma: upscale")
    except Exception as exc:  # as on Luma: a failed generation, refunded
        log.warning("upscale %s failed: %s", generation.id, exc)
        fake.mark_failed(generation, "Job failed")
        return
    generation.video, generation.thumb = video, source.thumb
