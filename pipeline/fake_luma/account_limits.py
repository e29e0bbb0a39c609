"""The account's limits as Luma's Build tier keeps them: 10 generations in flight (queued or dreaming) and 20
creates a minute per account (an account is an API key). A create past either is answered 429 and counted as a
violation in the stats, so a test can prove that several clients sharing a key never overstep together."""

from __future__ import annotations

import collections
import hashlib

WINDOW_S = 60.0


def account_of(authorization: str | None) -> str:
    return hashlib.sha256((authorization or "").encode()).hexdigest()[:16]


class AccountLimits:
    def __init__(self, in_flight: int | None, per_minute: int | None):
        self.in_flight, self.per_minute = in_flight, per_minute
        self._creates: collections.defaultdict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque)

    def violation(self, account: str, flying: int, now: float) -> str | None:
        """Why a create now would pass a limit (`flying`: the account's generations queued or dreaming)."""
        if self.in_flight is not None and flying >= self.in_flight:
            return f"Too many concurrent generations: {flying} in progress (limit {self.in_flight})"
        recent = self._creates[account]
        while recent and recent[0] <= now - WINDOW_S:
            recent.popleft()
        if self.per_minute is not None and len(recent) >= self.per_minute:
            return f"Rate limit exceeded: {len(recent)} generations created in the last minute (limit " \
                   f"{self.per_minute})"
        return None

    def created(self, account: str, now: float) -> None:
        self._creates[account].append(now)
