"""What a run would do now for each shot, from the plan, the journal and the files on disk. No provider calls.

The same decisions drive `pipeline status`, the estimate shown before spending, and the run engine itself, so
every path that could create is counted in the estimate before the gate.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from ..files import sha256_of
from ..layout import Layout
from ..plan import Plan, PlannedShot
from . import changes, clip_records
from .journal import Entry
from .ledger import Ledger
from .states import JobState, UnknownState


class Action(Enum):
    FOOTAGE = "footage"  # existing footage, played as is
    CACHED = "cached"  # the verified clip is on disk: nothing to do
    FETCH_AGAIN = "fetch again"  # the clip went missing; its generation is asked for its video again
    RESUME = "resume"  # a job was created earlier: poll it, no new create
    RECOVER = "recover"  # a create was sent but its answer never journaled: find it by its echo first
    GENERATE = "generate"  # nothing usable: create (and pay for) a generation
    BLOCKED = "blocked"  # the journal says something this version cannot act on: the user decides

    @property
    def pays(self) -> bool:
        """Could create, so it is counted in the estimate (a RECOVER creates if its job is not found)."""
        return self in (Action.GENERATE, Action.RECOVER)


@dataclass(frozen=True)
class Decision:
    shot: PlannedShot
    action: Action
    entry: Entry | None
    why: str
    draft: Entry | None = None  # an upscaled shot's finished draft: the generation later shots extend

    @property
    def lineage_job(self) -> str | None:
        """The generation a shot extending this one extends."""
        held = self.draft if self.shot.look and self.shot.look.upscale else self.entry
        return held.job_id if held else None


def decide(plan: Plan, journal: Ledger | None, layout: Layout, *, gone: Collection[str] = (),
           forget_hint: str = "pipeline forget FILE SHOT", takes: bool = False) -> list[Decision]:
    """Each shot's action (at its picked take), then with `takes` each other take's; `gone` holds keys whose
    generation the provider no longer has (found by the run)."""
    by_id = {p.id: p for p in plan.shots}
    made: dict[str, Decision] = {}

    def of(planned: PlannedShot) -> Decision:  # parents first: a shot may lead into a later one
        if planned.picked and planned.id in made:
            return made[planned.id]
        needs = {n: of(by_id[n]) for n in (planned.parent, planned.end_ref) if n}
        entry = journal.get(planned.key) if journal else None
        decision = _decide(planned, entry, layout, needs, gone, forget_hint,
                           lambda: _what_changed(planned, journal, layout, by_id), journal)
        if planned.look and planned.look.upscale:
            decision = _upscaling(decision, _draft(planned, journal, layout))
        if planned.picked:
            made[planned.id] = decision
        return decision

    return [of(p) for p in (plan.every_take if takes else plan.shots)]


def again(planned: PlannedShot, entry: Entry | None, layout: Layout, *, before: Decision,
          forget_hint: str = "pipeline forget FILE SHOT") -> Decision:
    """The shot's action from its journal entry as it is now, where another machine may have moved it on since
    the run decided (its parents were settled then). Where the entry is unchanged, the first decision stands."""
    if entry == before.entry:
        return before
    return _decide(planned, entry, layout, {}, (), forget_hint, lambda: before.why)


def _decide(planned: PlannedShot, entry: Entry | None, layout: Layout, needs: Mapping[str, Decision],
            gone: Collection[str], forget_hint: str, changed: Callable[[], str],
            journal: Ledger | None = None) -> Decision:
    if not planned.generate:
        return Decision(planned, Action.FOOTAGE, None, f"footage {planned.shot.clip}")
    entry = entry or clip_records.read(layout, planned.id, planned.key)

    def made(action: Action, why: str) -> Decision:
        return Decision(planned, action, entry, why)

    if entry is None:
        return made(Action.GENERATE, changed())
    try:
        state = JobState.parse(entry.state, shot_id=planned.id, forget=forget_hint.replace("SHOT", planned.id))
    except UnknownState as exc:
        return made(Action.BLOCKED, str(exc))
    if stale := _stale(planned, entry, needs):
        return made(Action.GENERATE, stale)
    return _by_state(planned, entry, state, layout, gone, made, journal)


def _by_state(planned, entry: Entry, state: JobState, layout: Layout, gone, made,
              journal: Ledger | None) -> Decision:
    if state is JobState.FETCHED:
        if entry.file and intact(layout.resolve(entry.file), entry.checksum, journal):
            return made(Action.CACHED, "clip on disk, unchanged" if entry.updated_at else "clip on disk "
                        "(its record rebuilds the journal)")
        if planned.key in gone:
            return made(Action.GENERATE, "its clip is missing and its generation is gone")
        return made(Action.FETCH_AGAIN, "its clip is missing or changed: fetched again from its generation, not "
                    "created again")
    if state.pending and entry.job_id:
        return made(Action.RESUME, f"{state} as {entry.job_id}: poll it")
    if state is JobState.INTENT:
        return made(Action.RECOVER, "a create was interrupted: look for it before creating again")
    return made(Action.GENERATE, f"the last attempt failed ({entry.failure_reason or 'no reason given'})")


def _stale(planned: PlannedShot, entry: Entry | None, needs: Mapping[str, Decision]) -> str | None:
    """Why the shot's generation (journaled, or to be made) cannot be the one before: a generation it extends
    is to be made again, or was made again since."""
    held = (entry.parent_job, entry.end_job) if entry else (None, None)
    for name, job, verb in ((planned.parent, held[0], "extends"), (planned.end_ref, held[1], "leads into")):
        if not name:
            continue
        need = needs.get(name)
        if need is None:  # decided again after a claim: the parents were settled by the first decision
            continue
        if need.action.pays and need.draft is None:  # an upscale leaves the generation it extends as it was
            return f"{verb} {name}, which is to be generated again"
        if entry is not None and need.lineage_job != job:
            return f"{verb} {name}, which was generated again"
    return None


def _draft(planned: PlannedShot, journal: Ledger | None, layout: Layout) -> Entry | None:
    key = planned.look.upscale_of
    draft = (journal.get(key) if journal else None) or clip_records.read(layout, planned.id, key)
    return draft if draft and draft.state == JobState.FETCHED and draft.job_id else None


def _upscaling(decision: Decision, draft: Entry | None) -> Decision:
    """An upscale needs its draft's generation: without one it waits for a run at the draft tier."""
    if draft is None and decision.action.pays:
        return replace(decision, action=Action.BLOCKED, why="approved for an upscale, but its draft is not made "
                       "yet: `pipeline run` without --tier makes the draft first")
    return replace(decision, draft=draft, why=f"to upscale its draft ({draft.job_id})"
                   if draft and decision.action.pays else decision.why)


