"""Running an ASGI app with uvicorn on a loopback port: in the foreground until Ctrl-C, or in a thread for
tests and benchmarks. Shared by the fake Luma server and the preview server."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from .errors import PipelineError


def bound(host: str, port: int, *, what: str) -> socket.socket:
    """A listening socket, so that a busy port is a PipelineError rather than uvicorn's exit (port 0: any)."""
    if not 0 <= port <= 65535:
        raise PipelineError(f"the {what} cannot listen on port {port}: give a --port from 1 to 65535 (0: any free one)")
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        why = ("another program is listening there" if exc.errno == errno.EADDRINUSE
               else os.strerror(exc.errno) if exc.errno else str(exc))
        raise PipelineError(f"the {what} cannot listen on {host}:{port} ({why}): "
                            "choose another --port (0: any free one)") from exc


def serve_until_interrupted(config: uvicorn.Config, sock: socket.socket) -> None:
    with sock, contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the signal after shutting down
        uvicorn.Server(config).run(sockets=[sock])


@contextlib.contextmanager
def in_thread(config: uvicorn.Config, sock: socket.socket, *, name: str,
              timeout: float = 10.0) -> Iterator[uvicorn.Server]:
    """Serve on `sock` in a background thread for the duration of the block."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise PipelineError(f"the {name} server did not start")
            time.sleep(0.01)
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
