"""What the fake Luma server is told to do: latency, injected faults, variants the real API leaves open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FAULT_KINDS = ("429", "500", "503", "drop", "failed", "truncate")
# Which endpoints each fault can strike. "drop" and "failed" only make sense for a create (the generation
# exists, the client is left to find out); "truncate" only for a video download.
FAULTS_BY_ENDPOINT = {
    "create": ("429", "500", "503", "drop", "failed"),
    "get": ("429", "500", "503"),
    "list": ("429", "500", "503"),
    "download": ("429", "500", "503", "truncate"),
}
TRANSIENT_REASONS = ("Job failed", "Prompt processing failed", "Error dispatching job")


@dataclass
class FakeOptions:
    """Options of the fake. Times are wall-clock seconds from the create.

    latency: when set, the total time to completed, split 1:4 between queued and dreaming (overrides
    queued_s and dreaming_s). A generation also stays dreaming until its video is rendered.
    fault_rate: the chance that a request to an endpoint that can fail (create, get, list, download) gets
    one of `faults` instead of its answer; seed makes the sequence repeatable (one stream per endpoint, so
    polling more or less does not change which creates fail).
    """

    queued_s: float = 1.0
    dreaming_s: float = 4.0
    latency: float | None = None
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULT_KINDS
    seed: int | None = None
    failure_reasons: tuple[str, ...] = TRANSIENT_REASONS  # what an injected "failed" fault says
    retry_after_s: float = 1.0  # the Retry-After of an injected 429
    extension_includes_parent: bool = False  # the extension's video also holds its parent's footage
    api_key: str | None = None  # accept only this key; None accepts any non-empty bearer token
    credit_balance: float = 100_000.0  # USD cents; each create is charged, refunded when it fails
    price_cents: float = 40.0
    cdn_dir: Path | None = None  # served at /cdn/ as the user's public keyframe host
    work_dir: Path | None = None  # where videos are rendered; a temp folder removed on close by default
    public_url: str | None = None  # base of asset URLs; by default the address the request came in on
    render: Callable | None = None  # render(ShotRequest, dest); default pipeline.animatic.render_shot
    render_workers: int = 2
    create_answer_delay_s: float = 0.0  # the generation exists this long before the create is answered
    download_pause_s: float = 0.0  # a video download stalls this long halfway through

    def state_times(self) -> tuple[float, float]:
        """(queued, dreaming) seconds."""
        if self.latency is not None:
            return self.latency * 0.2, self.latency * 0.8
        return self.queued_s, self.dreaming_s

    def __post_init__(self) -> None:
        unknown = set(self.faults) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}: choose among {', '.join(FAULT_KINDS)}")
        if not 0 <= self.fault_rate <= 1:
            raise ValueError(f"fault_rate must be between 0 and 1, not {self.fault_rate}")
