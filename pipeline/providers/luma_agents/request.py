"""Pure helpers for the Luma Agents provider: ImageRefs and the create body (no I/O, so testable on dicts).

    {"type": "video", "model": "ray-3.2", "prompt": ..., "aspect_ratio": "16:9",
     "video": {"duration": "5s", "resolution": "720p", "loop": false,
               "start_frame": {"generation_id": ...}, "end_frame": {"file_id": ...}}}

An ImageRef carries exactly one of url, generation_id or file_id: a generation on start_frame extends it
forward, on end_frame backward; a local file is uploaded through the Files API first and sent as its file_id.
Pinned keyframes go instead of start/end: `video.keyframes` [ImageRef] with the parallel `keyframe_indexes`.
"""

from __future__ import annotations

from ...errors import PipelineError
from ..base import GenerationKeyframe, ImageKeyframe, Keyframe, ShotRequest

FRAMES = (("start_frame", "start"), ("end_frame", "end"))


def image_ref(keyframe: Keyframe, *, shot_id: str, file_id: str | None = None) -> dict:
    """The ImageRef for one keyframe; `file_id` is where a local file was uploaded."""
    if isinstance(keyframe, GenerationKeyframe):
        if not keyframe.job_id:
            raise PipelineError(f"shot {shot_id}: the shot it continues ({keyframe.shot_id}) has no "
                                "generation yet")
        return {"generation_id": keyframe.job_id}
    if file_id:
        return {"file_id": file_id}
    if isinstance(keyframe, ImageKeyframe) and keyframe.url:
        return {"url": keyframe.url}
    raise PipelineError(f"shot {shot_id}: a keyframe image has neither a URL nor an uploaded file")


def prompt_of(request: ShotRequest) -> str:
    """The prompt (required by this API), with the camera moves in words: the API has no concepts field."""
    if not request.prompt:
        raise PipelineError(f"shot {request.shot_id}: Luma's Agents API requires a prompt: add a `prompt` to "
                            "the shot (a keyframe image alone is not enough)")
    if not request.concepts:
        return request.prompt
    moves = ", ".join(key.replace("_", " ") for key in request.concepts)
    return f"{request.prompt.rstrip('. ')}. Camera: {moves}."


def request_body(request: ShotRequest, refs: dict[str, dict] | None = None,
                 pinned: list[dict] | None = None) -> dict:
    """The JSON body of a video create; `refs` maps start_frame / end_frame to their ImageRefs, `pinned` holds
    the ImageRefs of request.keyframes in their order."""
    video = {"duration": f"{request.duration_s}s", "resolution": request.resolution, "loop": request.loop}
    video.update({name: ref for name, ref in (refs or {}).items() if ref})
    if request.keyframes:
        if len(pinned or ()) != len(request.keyframes):
            raise PipelineError(f"shot {request.shot_id}: a pinned keyframe has no image reference")
        video.update(keyframes=list(pinned), keyframe_indexes=[k.frame for k in request.keyframes])
    return {"type": "video", "model": request.model, "prompt": prompt_of(request),
            "aspect_ratio": request.aspect_ratio, "video": video}
