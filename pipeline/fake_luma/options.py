"""What the fake Luma server is told to do: latency, injected faults, variants the real API leaves open."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .billing import CENTS_PER_SECOND

# "accepted_5xx": the create was accepted (the generation exists and is charged) but the answer is a 500, 502
# or 504, as from a gateway that failed after passing the create on.
FAULT_KINDS = ("429", "500", "503", "drop", "failed", "truncate", "accepted_5xx")
# The faults injected unless told otherwise: the first six, so seeded runs repeat as they did before
# "accepted_5xx" was added (adding a kind changes which one each seeded pick lands on).
DEFAULT_FAULTS = FAULT_KINDS[:6]
# Which endpoints each fault can strike. "drop", "failed" and "accepted_5xx" only make sense for a create (the
# generation exists, the client is left to find out); "truncate" only for a video download.
FAULTS_BY_ENDPOINT = {
    "create": ("429", "500", "503", "drop", "failed", "accepted_5xx"),
    "get": ("429", "500", "503"),
    "list": ("429", "500", "503"),
    "download": ("429", "500", "503", "truncate"),
}
TRANSIENT_REASONS = ("Job failed", "Prompt processing failed", "Error dispatching job")


@dataclass
class FakeOptions:
    """Options of the fake. Times are seconds from the create, read on `clock` (time.monotonic unless a
    test passes a clock it advances itself, so that no state depends on how fast the machine is).

    latency: when set, the total time to completed, split 1:4 between queued and dreaming (overrides
    queued_s and dreaming_s). A generation also stays dreaming until its video is rendered.
    fault_rate: the chance that a request to an endpoint that can fail (create, get, list, download) gets
    one of `faults` instead of its answer; seed makes the sequence repeatable (one stream per endpoint, so
    polling more or less does not change which creates fail).
    credit_balance, prices_cents_per_s: the account's starting balance in USD cents and what a generated
    second costs (one rate, or per (model, resolution)); charged at create, refunded when a generation fails.
    account_in_flight, account_creates_per_minute: the account's limits (an account is an API key); a create
    past one is answered 429 and counted in the stats as a violation (None: no limit).
    echo_auth: play a careless server: every error body and failure_reason quotes the request's
    Authorization header, so tests can prove the key never leaks from the client.
    """

    queued_s: float = 1.0
    dreaming_s: float = 4.0
    latency: float | None = None
    fault_rate: float = 0.0
    faults: tuple[str, ...] = DEFAULT_FAULTS
    seed: int | None = None
    failure_reasons: tuple[str, ...] = TRANSIENT_REASONS  # what an injected "failed" fault says
    retry_after_s: float = 1.0  # the Retry-After of an injected 429
    extension_includes_parent: bool = False  # the extension's video also holds its parent's footage
    repeat_join_frame: bool = False  # an extension's video opens on its parent's last frame again
    api_key: str | None = None  # accept only this key; None accepts any non-empty bearer token
    credit_balance: float = 100_000.0  # USD cents
    prices_cents_per_s: float | Mapping[tuple[str, str], float] = field(default_factory=lambda: CENTS_PER_SECOND)
    echo_auth: bool = False
    concepts_refused_for: tuple[str, ...] = ()  # models whose creates with concepts are refused (400)
    durations: tuple[str, ...] = ("5s", "9s")  # duration strings accepted; others are refused (400)
    cdn_dir: Path | None = None  # served at /cdn/ as the user's public keyframe host
    work_dir: Path | None = None  # where videos are rendered; a temp folder removed on close by default
    public_url: str | None = None  # base of asset URLs; by default the address the request came in on
    render: Callable | None = None  # render(ShotRequest, dest); default pipeline.animatic.render_shot
    render_workers: int = 2
    account_in_flight: int | None = 10  # an account's generations queued or dreaming at once (Build tier)
    account_creates_per_minute: int | None = 20  # an account's creates in any minute (Build tier)
    create_delay_s: float = 0.0  # a create is held this long before the generation is made (a create in flight)
    create_answer_delay_s: float = 0.0  # the generation exists this long before the create is answered
    download_pause_s: float = 0.0  # a video download stalls this long halfway through
    agents_output_ttl_s: float = 3600.0  # how long an Agents API output (or upload) URL works
    clock: Callable[[], float] = time.monotonic

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
