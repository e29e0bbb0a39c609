"""The fake Luma API as a Starlette app: the endpoints of LUMA_API.md under /dream-machine/v1, and the gateways'
dialects under /aigateway/v1 (aigateway.py) and /crazyrouter (crazyrouter.py), over the same generations.

    app = create_app(FakeOptions(latency=0.1, fault_rate=0.3, seed=7))
    httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://fake.test/dream-machine/v1")

Also: /assets/{id}/video.mp4 and thumb.jpg (public, like Luma's CDN), /cdn/ (a folder served as the user's
keyframe host), GET /_fake/stats (request, fault and billing counts) and POST /_fake/forget (drop
generations, `{"ids": [...]}` or all: their ids then answer 404, as a job the server no longer knows).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..storyboard.camera import CONCEPTS
from . import agents, aigateway, crazyrouter, render
from .faults import accepted_5xx, answer_fault, careless, drop_connection, error_answer, truncated
from .options import FakeOptions
from .store import FakeLuma
from .upscale import upscale
from .validate import Refusal, check_request

PREFIX = "/dream-machine/v1"


def _fake(request: Request) -> FakeLuma:
    return request.app.state.fake


def _detail(message, status: int, request: Request) -> JSONResponse:
    return error_answer(request, message, status)


def _asset_base(request: Request) -> str:
    return (_fake(request).options.public_url or str(request.base_url)).rstrip("/")


async def create(request: Request) -> Response:
    fake = _fake(request)
    fault = fake.faults.pick("create")
    if fault in ("429", "500", "503"):
        return answer_fault(request, fault)
    try:
        body = json.loads(await request.body() or b"null")
        frames = check_request(body, fake.options)
        _check_parents(fake, frames)
    except ValueError:
        return _detail("Request body is not valid JSON", 422, request)
    except Refusal as exc:
        fake.count("refused")
        return _detail(exc.detail, exc.status, request)
    if fake.balance < (price := fake.price_of(body)):
        fake.count("refused_credits")
        return _detail(f"Insufficient credits: this generation costs {price:g} credits (USD cents) and the "
                       f"balance is {fake.balance:g}; add credits to your account", 402, request)
    return await _created(request, fake, body, frames, fault)


async def _created(request: Request, fake: FakeLuma, body: dict, frames: dict, fault: str | None) -> Response:
    injected = fake.faults.stream("reasons").choice(fake.options.failure_reasons) if fault == "failed" else None
    generation = fake.new_generation(body, failure_reason=injected, auth=request.headers.get("authorization"))
    if fault:
        fake.count("faults")
        fake.count(f"faults_{fault}")
    if not generation.failure_reason:
        render.start(fake, generation, frames, str(request.base_url))
    if fault == "drop":
        return await drop_connection(request)
    if fault == "accepted_5xx":
        return accepted_5xx(request)
    await asyncio.sleep(fake.options.create_answer_delay_s)  # lets a test kill a client that sent a create
    return JSONResponse(generation.to_json(_asset_base(request), fake.clock()), status_code=201)


def _check_parents(fake: FakeLuma, frames: dict) -> None:
    for name, frame in frames.items():
        if frame["type"] != "generation":
            continue
        parent = fake.generations.get(frame["id"])
        if parent is None:
            raise Refusal(f"Generation {frame['id']} not found ({name})")
        if (state := fake.state_of(parent)) != "completed":
            raise Refusal(f"Generation {frame['id']} is {state}: only completed generations can be "
                          f"extended or interpolated ({name})")


async def get_generation(request: Request) -> Response:
    fake = _fake(request)
    if fault := fake.faults.pick("get"):
        return answer_fault(request, fault)
    generation = fake.generations.get(request.path_params["id"])
    if generation is None:
        return _detail("Generation not found", 404, request)
    fake.count("gets")
    return JSONResponse(generation.to_json(_asset_base(request), fake.clock()))


async def list_generations(request: Request) -> Response:
    fake = _fake(request)
    if fault := fake.faults.pick("list"):
        return answer_fault(request, fault)
    try:
        limit = int(request.query_params.get("limit", 100))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        return _detail([{"loc": ["query", "limit"], "msg": "Input should be a valid integer"}], 422, request)
    everything = fake.newest_first()
    page = everything[offset:offset + limit]
    fake.count("lists")
    base, now = _asset_base(request), fake.clock()
    return JSONResponse({"generations": [g.to_json(base, now) for g in page], "count": len(everything),
                         "has_more": offset + len(page) < len(everything), "limit": limit, "offset": offset})


async def delete_generation(request: Request) -> Response:
    fake = _fake(request)
    if fake.generations.pop(request.path_params["id"], None) is None:
        return _detail("Generation not found", 404, request)
    fake.count("deletes")
    return Response(status_code=204)


async def concepts(request: Request) -> Response:
    return JSONResponse(list(CONCEPTS))


async def camera_motions(request: Request) -> Response:
    return JSONResponse([f"camera {key.replace('_', ' ')}" for key in CONCEPTS])


async def credits(request: Request) -> Response:
    return JSONResponse({"credit_balance": _fake(request).balance})


async def ping(request: Request) -> Response:
    return JSONResponse({"message": "pong"})


async def unsupported(request: Request) -> Response:
    return _detail("This endpoint is not supported by the fake Luma server", 400, request)


async def asset(request: Request) -> Response:
    fake = _fake(request)
    generation = fake.generations.get(request.path_params["id"])
    kind = request.path_params["name"]
    path = generation and {"video.mp4": generation.video, "thumb.jpg": generation.thumb}.get(kind)
    if not path:
        return _detail("Not found", 404, request)
    if kind == "video.mp4":
        if fault := fake.faults.pick("download"):
            return truncated(fake, path) if fault == "truncate" else answer_fault(request, fault)
        fake.count("downloads")
        if fake.options.download_pause_s:
            return StreamingResponse(_stalling(path, fake.options.download_pause_s), media_type="video/mp4",
                                     headers={"content-length": str(path.stat().st_size)})
    return FileResponse(path)


async def _stalling(path, pause_s: float):
    """The file in two halves with a pause between: a download a test can interrupt in the middle."""
    data = path.read_bytes()
    yield data[: len(data) // 2]
    await asyncio.sleep(pause_s)
    yield data[len(data) // 2:]


async def stats(request: Request) -> Response:
    return JSONResponse(_fake(request).snapshot())


async def forget(request: Request) -> Response:
    try:
        ids = json.loads(await request.body() or b"{}").get("ids")
    except (ValueError, AttributeError):
        return _detail('Give {"ids": [...]} or nothing (forget every generation)', 422, request)
    return JSONResponse({"forgotten": _fake(request).forget(ids)})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return _detail(exc.detail, exc.status_code, request)


def _api_routes() -> list[Route]:
    return [
        Route("/generations", create, methods=["POST"]),
        Route("/generations", list_generations, methods=["GET"]),
        Route("/generations/video", create, methods=["POST"]),
        Route("/generations/image", unsupported, methods=["POST"]),
        Route("/generations/concepts/list", concepts),
        Route("/generations/camera_motion/list", camera_motions),
        Route("/generations/{id}", get_generation, methods=["GET"]),
        Route("/generations/{id}", delete_generation, methods=["DELETE"]),
        Route("/generations/{id}/upscale", upscale, methods=["POST"]),
        Route("/generations/{id}/audio", unsupported, methods=["POST"]),
        Route("/credits", credits),
        Route("/ping", ping),
    ]


def create_app(options: FakeOptions | None = None) -> Starlette:
    """The fake as an ASGI app; `app.state.fake` holds its state (call its close() when done in-process)."""
    options = options or FakeOptions()
    fake = FakeLuma(options)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        fake.close()

    gateway = aigateway.Aigateway(fake)
    routes = [
        Mount(PREFIX, routes=_api_routes(), middleware=[Middleware(RequireKey, api_key=options.api_key,
                                                                   echo=options.echo_auth)]),
        Mount(agents.PREFIX, routes=agents.API_ROUTES, middleware=[Middleware(RequireKey, api_key=options.api_key,
                                                                              echo=options.echo_auth)]),
        *agents.PUBLIC_ROUTES,
        Mount(aigateway.PREFIX, routes=gateway.routes()),  # each gateway checks the key in its own words
        Mount(crazyrouter.PREFIX, routes=crazyrouter.Crazyrouter(fake).routes()),
        Route("/assets/{id}/{name}", asset),
        Route("/_fake/stats", stats),
        Route("/_fake/forget", forget, methods=["POST"]),
    ]
    if options.cdn_dir:
        routes.append(Mount("/cdn", app=StaticFiles(directory=options.cdn_dir), name="cdn"))
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: _http_error})
    app.state.fake, app.state.aigateway = fake, gateway
    app.state.agents = agents.Agents(fake)  # the Agents API dialect's files and URL signing
    return app


class RequireKey:
    """ASGI middleware: the API answers 401 unless a bearer token (the configured one, if any) is sent."""

    def __init__(self, app, api_key: str | None = None, echo: bool = False):
        self.app, self.api_key, self.echo = app, api_key, echo

    async def __call__(self, scope, receive, send) -> None:
        header = dict(scope["headers"]).get(b"authorization", b"") if scope["type"] == "http" else None
        if header is not None and not self._accepts(header):
            detail = "Invalid API key is provided"
            if self.echo:
                detail = careless(detail, header.decode("latin-1"))
            await JSONResponse({"detail": detail}, status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _accepts(self, header: bytes) -> bool:
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.api_key is None or token.strip() == self.api_key
