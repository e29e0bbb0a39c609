"""When to ask a provider again whether a generation is done, and the one loop that asks (`until_done`).

Without an expectation, the wait grows with the time already spent (5 % of it), so a finished generation is
noticed at most ~5 % late, between a floor that spares the API and a cap. Once generations in this run have
finished, their median time sets an expectation: nothing is asked before it is nearly due, and then often
(every 2 % of the time spent), so that a chain's next shot starts soon after its parent finishes.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from ..errors import ProviderError
from ..providers.base import JobStatus, Provider

MIN_S, MAX_S = 0.1, 5.0
TIMEOUT_S = 1800.0  # per job: Ray 2 takes about 100 s, and queues can be long
LATE_BLIND, LATE_DUE, DUE_FRACTION = 0.05, 0.02, 0.9


class PollSchedule:
    def __init__(self) -> None:
        self.durations: list[float] = []

    def finished(self, seconds: float) -> None:
        """A generation took `seconds` from create to completed."""
        self.durations.append(seconds)

    def wait(self, elapsed: float) -> float:
        """Seconds to wait before the next poll of a generation created `elapsed` seconds ago."""
        if not self.durations:
            return _clamp(LATE_BLIND * elapsed)
        due = DUE_FRACTION * statistics.median(self.durations)
        return _clamp(due - elapsed if elapsed < due else LATE_DUE * elapsed)


def _clamp(seconds: float) -> float:
    return max(MIN_S, min(MAX_S, seconds))


async def until_done(provider: Provider, job_id: str, *, schedule: PollSchedule | None = None,
                     timeout_s: float = TIMEOUT_S, shot_id: str | None = None, seen: str | None = None,
                     on_change: Callable[[str], None] = lambda state: None, learn: bool = False,
                     clock: Callable[[], float] = time.monotonic,
                     sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                     ask: Callable[[], Awaitable[JobStatus]] | None = None) -> JobStatus:
    """Poll `job_id` until it is completed or failed; a retryable ProviderError after `timeout_s`.

    `on_change(state)` hears each state that differs from the last one seen (`seen`: what the caller knows
    already). With `learn`, the time to completion teaches `schedule` (only for a job created just now: a
    resumed job's age is unknown). Waits never go below the provider's declared minimum poll interval.
    `ask` replaces `provider.status(job_id)` (the engine's adds what it does with unknown answers).
    """
    schedule = schedule or PollSchedule()
    floor, started = provider.capabilities.min_poll_s, clock()
    ask = ask or (lambda: provider.status(job_id))
    while not (status := await ask()).done:
        if status.state != seen:
            on_change(seen := status.state)
        waited = clock() - started
        if waited > timeout_s:
            raise ProviderError(f"still {status.state} after {timeout_s:g} s; run again to keep waiting for it",
                                shot_id=shot_id, job_id=job_id, retryable=True)
        await sleep(max(schedule.wait(waited), floor))
    if learn and status.state == "completed":
        schedule.finished(clock() - started)
    return status
