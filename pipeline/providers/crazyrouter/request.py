"""The bodies of Crazyrouter's Luma route: a create, or an extension of a task; local keyframes go inline.

The route takes an image as a URL or as base64, so a local keyframe is sent as a data URI and no asset store is
needed. Requests that size are not what a JSON API expects, so an image over MAX_INLINE_BYTES is refused
before anything is sent, with the way out.
"""

from __future__ import annotations

import base64
import mimetypes

from ...errors import ProviderError
from ..base import GenerationKeyframe, ImageKeyframe, Keyframe, ShotRequest
from .spec import MODEL_IDS

MAX_INLINE_BYTES = 7 * 1024 * 1024  # ~9.3 MB once in base64: kept under the 10 MB bodies many proxies allow


def create_path_and_body(request: ShotRequest) -> tuple[str, dict]:
    """(the path to POST to, the body): an extension goes to its parent's `/extend`, anything else is a create."""
    if request.model not in MODEL_IDS:
        raise ProviderError(f"Crazyrouter's Luma route offers {', '.join(MODEL_IDS)}, not {request.model}",
                            shot_id=request.shot_id)
    if isinstance(request.end, GenerationKeyframe):
        raise ProviderError("Crazyrouter cannot lead a shot into another generation (no reverse extension): "
                            "give the shot an end image instead, or use luma", shot_id=request.shot_id)
    ends = {"image_end_url": image_value(request.end, request.shot_id)} if request.end else {}
    if isinstance(request.start, GenerationKeyframe):
        if not request.start.job_id:
            raise ProviderError(f"the shot it extends ({request.start.shot_id}) has no Crazyrouter task yet",
                                shot_id=request.shot_id)
        body = {"user_prompt": request.prompt or "", "expand_prompt": False, **ends}
        return f"/luma/generations/{request.start.job_id}/extend", body
    starts = {"image_url": image_value(request.start, request.shot_id)} if request.start else {}
    body = {"user_prompt": request.prompt or "", "model_name": MODEL_IDS[request.model],
            "duration": str(request.duration_s), "resolution": request.resolution, "expand_prompt": False,
            **starts, **ends}
    return "/luma/generations", body


def image_value(keyframe: Keyframe, shot_id: str) -> str:
    """A keyframe image as the route takes it: its URL, or a local file as a base64 data URI."""
    if not isinstance(keyframe, ImageKeyframe):
        raise ProviderError("a keyframe here must be an image", shot_id=shot_id)
    if keyframe.path is None:
        if not keyframe.url:
            raise ProviderError("a keyframe image has neither a path nor a URL", shot_id=shot_id)
        return keyframe.url
    try:
        data = keyframe.path.read_bytes()
    except OSError as exc:
        raise ProviderError(f"cannot read keyframe {keyframe.path}: {exc.strerror}", shot_id=shot_id) from exc
    if len(data) > MAX_INLINE_BYTES:
        raise ProviderError(f"keyframe {keyframe.path.name} is {len(data) / 2**20:.1f} MB, and Crazyrouter takes "
                            f"local images inline (at most {MAX_INLINE_BYTES / 2**20:.0f} MB): save it smaller "
                            "(a JPEG at the shot's resolution), or give it as an https URL", shot_id=shot_id)
    mime = mimetypes.guess_type(keyframe.path.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
