"""A rehearsal inside a run (`pipeline run --rehearse`): the fake on a free loopback port for the run's duration,
quiet, serving the storyboard's folder as the public keyframe host, with a key that is no one's secret.

Which paid providers a rehearsal can stand in for, and whether the environment already points one at a stand-in
(LUMAAI_BASE_URL to a fake): either way a rehearsal's clips are keyed apart, so a real run never takes them for
paid ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .options import FakeOptions
from .server import running
from .store import FakeLuma

REHEARSED = ("luma",)  # the paid providers this fake plays
REHEARSAL_KEY = "rehearsal-key-not-a-secret"  # sent instead of any real key, which never leaves for a fake
LATENCY_S = 1.0  # create to completed, rendering aside: a rehearsal shows the flow, not Luma's waiting


@dataclass(frozen=True)
class StandIn:
    root: str  # http://127.0.0.1:PORT
    api: str  # the provider's base URL
    api_key: str
    asset_base_url: str  # where the storyboard's folder is served, as asset_base_url would be
    fake: FakeLuma


@contextlib.contextmanager
def stand_in(storyboard_dir: Path, *, latency_s: float = LATENCY_S) -> Iterator[StandIn]:
    """The fake for the block, stopped after it however the block ends (Ctrl-C included)."""
    options = FakeOptions(latency=latency_s, cdn_dir=storyboard_dir, api_key=REHEARSAL_KEY)
    with running(options) as server:
        yield StandIn(root=server.root, api=server.api, api_key=REHEARSAL_KEY,
                      asset_base_url=server.root + "/cdn/", fake=server.fake)


def configured_stand_in(provider: str) -> bool:
    """Whether the environment points `provider` at another server than its own (the fake, by hand)."""
    if provider != "luma":
        return False
    from ..providers.luma.client import DEFAULT_BASE_URL, base_url_from_env

    return base_url_from_env().strip().rstrip("/") != DEFAULT_BASE_URL
