"""A fake Luma Dream Machine API server for tests, benchmarks and dry runs (not a provider).

    serve(FakeOptions(latency=5, fault_rate=0.1, seed=1), host="127.0.0.1", port=8800)
    # then: LUMAAI_BASE_URL=http://127.0.0.1:8800/dream-machine/v1 LUMAAI_API_KEY=anything
    # or, for Luma's Agents API (Ray 3.2): LUMA_BASE_URL=http://127.0.0.1:8800/agents/v1 LUMA_AGENTS_API_KEY=...

In-process: `httpx.ASGITransport(create_app(options))`; on loopback in a thread: `with running(options) as srv`.
Time is a seam: `FakeOptions(clock=testing.ManualClock())` moves a generation on only when the test says.
"""

from .app import PREFIX, create_app
from .faults import ConnectionDropped
from .options import DEFAULT_FAULTS, FAULT_KINDS, FakeOptions
from .server import RunningFake, running, serve
from .store import FAIL_MARKER, FakeLuma

__all__ = [
    "DEFAULT_FAULTS", "FAIL_MARKER", "FAULT_KINDS", "PREFIX", "ConnectionDropped", "FakeLuma", "FakeOptions",
    "RunningFake", "create_app", "running", "serve",
]
