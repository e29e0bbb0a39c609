"""The fake's Agents API dialect (Ray 3.2) under /agents/v1: generations and files, on the v1 dialect's store.

A create is kept as the v1 request it stands for (so the store, faults, billing, stats and renders are the
same): start_frame is frame0, end_frame frame1, pinned keyframes a list beside them (rendered by the animatic
at their frames); an uploaded file is an image whose bytes the fake holds.
States are the v1 ones renamed (dreaming is "processing"); a failure carries a failure_code. Output URLs and
upload URLs are presigned-style: signed by the fake, expiring (`agents_output_ttl_s`), outside the API's auth.

    POST /agents/v1/generations, GET /agents/v1/generations/{id}
    POST /agents/v1/files, PUT /agents-upload/{id}?..., POST /agents/v1/files/{id}/complete,
    GET|DELETE /agents/v1/files/{id}, GET /agents-output/{id}/video.mp4?expires=...&signature=...
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..providers.base import GenerationKeyframe, ImageKeyframe, PinnedKeyframe, ShotRequest
from . import render
from .agents_files import FILE_ROUTES, UPLOAD_ROUTES, Files, s3_refusal
from .agents_validate import check_create
from .faults import accepted_5xx, answer_fault, drop_connection, error_answer, truncated
from .store import FakeLuma, Generation
from .validate import Refusal, duration_s

PREFIX = "/agents/v1"
STATES = {"dreaming": "processing"}
FAILURE_CODES = ("content_moderated", "generation_failed", "budget_exhausted", "output_not_found",
                 "image_too_large", "unsupported_format", "corrupt_input", "invalid_request", "rate_limited")
READ_FAILED = {render.UNREADABLE_FRAMES: "corrupt_input"}


class Agents:
    """The dialect's own state beside the shared store: files, and the key that signs its URLs."""

    def __init__(self, fake: FakeLuma):
        self.fake = fake
        self.files = Files(fake)
        self._key = secrets.token_bytes(16)

    def sign(self, kind: str, item_id: str, expires: float) -> str:
        return hmac.new(self._key, f"{kind}:{item_id}:{expires:.3f}".encode(), hashlib.sha256).hexdigest()

    def signed(self, base: str, kind: str, item_id: str, path: str) -> str:
        expires = self.fake.clock() + self.fake.options.agents_output_ttl_s
        return f"{base}{path}?expires={expires:.3f}&signature={self.sign(kind, item_id, expires)}"

    def valid(self, request: Request, kind: str, item_id: str) -> str | None:
        """Why a presigned URL is refused ("expired" or "forbidden"), or None when it is good."""
        try:
            expires = float(request.query_params["expires"])
        except (KeyError, ValueError):
            return "forbidden"
        if not hmac.compare_digest(request.query_params.get("signature", ""), self.sign(kind, item_id, expires)):
            return "forbidden"
        return "expired" if self.fake.clock() > expires else None


def _agents(request: Request) -> Agents:
    return request.app.state.agents


def _base(request: Request) -> str:
    return (request.app.state.fake.options.public_url or str(request.base_url)).rstrip("/")


async def create(request: Request) -> Response:
    agents = _agents(request)
    fake = agents.fake
    fault = fake.faults.pick("create")
    if fault in ("429", "500", "503"):
        return answer_fault(request, fault)
    try:
        body = json.loads(await request.body() or b"null")
        refs = check_create(body)
        inner, frames = _as_v1(agents, body, refs)
    except ValueError:
        return error_answer(request, "Request body is not valid JSON", 422)
    except Refusal as exc:
        fake.count("refused")
        return error_answer(request, exc.detail, exc.status)
    out_of_credit = fake.balance < fake.price_of(inner)
    injected = fake.faults.stream("reasons").choice(fake.options.failure_reasons) if fault == "failed" else None
    generation = fake.new_generation(inner, failure_reason="budget_exhausted" if out_of_credit else injected)
    if "pinned" in inner:  # not a v1 field, so not in the echo: kept beside it for the render (and its label)
        generation.request["pinned"] = inner["pinned"]
    if fault:
        fake.count("faults")
        fake.count(f"faults_{fault}")
    if not generation.failure_reason:
        _start_render(agents, generation, frames)
    if fault == "drop":
        return await drop_connection(request)
    if fault == "accepted_5xx":
        return accepted_5xx(request)
    await asyncio.sleep(fake.options.create_answer_delay_s)
    return JSONResponse(_generation_json(agents, generation, _base(request)), status_code=201)


def _as_v1(agents: Agents, body: dict, refs: dict) -> tuple[dict, dict]:
    """(the v1 request this create stands for, its keyframes as v1 frames)."""
    frames = {}
    for name, ref in (("frame0", refs.get("start_frame")), ("frame1", refs.get("end_frame"))):
        if ref is None:
            continue
        if ref.get("generation_id"):
            _check_parent(agents.fake, ref["generation_id"], name)
            frames[name] = {"type": "generation", "id": ref["generation_id"]}
        else:
            frames[name] = _image(agents, ref)
    video = body.get("video") or {}
    inner = {"generation_type": "video", "model": body["model"], "prompt": body["prompt"],
             "aspect_ratio": body.get("aspect_ratio") or "16:9", "resolution": video.get("resolution") or "720p",
             "duration": video.get("duration") or "5s", "loop": bool(video.get("loop")), "keyframes": frames or None}
    if "keyframes" in refs:
        inner["pinned"] = [{"index": index, **_image(agents, ref)} for index, ref in refs["keyframes"]]
    return inner, frames


