"""The fake's Crazyrouter dialect under /crazyrouter: its Luma route, which resells Ray 2.

    POST /luma/generations {user_prompt, model_name: ray-v2, duration: "5", resolution, expand_prompt,
                            image_url, image_end_url}                       -> {id, state: queued, created_at}
    POST /luma/generations/{id}/extend {user_prompt, expand_prompt, image_end_url}   (a completed task)
    GET  /luma/generations/{id} -> {id, state: queued|dreaming|completed|failed, video: {url, download_url}}

Images come as URLs or as base64 (a data URI or bare); inline ones are written to the fake's work folder and
rendered from there. Errors are `{"error": {"message", "type", "code"}}`, as OpenAI-style routers answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import dialects
from .dialects import error
from .store import FakeLuma, Generation
from .validate import Refusal

PREFIX = "/crazyrouter"
MODELS = {"ray-v2": "ray-2"}
CREATE_FIELDS = {"user_prompt", "model_name", "duration", "resolution", "expand_prompt", "image_url",
                 "image_end_url", "notify_hook", "loop"}
EXTEND_FIELDS = {"user_prompt", "expand_prompt", "image_url", "image_end_url", "notify_hook"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def shape(code: str, message: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error" if code == "invalid_request" else code,
                      "code": code}}


class Crazyrouter:
    """The dialect's endpoints over the shared fake; inline images are kept by their digest."""

    def __init__(self, fake: FakeLuma):
        self.fake = fake
        self.inline: dict[str, Path] = {}

    def routes(self) -> list[Route]:
        return [Route("/luma/generations", self.create, methods=["POST"]),
                Route("/luma/generations/{id}/extend", self.extend, methods=["POST"]),
                Route("/luma/generations/{id}", self.get)]

    async def create(self, request: Request) -> Response:
        return await self._accepting(request, None)

    async def extend(self, request: Request) -> Response:
        return await self._accepting(request, request.path_params["id"])

    async def _accepting(self, request: Request, parent_id: str | None) -> Response:
        if refused := dialects.refused_key(request, shape):
            return refused
        fault = self.fake.faults.pick("create")
        if fault in ("429", "500", "503"):
            return dialects.fault_answer(request, fault, shape)
        try:
            body = await dialects.json_body(request)
            v1 = self._extension(body, parent_id) if parent_id else self._creation(body)
            answer = await dialects.accept(request, v1, fault, self.task, inline=self.inline)
            if parent_id and answer.status_code == 200:
                self.fake.count("extensions")
            return answer
        except Refusal as exc:
            return dialects.refusal_answer(exc, shape, self.fake)

    async def get(self, request: Request) -> Response:
        if refused := dialects.refused_key(request, shape):
            return refused
        if fault := self.fake.faults.pick("get"):
            return dialects.fault_answer(request, fault, shape)
        generation = self.fake.generations.get(request.path_params["id"])
        if generation is None:
            return error(shape, "not_found", "Task not found", 404)
        self.fake.count("gets")
        task = self.task(generation)
        if task["state"] == "completed":
            url = dialects.asset_urls(request, generation)
            task["video"] = {"url": url, "download_url": url}
        return JSONResponse(task)

    def task(self, generation: Generation) -> dict:
        state = self.fake.state_of(generation)
        return {"id": generation.id, "prompt": generation.request.get("prompt") or "", "state": state,
                "created_at": generation.created_at, "video": None,
                "failure_reason": generation._reason() if state == "failed" else None}

    def _creation(self, body: dict) -> dict:
        dialects.unknown_fields(body, CREATE_FIELDS)
        model = body.get("model_name", "ray-v2")
        if model not in MODELS:
            raise Refusal(f"model_name {model!r} is not available: use one of {', '.join(MODELS)}")
        duration = body.get("duration", "5")
        if not isinstance(duration, str) or not duration.isdigit():
            raise Refusal(f"duration must be a string of seconds, like \"5\", not {duration!r}")
        frames = self._frames(body, ("frame0", "image_url"), ("frame1", "image_end_url"))
        return {"model": MODELS[model], "prompt": body.get("user_prompt") or None, "duration": f"{duration}s",
                "resolution": body.get("resolution"), "loop": body.get("loop"), "keyframes": frames or None}

    def _extension(self, body: dict, parent_id: str) -> dict:
        dialects.unknown_fields(body, EXTEND_FIELDS)
        parent = self.fake.generations.get(parent_id)
        if parent is None:
            raise Refusal(f"Task {parent_id} not found", status=404)
        if (state := self.fake.state_of(parent)) != "completed":
            raise Refusal(f"Task {parent_id} is {state}: only completed tasks can be extended")
        frames = {"frame0": {"type": "generation", "id": parent_id},
                  **self._frames(body, ("frame1", "image_end_url"))}
        kept = {k: parent.request.get(k) for k in ("model", "resolution", "duration", "aspect_ratio")}
        return {**kept, "prompt": body.get("user_prompt") or None, "keyframes": frames}

    def _frames(self, body: dict, *names: tuple[str, str]) -> dict:
        return {frame: self._image(body[field], field) for frame, field in names if body.get(field)}

    def _image(self, value, field: str) -> dict:
        """A v1 image keyframe for a URL, or for base64 written to the work folder (named by its digest)."""
        if not isinstance(value, str):
            raise Refusal(f"{field} must be a string: a URL or base64", status=422)
        if value.startswith(("http://", "https://")):
            return {"type": "image", "url": value}
        data = _decoded(value.partition(",")[2] if value.startswith("data:") else value, field)
        digest = hashlib.sha256(data).hexdigest()
        name = f"inline:sha256:{digest}"
        if name not in self.inline:
            path = self.fake.work_dir / f"inline-{digest[:16]}"
            path.write_bytes(data)
            self.inline[name] = path
        return {"type": "image", "url": name}


def _decoded(text: str, field: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(f"{field} is neither a URL nor valid base64") from None
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise Refusal(f"{field}: the image is empty or larger than {MAX_IMAGE_BYTES // 2**20} MB")
    return data
