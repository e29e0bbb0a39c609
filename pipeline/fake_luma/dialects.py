"""What the gateways' dialects of the fake share: the key check, error answers in a dialect's shape, and
starting a generation in the shared store, rendered like the v1 dialect's (render.py) with inline images.

Each dialect translates its request into a v1 request (validate.check_request refuses what Luma refuses), so
the generations, their clock, the account, the faults and the stats are the same for every dialect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..providers.base import ImageKeyframe
from . import render
from .faults import accepted_5xx, drop_connection
from .store import FakeLuma, Generation
from .validate import Refusal, check_request

# Error bodies by dialect: (code, message, status) -> JSON.
Shape = Callable[[str, str], dict]
FAULT_ANSWERS = {"429": ("rate_limited", "Too many requests: rate limit exceeded", 429),
                 "500": ("server_error", "Internal server error", 500),
                 "503": ("service_unavailable", "Service temporarily unavailable", 503)}


def fake_of(request: Request) -> FakeLuma:
    return request.app.state.fake


def error(shape: Shape, code: str, message: str, status: int, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(shape(code, message), status_code=status, headers=headers)


def refused_key(request: Request, shape: Shape) -> Response | None:
    """A 401 unless a bearer token (the configured one, if any) is sent; None when the key is accepted."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    wanted = fake_of(request).options.api_key
    if scheme.lower() == "bearer" and token.strip() and (wanted is None or token.strip() == wanted):
        return None
    return error(shape, "authentication_error", "Invalid API key", 401)


def fault_answer(request: Request, fault: str, shape: Shape) -> Response:
    """An injected error answer (counted as the v1 dialect counts it); the 429 carries Retry-After."""
    fake = fake_of(request)
    fake.count("faults")
    fake.count(f"faults_{fault}")
    code, message, status = FAULT_ANSWERS[fault]
    headers = {"Retry-After": f"{fake.options.retry_after_s:g}"} if fault == "429" else None
    return error(shape, code, message, status, headers)


async def json_body(request: Request) -> dict:
    """The request's JSON object; Refusal (422) for anything else."""
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise Refusal("Request body is not valid JSON", status=422) from None
    if not isinstance(body, dict):
        raise Refusal("Request body must be a JSON object", status=422)
    return body


def unknown_fields(body: dict, allowed: set[str]) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise Refusal(f"Unknown field(s): {', '.join(extra)}")


def charge_check(fake: FakeLuma, v1_body: dict) -> None:
    """Refusal (402) when the account cannot pay for the create."""
    if fake.balance < (price := fake.price_of(v1_body)):
        fake.count("refused_credits")
        raise Refusal(f"Insufficient credits: this generation costs {price:g} credits (USD cents) and the balance "
                      f"is {fake.balance:g}; add credits to your account", status=402)


async def accept(request: Request, v1_body: dict, fault: str | None, answer: Callable[[Generation], dict], *,
                 inline: dict[str, Path] | None = None, status: int = 200) -> Response:
    """Create the generation for a checked v1 body (charged, rendered), then answer as the fault says."""
    fake = fake_of(request)
    frames = check_request(v1_body, fake.options)
    charge_check(fake, v1_body)
    injected = fake.faults.stream("reasons").choice(fake.options.failure_reasons) if fault == "failed" else None
    generation = fake.new_generation(v1_body, failure_reason=injected, auth=request.headers.get("authorization"))
    if fault:
        fake.count("faults")
        fake.count(f"faults_{fault}")
    if not generation.failure_reason:
        start_render(fake, generation, frames, str(request.base_url), inline or {})
    if fault == "drop":
        return await drop_connection(request)
    if fault == "accepted_5xx":
        return accepted_5xx(request)
    await asyncio.sleep(fake.options.create_answer_delay_s)
    return JSONResponse(answer(generation), status_code=status)


def start_render(fake: FakeLuma, generation: Generation, frames: dict, own_base: str,
                 inline: dict[str, Path]) -> None:
    """As render.start, with images that came inline (base64) read from the files they were written to."""
    try:
        shot = render.shot_request(fake, generation, frames, own_base)
    except render.UnreadableKeyframe:
        fake.mark_failed(generation, render.UNREADABLE_FRAMES)
        return
    ends = {end: ImageKeyframe(path=inline[frame["url"]])
            for end, name in (("start", "frame0"), ("end", "frame1"))
            if (frame := frames.get(name)) and frame["type"] == "image" and frame["url"] in inline}
    generation.render = fake.pool.submit(render._render, fake, generation, replace(shot, **ends),
                                         render._parent_video(fake, frames))


def refusal_answer(exc: Refusal, shape: Shape, fake: FakeLuma) -> Response:
    """A Refusal in the dialect's shape: 402 insufficient_credits, else invalid_request."""
    if exc.status != 402:
        fake.count("refused")
    detail = exc.detail if isinstance(exc.detail, str) else "; ".join(
        f"{'.'.join(str(p) for p in item.get('loc', ()))}: {item.get('msg')}" for item in exc.detail)
    code = "insufficient_credits" if exc.status == 402 else "invalid_request"
    return error(shape, code, detail, exc.status)


def asset_urls(request: Request, generation: Generation) -> str:
    base = (fake_of(request).options.public_url or str(request.base_url)).rstrip("/")
    return f"{base}/assets/{generation.id}/video.mp4"
