"""When to ask a provider again whether a generation is done.

Without an expectation, the wait grows with the time already spent (5 % of it), so a finished generation is
noticed at most ~5 % late, between a floor that spares the API and a cap. Once generations in this run have
finished, their median time sets an expectation: nothing is asked before it is nearly due, and then often
(every 2 % of the time spent), so that a chain's next shot starts soon after its parent finishes.
"""

from __future__ import annotations

import statistics

MIN_S, MAX_S = 0.1, 5.0
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