def _image(agents: Agents, ref: dict) -> dict:
    """An image ImageRef as a v1 image frame: an uploaded file (which must be ready) or a URL."""
    if ref.get("file_id"):
        agents.files.check_ready(ref["file_id"])
        return {"type": "image", "url": f"file:{ref['file_id']}"}
    return {"type": "image", "url": ref["url"]}


def _check_parent(fake: FakeLuma, generation_id: str, frame: str) -> None:
    parent = fake.generations.get(generation_id)
    where = "start_frame" if frame == "frame0" else "end_frame"
    if parent is None:
        raise Refusal(f"Generation {generation_id} not found ({where}.generation_id)")
    if fake.state_of(parent) != "completed":
        raise Refusal(f"Generation {generation_id} is not completed: only completed generations can be "
                      f"extended ({where}.generation_id)")


def _start_render(agents: Agents, generation: Generation, frames: dict) -> None:
    """Render as the v1 dialect does (render.py), with uploaded files read from the fake's own store."""
    fake, req = agents.fake, generation.request
    try:
        keyframes = {name: _keyframe(agents, frame) for name, frame in frames.items()}
        pinned = tuple(PinnedKeyframe(p["index"], _keyframe(agents, p)) for p in sorted(
            req.get("pinned") or (), key=lambda p: p["index"]))
    except render.UnreadableKeyframe:
        fake.mark_failed(generation, render.UNREADABLE_FRAMES)
        return
    label = render._label(fake, req)
    shot = ShotRequest(shot_id=label, key=label, model=req["model"], resolution=req["resolution"],
                       aspect_ratio=req["aspect_ratio"], duration_s=duration_s(req["duration"]),
                       prompt=req["prompt"], loop=bool(req["loop"]), start=keyframes.get("frame0"),
                       end=keyframes.get("frame1"), keyframes=pinned)
    generation.render = fake.pool.submit(render._render, fake, generation, shot, render._parent_video(fake, frames))


def _keyframe(agents: Agents, frame: dict):
    if frame["type"] == "generation":
        parent = agents.fake.generations[frame["id"]]
        return GenerationKeyframe(shot_id=f"luma-{parent.id[:8]}", job_id=parent.id, clip=parent.video)
    if frame["url"].startswith("file:"):
        return ImageKeyframe(path=agents.files.path_of(frame["url"][len("file:"):]))
    return ImageKeyframe(path=None, url=frame["url"])


def _generation_json(agents: Agents, generation: Generation, base: str) -> dict:
    state = agents.fake.state_of(generation)
    answer = {"id": generation.id, "created_at": generation.created_at, "model": generation.request["model"],
              "state": STATES.get(state, state), "type": "video", "failure_code": None, "failure_reason": None,
              "output": None}
    if state == "failed":
        reason = generation.failure_reason or ""
        code = reason if reason in FAILURE_CODES else READ_FAILED.get(reason, "generation_failed")
        answer.update(failure_code=code, failure_reason=None if reason == code else reason)
    elif state == "completed":
        url = agents.signed(base, "output", generation.id, f"/agents-output/{generation.id}/video.mp4")
        answer["output"] = [{"type": "video", "url": url}]
    return answer


async def get_generation(request: Request) -> Response:
    agents = _agents(request)
    if fault := agents.fake.faults.pick("get"):
        return answer_fault(request, fault)
    generation = agents.fake.generations.get(request.path_params["id"])
    if generation is None:
        return error_answer(request, "Generation not found", 404)
    agents.fake.count("gets")
    return JSONResponse(_generation_json(agents, generation, _base(request)))


async def output(request: Request) -> Response:
    """A generation's video at its presigned URL: 403 once the URL has expired, like S3."""
    agents, generation_id = _agents(request), request.path_params["id"]
    generation = agents.fake.generations.get(generation_id)
    if generation is None or generation.video is None:
        return Response("<Error><Code>NoSuchKey</Code></Error>", status_code=404, media_type="application/xml")
    if why := agents.valid(request, "output", generation_id):
        agents.fake.count(f"downloads_{why}")
        return s3_refusal(why)
    if fault := agents.fake.faults.pick("download"):
        return truncated(agents.fake, generation.video) if fault == "truncate" else answer_fault(request, fault)
    agents.fake.count("downloads")
    return FileResponse(generation.video, media_type="video/mp4")


API_ROUTES = [
    Route("/generations", create, methods=["POST"]),
    Route("/generations/{id}", get_generation, methods=["GET"]),
    *FILE_ROUTES,
]
PUBLIC_ROUTES = [Route("/agents-output/{id}/video.mp4", output), *UPLOAD_ROUTES]  # presigned: no API key
