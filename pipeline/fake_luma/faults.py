"""How the fake misbehaves on purpose: error answers (before or after a create was accepted), a dropped
connection, a truncated download, and error bodies that quote the caller's key."""

from __future__ import annotations

import contextvars
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .store import FakeLuma

_AFTER_CREATE = (("Internal server error", 500), ("Bad gateway", 502), ("Gateway timeout", 504))

# Set by the uvicorn protocol in server.py for the request being served, so a handler can cut its connection.
CURRENT_TRANSPORT: contextvars.ContextVar = contextvars.ContextVar("fake_luma_transport", default=None)

_ANSWERS = {
    "429": ("Too many requests: rate limit exceeded", 429),
    "500": ("Internal server error", 500),
    "503": ("Service temporarily unavailable", 503),
}


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised in-process (httpx.ASGITransport re-raises app errors), so the client sees a dropped connection."""


def error_answer(request: Request, message, status: int, headers: dict | None = None) -> JSONResponse:
    """Luma's error body; under echo_auth it quotes the request's Authorization header, as a careless server."""
    if request.app.state.fake.options.echo_auth:
        message = careless(message, request.headers.get("authorization"))
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def careless(message, authorization: str | None):
    """`message` (a string, or a list of validation errors) with the Authorization header quoted in it."""
    said = f"request had Authorization: {authorization}"
    if isinstance(message, list):
        return [*message, {"loc": ["header", "authorization"], "msg": said, "type": "value_error"}]
    return f"{message} ({said})"


def answer_fault(request: Request, fault: str) -> Response:
    """An injected error answer; the 429 carries Retry-After."""
    fake: FakeLuma = request.app.state.fake
    fake.count("faults")
    fake.count(f"faults_{fault}")
    detail, status = _ANSWERS[fault]
    headers = {"Retry-After": f"{fake.options.retry_after_s:g}"} if fault == "429" else None
    return error_answer(request, detail, status, headers)


def accepted_5xx(request: Request) -> Response:
    """The answer to a create that was accepted (the generation exists and was charged): a 500, 502 or 504,
    as from a gateway that passed the create on and then failed."""
    detail, status = request.app.state.fake.faults.stream("accepted").choice(_AFTER_CREATE)
    return error_answer(request, detail, status)


async def drop_connection(request: Request) -> Response:
    """Close the connection without answering. Under uvicorn (server.py) the socket is aborted; in-process
    an exception stands in for it."""
    transport = CURRENT_TRANSPORT.get()
    if transport is None:
        raise ConnectionDropped("Server disconnected without sending a response.")
    transport.abort()
    while (await request.receive())["type"] != "http.disconnect":  # until uvicorn has noticed the loss
        pass
    return Response(status_code=204)  # never sent: the server drops writes to a lost connection


def truncated(fake: FakeLuma, path: Path) -> Response:
    """The first half of the file, served as if it were all of it (Content-Length agrees)."""
    fake.count("faults")
    fake.count("faults_truncate")
    data = path.read_bytes()
    return Response(data[: len(data) // 2], media_type="video/mp4")