def _what_changed(planned: PlannedShot, journal: Ledger | None, layout: Layout,
                  by_id: Mapping[str, PlannedShot]) -> str:
    """Why a shot with no generation for its key is generated: new, or what changed since its last one."""
    asks = planned.asks or {}
    before = journal.earlier(planned.id, str(asks.get("provider")), int(asks.get("take", 1)),
                             not_key=planned.key) if journal else None
    if before is None:
        return changes.UNKNOWN if _other_records(planned, layout) else changes.NEW
    asked = journal.asked(before.key)
    picked = _picked_again(planned, asked, journal, by_id)
    return picked or changes.since(planned, asked)


def _picked_again(planned: PlannedShot, asked: Mapping | None, journal: Ledger,
                  by_id: Mapping[str, PlannedShot]) -> str | None:
    """"extends climb, whose take 2 is now picked": the generation it extended was another take of its parent."""
    for end, name, verb in (("start", planned.parent, "extends"), ("end", planned.end_ref, "leads into")):
        old = (asked or {}).get(end)
        if not name or not isinstance(old, Mapping) or "generation" not in old:
            continue
        was = journal.asked(str(old["generation"])) or {}
        if was.get("shot") == name and was.get("take") != by_id[name].take:
            return f"{verb} {name}, whose take {by_id[name].take} is now picked (it extended take {was.get('take')})"
    return None


def _other_records(planned: PlannedShot, layout: Layout) -> bool:
    """Whether clips/ holds a record of this shot under another key (a journal lost or from elsewhere)."""
    mine = layout.clip_record(planned.id, planned.key).name
    return layout.clips.is_dir() and any(p.stem.rsplit("-", 1)[0] == planned.id and p.name != mine
                                         for p in layout.clips.glob(f"{glob.escape(planned.id)}-*.json"))


def intact(path: Path, checksum: str | None, journal: Ledger | None = None) -> bool:
    """The clip is there with its journaled bytes (hashed once per version of the file where a journal is)."""
    if checksum is None:
        return path.is_file()
    return (journal.files.sha256(path) if journal else sha256_of(path) if path.is_file() else None) == checksum


def to_pay_usd(decisions: list[Decision]) -> float:
    """The estimate of what the run would spend: every shot that could create."""
    return round(sum(d.shot.estimated_cost_usd for d in decisions if d.action.pays), 2)


def to_pay_by_tier(decisions: list[Decision]) -> dict[str, dict]:
    """The estimate split by tier, {tier: {"generations": n, "estimated_cost_usd": usd}} (empty without tiers)."""
    split: dict[str, dict] = {}
    for d in decisions:
        if d.action.pays and d.shot.look is not None:
            tier = split.setdefault(d.shot.look.tier, {"generations": 0, "estimated_cost_usd": 0.0})
            tier["generations"] += 1
            tier["estimated_cost_usd"] = round(tier["estimated_cost_usd"] + d.shot.estimated_cost_usd, 4)
    return split
