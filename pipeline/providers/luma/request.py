"""Pure helpers for the Luma provider: keyframe URLs, the request body, and matching a request echo.

Kept free of I/O so that the storyboard validator can call `keyframe_url` early, and so that the ambiguous-create
resolution (which compares what was sent with what Luma echoes back) is testable on plain dicts.
"""

from __future__ import annotations

from ...errors import PipelineError
from ...secrets import unsigned
from ..base import GenerationKeyframe, ImageKeyframe, Keyframe, ShotRequest

# The request fields that identify a generation: two requests equal on these are the same paid work.
ECHO_FIELDS = ("prompt", "model", "aspect_ratio", "resolution", "duration", "loop", "keyframes", "concepts")
DEFAULT_ASPECT = "16:9"


class KeyframeURLError(PipelineError):
    """A keyframe image has no public URL that Luma could fetch."""


def keyframe_url(keyframe: ImageKeyframe) -> str:
    """The URL Luma fetches `keyframe` from: the storyboard's https URL, or the one the asset store made for a
    local file at submit time (pipeline.assets); KeyframeURLError when a local file has none."""
    if keyframe.url:
        return keyframe.url
    if keyframe.path is None:
        raise KeyframeURLError("a keyframe image has neither a path nor a URL")
    raise KeyframeURLError(
        f"keyframe {keyframe.path} is a local file, but Luma can only read keyframes from public URLs: set "
        "`assets: s3://BUCKET/PREFIX/` to publish it to a bucket, or `asset_base_url` to the public address of "
        "the storyboard's folder (or give the keyframe as an https URL)")


def _frame(keyframe: Keyframe | None, *, shot_id: str) -> dict | None:
    if keyframe is None:
        return None
    if isinstance(keyframe, GenerationKeyframe):
        if not keyframe.job_id:
            raise PipelineError(f"shot {shot_id}: the shot it continues ({keyframe.shot_id}) "
                                "has no Luma generation yet")
        return {"type": "generation", "id": keyframe.job_id}
    return {"type": "image", "url": keyframe_url(keyframe)}


def request_body(request: ShotRequest) -> dict:
    """The JSON body of a Luma video create for `request`."""
    frames = {name: _frame(kf, shot_id=request.shot_id)
              for name, kf in (("frame0", request.start), ("frame1", request.end))}
    frames = {name: frame for name, frame in frames.items() if frame is not None}
    body = {
        "generation_type": "video", "model": request.model, "prompt": request.prompt,
        "aspect_ratio": request.aspect_ratio, "resolution": request.resolution,
        "duration": f"{request.duration_s}s", "loop": request.loop,
    }
    if frames:
        body["keyframes"] = frames
    if request.concepts:
        body["concepts"] = [{"key": key} for key in request.concepts]
    return body


def echo_key(request: dict | None) -> tuple:
    """What identifies a request, normalised so that a body and Luma's echo of it (nulls included) compare."""
    request = request or {}
    frames = request.get("keyframes") or {}
    # A presigned URL is signed anew for every create: the object it names is what identifies the keyframe.
    keyframes = tuple((name, frame.get("type"), frame.get("id") or unsigned(frame.get("url") or ""))
                      for name, frame in sorted(frames.items()) if frame)
    concepts = tuple(sorted(c.get("key", "") for c in request.get("concepts") or ()))
    return (request.get("prompt") or None, request.get("model"), request.get("aspect_ratio") or DEFAULT_ASPECT,
            request.get("resolution"), request.get("duration"), bool(request.get("loop")),
            keyframes, concepts)


def matches(body: dict, generation: dict) -> bool:
    """True when `generation` was made from a request equal to `body` on every field that shapes it."""
    return echo_key(body) == echo_key(generation.get("request"))
