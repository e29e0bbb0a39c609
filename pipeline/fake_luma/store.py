"""The fake's state: generations whose state follows the fake's clock, the account, the stats, the faults."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .account_limits import AccountLimits, account_of
from .billing import price_cents
from .options import FAULTS_BY_ENDPOINT, FakeOptions
from .validate import duration_s

ECHO_DEFAULTS = {"generation_type": "video", "prompt": None, "aspect_ratio": "16:9", "loop": False,
                 "keyframes": None, "callback_url": None, "model": None, "resolution": None,
                 "duration": None, "concepts": None}
# A prompt containing "[[fail: <reason>]]" ends failed with that reason: how tests reach each documented one.
FAIL_MARKER = re.compile(r"\[\[fail:\s*([^\]]+?)\s*\]\]")


@dataclass
class Generation:
    id: str
    request: dict
    created_at: str
    created: float  # on the fake's clock
    queued_s: float
    dreaming_s: float
    failure_reason: str | None = None  # decided at create (injected or by marker), or by a failed render
    charged_cents: float = 0.0
    echoed_auth: str | None = None  # the create's Authorization header, quoted by a careless server
    account: str = ""  # a digest of the create's API key: whose limits it counts against
    render: Future | None = None
    video: Path | None = None
    thumb: Path | None = None

    def state(self, now: float) -> str:
        elapsed = now - self.created
        if elapsed < self.queued_s:
            return "queued"
        if elapsed < self.queued_s + self.dreaming_s or (self.render is not None and not self.render.done()):
            return "dreaming"
        return "failed" if self.failure_reason else "completed"

    def to_json(self, asset_base: str, now: float) -> dict:
        state = self.state(now)
        assets = None
        if state == "completed":
            assets = {"video": f"{asset_base}/assets/{self.id}/video.mp4",
                      "image": f"{asset_base}/assets/{self.id}/thumb.jpg", "progress_video": None}
        return {"id": self.id, "generation_type": "video", "state": state,
                "failure_reason": self._reason() if state == "failed" else None,
                "created_at": self.created_at, "assets": assets, "model": self.request.get("model"),
                "request": self.request}

    def _reason(self) -> str | None:
        if self.echoed_auth is None:
            return self.failure_reason
        return f"{self.failure_reason} (request: Authorization: {self.echoed_auth})"


def echo(body: dict) -> dict:
    """The request as Luma echoes it: every field present, nulls included."""
    return {**ECHO_DEFAULTS, **{k: v for k, v in body.items() if k in ECHO_DEFAULTS and v is not None}}


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Faults:
    """Seeded fault picks, one random stream per endpoint."""

    def __init__(self, options: FakeOptions):
        self.rate, self.kinds, self.seed = options.fault_rate, options.faults, options.seed
        self._streams: dict[str, random.Random] = {}

    def pick(self, endpoint: str) -> str | None:
        rng = self.stream(endpoint)
        kinds = [k for k in FAULTS_BY_ENDPOINT[endpoint] if k in self.kinds]
        if not kinds or rng.random() >= self.rate:
            return None
        return rng.choice(kinds)

    def stream(self, endpoint: str) -> random.Random:
        if endpoint not in self._streams:
            seeded = self.seed is not None
            self._streams[endpoint] = random.Random(f"{self.seed}:{endpoint}") if seeded else random.Random()
        return self._streams[endpoint]


class FakeLuma:
    """Everything the fake remembers; thread-safe where render workers touch it."""

    def __init__(self, options: FakeOptions):
        self.options = options
        self.clock = options.clock
        self.faults = Faults(options)
        self.generations: dict[str, Generation] = {}
        self.stats: Counter[str] = Counter()
        self.balance = options.credit_balance
        self._lock = threading.Lock()
        self.limits = AccountLimits(options.account_in_flight, options.account_creates_per_minute)
        self._own_dir = options.work_dir is None
        self.work_dir = Path(options.work_dir or tempfile.mkdtemp(prefix="fake-luma-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.pool = ThreadPoolExecutor(max_workers=options.render_workers, thread_name_prefix="fake-luma")

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.stats[name] += n

    def price_of(self, body: dict) -> float:
        """What a create of `body` is charged, in USD cents."""
        return price_cents(self.options.prices_cents_per_s, echo(body), duration_s(body.get("duration")) or 0)

    def new_generation(self, body: dict, failure_reason: str | None = None, auth: str | None = None) -> Generation:
        """A generation for an accepted create, charged in advance (as Luma pre-charges)."""
        queued_s, dreaming_s = self.options.state_times()
        marker = FAIL_MARKER.search(body.get("prompt") or "")
        generation = Generation(
            id=str(uuid.uuid4()), request=echo(body), created_at=iso_now(), created=self.clock(),
            queued_s=queued_s, dreaming_s=dreaming_s, charged_cents=self.price_of(body),
            failure_reason=failure_reason or (marker.group(1) if marker else None),
            echoed_auth=auth if self.options.echo_auth else None, account=account_of(auth))
        with self._lock:
            self.limits.created(generation.account, generation.created)
            self.generations[generation.id] = generation
            self.balance -= generation.charged_cents
            self.stats["creates"] += 1
            self.stats["charged_cents"] += generation.charged_cents
        if generation.failure_reason:
            self.mark_failed(generation, generation.failure_reason)
        return generation

    def over_limit(self, auth: str | None) -> str | None:
        """Why a create by this key now would pass the account's limits (counted as a violation), or None."""
        account, now = account_of(auth), self.clock()
        with self._lock:
            flying = sum(g.account == account and g.state(now) in ("queued", "dreaming")
                         for g in self.generations.values())
            why = self.limits.violation(account, flying, now)
            if why:
                self.stats["limit_violations"] += 1
                self.stats["violations_in_flight" if "concurrent" in why else "violations_per_minute"] += 1
        return why

    def mark_failed(self, generation: Generation, reason: str) -> None:
        with self._lock:
            generation.failure_reason = reason
            self.balance += generation.charged_cents  # Luma refunds failed generations in full
            self.stats["refunded_cents"] += generation.charged_cents
            self.stats["failed"] += 1

    def state_of(self, generation: Generation) -> str:
        return generation.state(self.clock())

    def forget(self, ids: list[str] | None = None) -> int:
        """Drop generations (all of them by default), as if deleted or made with another account: their ids
        then answer 404. Returns how many were known."""
        with self._lock:
            gone = [i for i in (self.generations if ids is None else ids) if i in self.generations]
            for generation_id in gone:
                del self.generations[generation_id]
            self.stats["forgotten"] += len(gone)
            return len(gone)

    def newest_first(self) -> list[Generation]:
        # Insertion order, not the clock: a test clock that stands still must not reorder the list.
        with self._lock:
            return list(reversed(self.generations.values()))

    def snapshot(self) -> dict:
        with self._lock:
            return {"creates": 0, "limit_violations": 0, "gets": 0, "lists": 0, "downloads": 0, "failed": 0,
                    "faults": 0, "charged_cents": 0.0, "refunded_cents": 0.0, **self.stats,
                    "credit_balance": self.balance, "generations": len(self.generations)}

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
