"""The fake's refusals of an Agents API create (LUMA_API.md "Luma's current API"), worded plainly."""

from __future__ import annotations

from .validate import Refusal

MODEL = "ray-3.2"
DURATIONS = ("5s", "10s")
RESOLUTIONS = ("360p", "540p", "720p", "1080p")
ASPECT_RATIOS = ("3:1", "2:1", "21:9", "16:9", "4:3", "3:2", "1:1", "3:4", "2:3", "9:16", "1:2", "1:3")
VIDEO_ASPECT_RATIOS = ("9:16", "3:4", "1:1", "4:3", "16:9", "21:9")  # the ray-3.2 subset
REF_FIELDS = ("url", "data", "generation_id", "file_id")
FPS = 24  # keyframe_indexes are frame positions on the duration x 24 fps grid
MAX_KEYFRAMES = 64


def invalid(field: str, message: str) -> Refusal:
    return Refusal([{"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}], status=422)


def check_create(body) -> dict:
    """Refuse what the API refuses; return {start_frame|end_frame: ImageRef} for the frames given, and
    {keyframes: [(frame index, ImageRef), ...]} for pinned keyframes."""
    if not isinstance(body, dict):
        raise invalid("body", "Input should be a valid dictionary")
    if body.get("type", "image") != "video":
        raise Refusal("The fake Agents API generates type=video only")
    if body.get("model") != MODEL:
        raise Refusal(f"Unknown or unsupported video model: {body.get('model')}. Supported: {MODEL}")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise invalid("prompt", "Field required")
    if len(prompt) > 6000:
        raise invalid("prompt", "String should have at most 6000 characters")
    if body.get("aspect_ratio") is not None and body["aspect_ratio"] not in VIDEO_ASPECT_RATIOS:
        raise Refusal(f"aspect_ratio {body['aspect_ratio']} is not supported for {MODEL} video; "
                      f"supported: {', '.join(VIDEO_ASPECT_RATIOS)}")
    video = body.get("video") or {}
    if not isinstance(video, dict):
        raise invalid("video", "Input should be a valid dictionary")
    return _check_video(video)


def _check_video(video: dict) -> dict:
    duration, resolution = video.get("duration") or "5s", video.get("resolution") or "720p"
    if duration not in DURATIONS:
        raise invalid("video.duration", f"Input should be {' or '.join(map(repr, DURATIONS))}")
    if resolution not in RESOLUTIONS:
        raise invalid("video.resolution", f"Input should be one of {', '.join(map(repr, RESOLUTIONS))}")
    if video.get("loop") is not None and not isinstance(video["loop"], bool):
        raise invalid("video.loop", "Input should be a valid boolean")
    frames = {name: _image_ref(video[name], f"video.{name}") for name in ("start_frame", "end_frame")
              if video.get(name) is not None}
    if video.get("keyframes") is not None or video.get("keyframe_indexes") is not None:
        return {"keyframes": _pinned(video, duration, frames)}
    if video.get("loop") and duration == "10s":
        raise Refusal("loop is not supported with duration=10s")
    if video.get("loop") and "end_frame" in frames:
        raise Refusal("loop is not supported with an end_frame")
    if frames and duration == "10s":
        raise Refusal("start_frame and end_frame are not supported with duration=10s")
    return frames


def _image_ref(ref, where: str) -> dict:
    if not isinstance(ref, dict):
        raise invalid(where, "Input should be a valid dictionary")
    given = [name for name in REF_FIELDS if ref.get(name) is not None]
    if len(given) != 1:
        raise invalid(where, f"Provide exactly one of {', '.join(REF_FIELDS)}")
    if not isinstance(ref[given[0]], str) or not ref[given[0]]:
        raise invalid(f"{where}.{given[0]}", "Input should be a non-empty string")
    if given[0] == "data":
        raise Refusal("inline base64 data is not supported by the fake Agents API: upload the file")
    return ref


def _pinned(video: dict, duration: str, frames: dict) -> list[tuple[int, dict]]:
    """keyframes [ImageRef] with keyframe_indexes [int]: 1 to 64 anchors, unique positions on the grid, never
    with start_frame, end_frame or loop."""
    refs, indexes = video.get("keyframes"), video.get("keyframe_indexes")
    for name, value in (("keyframes", refs), ("keyframe_indexes", indexes)):
        if not isinstance(value, list):
            raise invalid(f"video.{name}", "Input should be a valid list" if value is not None else
                          "Field required when keyframes or keyframe_indexes is given")
    if not 1 <= len(refs) <= MAX_KEYFRAMES:
        raise invalid("video.keyframes", f"List should have at least 1 and at most {MAX_KEYFRAMES} items")
    if len(indexes) != len(refs):
        raise invalid("video.keyframe_indexes", "Must match keyframes in length")
    last = int(duration[:-1]) * FPS
    for n, index in enumerate(indexes):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= last:
            raise invalid(f"video.keyframe_indexes.{n}", f"Input should be a frame position from 0 to {last} "
                          f"for duration={duration}")
    if len(set(indexes)) != len(indexes):
        raise invalid("video.keyframe_indexes", "Frame positions must be unique")
    if frames or video.get("loop"):
        given = [name for name in ("start_frame", "end_frame") if name in frames] + (["loop"] if video.get("loop")
                                                                                      else [])
        raise Refusal(f"keyframes are mutually exclusive with start_frame / end_frame / loop (given: "
                      f"{', '.join(given)})")
    pinned = [_image_ref(ref, f"video.keyframes.{n}") for n, ref in enumerate(refs)]
    if any(ref.get("generation_id") for ref in pinned):
        raise Refusal("generation_id is accepted on start_frame / end_frame only, not in keyframes")
    return list(zip(indexes, pinned, strict=True))
