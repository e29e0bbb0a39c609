"""The fake's AIgateway dialect under /aigateway/v1: the job API that resells Ray 2, text to video only.

    POST /videos/generations {model, prompt, duration: 5, aspect_ratio}  -> 202 {id, status: queued, ...}
    GET  /jobs/{id}        -> {id, status: queued|running|completed|failed|cancelled, result: {file_url}, error}
    POST /jobs/{id}/cancel -> the job, cancelled

A job polled again less than MIN_POLL_S after its last answered poll (on the fake's clock) answers 304 Not
Modified, as the gateway does. Errors are `{"error": {"code", "message"}}`; 402 insufficient_credits when the
shared account cannot pay. `result_key` ("file_url", or the seed's "url") picks the result's shape.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import dialects
from .dialects import error, fake_of
from .store import FakeLuma, Generation
from .validate import Refusal

PREFIX = "/aigateway/v1"
MODEL = "luma/luma-dream-machine-ray-2"
MIN_POLL_S = 3.0
FIELDS = {"model", "prompt", "duration", "aspect_ratio", "webhook_url"}
STATES = {"queued": "queued", "dreaming": "running", "completed": "completed", "failed": "failed"}


def shape(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class Aigateway:
    """The dialect's endpoints over the shared fake; remembers when each job was last answered."""

    def __init__(self, fake: FakeLuma):
        self.fake = fake
        self.answered_at: dict[str, float] = {}
        self.cancelled: set[str] = set()
        self.result_key = "file_url"

    def routes(self) -> list[Route]:
        return [Route("/videos/generations", self.create, methods=["POST"]),
                Route("/jobs/{id}", self.get),
                Route("/jobs/{id}/cancel", self.cancel, methods=["POST"])]

    async def create(self, request: Request) -> Response:
        if refused := dialects.refused_key(request, shape):
            return refused
        fault = self.fake.faults.pick("create")
        if fault in ("429", "500", "503"):
            return dialects.fault_answer(request, fault, shape)
        try:
            body = await dialects.json_body(request)
            return await dialects.accept(request, v1_body(body), fault, lambda g: self.job(request, g),
                                         status=202)
        except Refusal as exc:
            return dialects.refusal_answer(exc, shape, self.fake)

    async def get(self, request: Request) -> Response:
        if refused := dialects.refused_key(request, shape):
            return refused
        if fault := self.fake.faults.pick("get"):
            return dialects.fault_answer(request, fault, shape)
        job_id = request.path_params["id"]
        generation = self.fake.generations.get(job_id)
        if generation is None:
            return error(shape, "not_found", "Job not found", 404)
        now, last = self.fake.clock(), self.answered_at.get(job_id)
        if last is not None and now - last < MIN_POLL_S:
            self.fake.count("not_modified")
            return Response(status_code=304)
        self.answered_at[job_id] = now
        self.fake.count("gets")
        return JSONResponse(self.job(request, generation))

    async def cancel(self, request: Request) -> Response:
        if refused := dialects.refused_key(request, shape):
            return refused
        generation = fake_of(request).generations.get(request.path_params["id"])
        if generation is None:
            return error(shape, "not_found", "Job not found", 404)
        if (state := self.fake.state_of(generation)) in ("completed", "failed"):
            return error(shape, "conflict", f"Job is already {state}", 409)
        self.cancelled.add(generation.id)
        self.fake.mark_failed(generation, "cancelled")
        self.fake.count("cancelled")
        return JSONResponse(self.job(request, generation))

    def job(self, request: Request, generation: Generation) -> dict:
        state = self.fake.state_of(generation)
        status = "cancelled" if state == "failed" and generation.id in self.cancelled else STATES[state]
        result = {self.result_key: dialects.asset_urls(request, generation)} if state == "completed" else None
        failure = None
        if status == "failed":
            failure = {"code": "generation_failed", "message": generation._reason()}
        elif status == "cancelled":
            failure = {"code": "cancelled", "message": "The job was cancelled"}
        return {"id": generation.id, "object": "job", "status": status, "model": MODEL,
                "created_at": generation.created_at, "result": result, "error": failure}


def v1_body(body: dict) -> dict:
    """The gateway's request as a v1 request, refused as the gateway would refuse it."""
    dialects.unknown_fields(body, FIELDS)
    if body.get("model") != MODEL:
        raise Refusal(f"Unknown model: {body.get('model')}. Supported models: {MODEL}")
    duration = body.get("duration", 5)
    if not isinstance(duration, int) or isinstance(duration, bool):
        raise Refusal(f"Invalid duration: {duration!r}: give a number of seconds", status=422)
    return {"model": "ray-2", "prompt": body.get("prompt"), "duration": f"{duration}s",
            "aspect_ratio": body.get("aspect_ratio")}
