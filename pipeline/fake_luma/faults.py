"""How the fake misbehaves on purpose: error answers, a dropped connection, a truncated download."""

from __future__ import annotations

import contextvars
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .store import FakeLuma

# Set by the uvicorn protocol in server.py for the request being served, so a handler can cut its connection.
CURRENT_TRANSPORT: contextvars.ContextVar = contextvars.ContextVar("fake_luma_transport", default=None)

_ANSWERS = {
    "429": ("Too many requests: rate limit exceeded", 429),
    "500": ("Internal server error", 500),
    "503": ("Service temporarily unavailable", 503),
}


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised in-process (httpx.ASGITransport re-raises app errors), so the client sees a dropped connection."""


def answer_fault(fake: FakeLuma, fault: str) -> Response:
    """An injected error answer; the 429 carries Retry-After."""
    fake.count("faults")
    fake.count(f"faults_{fault}")
    detail, status = _ANSWERS[fault]
    headers = {"Retry-After": f"{fake.options.retry_after_s:g}"} if fault == "429" else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


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
