"""What a run would do now for each shot, from the plan, the journal and the files on disk. No provider calls.

The same decisions drive `pipeline status`, the estimate shown before spending, and the run engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..files import sha256_of
from ..plan import Plan, PlannedShot
from .journal import PENDING, Entry, Journal


class Action(Enum):
    FOOTAGE = "footage"  # existing footage, played as is
    CACHED = "cached"  # the verified clip is on disk: nothing to do
    FETCH_AGAIN = "fetch again"  # the clip went missing; its video is still at the asset URL
    RESUME = "resume"  # a job was created earlier: poll it, no new create
    RECOVER = "recover"  # a create was sent but its answer never journaled: find it by its echo first
    GENERATE = "generate"  # nothing usable: create (and pay for) a generation

    @property
    def pays(self) -> bool:
        return self is Action.GENERATE


@dataclass(frozen=True)
class Decision:
    shot: PlannedShot
    action: Action
    entry: Entry | None
    why: str


def clip_path(out_dir: Path, planned: PlannedShot) -> Path:
    """Where a shot's clip lives: named by id for people and by key so that an edit never reuses stale pixels."""
    return out_dir / "clips" / f"{planned.id}-{planned.key[:12]}.mp4"


def decide(plan: Plan, journal: Journal | None, out_dir: Path) -> list[Decision]:
    """Each shot's action; with no journal (nothing run yet into out_dir), everything is still to do."""
    return [_decide(p, journal.get(p.key) if journal else None, out_dir) for p in plan.shots]


def _decide(planned: PlannedShot, entry: Entry | None, out_dir: Path) -> Decision:
    def made(action: Action, why: str) -> Decision:
        return Decision(planned, action, entry, why)

    if not planned.generate:
        return made(Action.FOOTAGE, f"footage {planned.shot.clip}")
    if entry is None:
        return made(Action.GENERATE, "not generated yet")
    if entry.state == "fetched":
        if entry.file and intact(Path(entry.file), entry.checksum):
            return made(Action.CACHED, "clip on disk, unchanged")
        if entry.asset_url:
            return made(Action.FETCH_AGAIN, "the clip is missing or changed; its video is still online")
        return made(Action.GENERATE, "the clip is missing or changed and cannot be fetched again")
    if entry.state in PENDING and entry.job_id:
        return made(Action.RESUME, f"{entry.state} as {entry.job_id}: poll it")
    if entry.state == "intent":
        return made(Action.RECOVER, "a create was interrupted: look for it before creating again")
    return made(Action.GENERATE, f"the last attempt failed ({entry.failure_reason or 'no reason given'})")


def intact(path: Path, checksum: str | None) -> bool:
    return path.is_file() and (checksum is None or sha256_of(path) == checksum)


def to_pay_usd(decisions: list[Decision]) -> float:
    """The estimate of what the run would spend: only shots that need a new generation."""
    return round(sum(d.shot.estimated_cost_usd for d in decisions if d.action.pays), 2)
