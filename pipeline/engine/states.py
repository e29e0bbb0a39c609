"""The states a shot's generation goes through, in one enum for the journal, the engine, status and preview.

    intent -> queued -> dreaming -> completed -> fetched      (the clip is on disk, verified)
                                 \\-> failed                  (refunded; a new create passes the money gate)

An `intent` row means a create is about to be sent or was sent and not answered: the job may exist, so it is
looked for before anything is created again. A state string the code does not know is an error naming the shot
(`JobState.parse`), never a reason to create: after a kill or a downgrade it could mean paying twice.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import PipelineError


class JobState(StrEnum):
    INTENT = "intent"
    QUEUED = "queued"
    DREAMING = "dreaming"
    COMPLETED = "completed"
    FETCHED = "fetched"
    FAILED = "failed"

    @property
    def pending(self) -> bool:
        """A job that may exist remotely and whose clip is not on disk yet."""
        return self in PENDING

    @property
    def done(self) -> bool:
        """The provider has finished with it (a status worth no more polling)."""
        return self in (JobState.COMPLETED, JobState.FAILED, JobState.FETCHED)

    @classmethod
    def parse(cls, value: str, *, shot_id: str, forget: str) -> JobState:
        try:
            return cls(value)
        except ValueError:
            raise UnknownState(shot_id, value, forget) from None


PENDING = frozenset({JobState.INTENT, JobState.QUEUED, JobState.DREAMING, JobState.COMPLETED})


class UnknownState(PipelineError):
    """A journaled state this version does not know (a newer version wrote it, or the journal was edited)."""

    def __init__(self, shot_id: str, value: str, forget: str):
        self.shot_id, self.value = shot_id, value
        super().__init__(f"shot {shot_id}: the journal says {value!r}, a state this version does not know, so "
                         f"nothing is created for it; if you are sure no generation is running for it, "
                         f"`{forget}` lets the next run plan a new one (with an estimate)")
