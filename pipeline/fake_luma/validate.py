"""The fake's refusals of a create, worded as Luma words them (see LUMA_API.md, Errors)."""

from __future__ import annotations

from ..formats import ASPECT_RATIOS
from .options import FakeOptions

KEYFRAME_TYPES = ("image", "generation")
MODELS = ("ray-2", "ray-flash-2")  # the v1 dialect's (Ray 3.2 is the Agents dialect's: agents_validate)
RESOLUTIONS = ("540p", "720p", "1080p", "4k")


class Refusal(Exception):
    """A create refused with `status` and Luma's `{"detail": ...}`."""

    def __init__(self, detail: str | list, status: int = 400):
        self.detail, self.status = detail, status
        super().__init__(str(detail))


def _invalid(field: str, message: str) -> Refusal:
    """A schema error, shaped like FastAPI's 422 answers."""
    return Refusal([{"loc": ["body", field], "msg": message, "type": "value_error"}], status=422)


def check_schema(body) -> None:
    if not isinstance(body, dict):
        raise _invalid("body", "Input should be a valid dictionary")
    for name in ("prompt", "model", "aspect_ratio", "resolution", "duration", "callback_url"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _invalid(name, "Input should be a valid string")
    if body.get("loop") is not None and not isinstance(body["loop"], bool):
        raise _invalid("loop", "Input should be a valid boolean")
    if body.get("keyframes") is not None and not isinstance(body["keyframes"], dict):
        raise _invalid("keyframes", "Input should be a valid dictionary")
    if body.get("concepts") is not None and not all(isinstance(c, dict) and isinstance(c.get("key"), str)
                                                    for c in body["concepts"]):
        raise _invalid("concepts", "Input should be a list of {key: string}")


def check_request(body: dict, options: FakeOptions) -> dict:
    """Refuse what Luma refuses; return the keyframes as {frame: {type, url|id}}."""
    check_schema(body)
    if body.get("generation_type", "video") != "video":
        raise Refusal("Unknown request type")
    if body.get("model") not in MODELS:
        raise Refusal(f"Unknown model: {body.get('model')}. Supported models: {', '.join(MODELS)}")
    if body.get("concepts") and body["model"] in options.concepts_refused_for:
        raise Refusal("400: concepts are not supported for this model")  # sic: the status in the text
    frames = _keyframes(body.get("keyframes"))
    _check_prompt(body.get("prompt"), frames)
    _check_shape(body, options.durations)
    if body.get("loop"):
        _check_loop(frames)
    return frames


def _keyframes(keyframes: dict | None) -> dict:
    if keyframes is None:
        return {}
    frames = {name: frame for name, frame in keyframes.items() if frame is not None}
    if not frames:
        raise Refusal("No keyframes provided")
    for name, frame in frames.items():
        if name not in ("frame0", "frame1"):
            raise _invalid(f"keyframes.{name}", "Extra inputs are not permitted")
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind not in KEYFRAME_TYPES:
            raise _invalid(f"keyframes.{name}.type", "Input should be 'image' or 'generation'")
        needed = "url" if kind == "image" else "id"
        if not isinstance(frame.get(needed), str) or not frame[needed]:
            raise _invalid(f"keyframes.{name}.{needed}", "Field required")
    return frames


def _check_prompt(prompt: str | None, frames: dict) -> None:
    if not prompt:
        if any(frame["type"] == "image" for frame in frames.values()):
            return
        raise Refusal("Prompt is required")
    if len(prompt) < 3:
        raise Refusal("Prompt is too short, minimum length is 3 characters")
    if len(prompt) > 5000:
        raise Refusal("Prompt is too long, maximum length is 5000 characters")


def _check_shape(body: dict, durations: tuple[str, ...]) -> None:
    if body.get("aspect_ratio") is not None and body["aspect_ratio"] not in ASPECT_RATIOS:
        raise Refusal(f"Invalid aspect ratio: {body['aspect_ratio']}")
    if body.get("resolution") is not None and body["resolution"] not in RESOLUTIONS:
        raise Refusal(f"Invalid resolution: {body['resolution']}")
    if body.get("duration") is not None and (body["duration"] not in durations or duration_s(body["duration"]) is None):
        raise Refusal(f"Invalid duration: {body['duration']}. Supported durations: {', '.join(durations)}")


def duration_s(text: str | None) -> int | None:
    """Seconds in a duration like "5s" (whole seconds up to 10: a fake told to accept "2s" renders it)."""
    if text is None:
        return 5
    number = text[:-1] if text.endswith("s") else ""
    return int(number) if number.isdigit() and 1 <= int(number) <= 10 else None


def _check_loop(frames: dict) -> None:
    kinds = tuple(frames[name]["type"] if name in frames else None for name in ("frame0", "frame1"))
    if kinds == ("generation", "generation"):
        raise Refusal("Loop is not supported for interpolation between two generations")
    if kinds[1] == "generation":
        raise Refusal("Loop is not supported for reverse extension (frame1 is a generation)")
    if kinds == ("image", "image"):
        raise Refusal("Loop is not supported for two image keyframes")
    if kinds[1] == "image":
        raise Refusal("Loop is not supported with an end keyframe (frame1)")
