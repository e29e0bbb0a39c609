"""`pipeline status`, and what plan and validate say of a folder a run has written: each shot's journaled state
and what a run would do now, as plain data. A look: it never creates, moves or changes a journal or a lock."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .. import formats
from ..layout import Layout
from ..plan import Plan, PlannedShot, to_json
from ..storyboard.load import Project
from . import changes
from .journal import Spend, reading
from .work import Action, Decision, decide, to_pay_by_tier, to_pay_usd

# How a summary counts each action, in the order it says them: "6 shots: 2 to generate, 4 cached".
COUNTED = ((Action.GENERATE, "to generate"), (Action.RECOVER, "to look for (an interrupted create)"),
           (Action.RESUME, "to resume"), (Action.FETCH_AGAIN, "to fetch again"), (Action.BLOCKED, "blocked"),
           (Action.CACHED, "cached"), (Action.FOOTAGE, "footage"))


def status_of(project: Project, plan: Plan, out_dir: Path, *, forget_hint: str = "pipeline forget FILE SHOT") -> dict:
    layout = Layout(out_dir)
    with reading(layout) as journal:
        every = decide(plan, journal, layout, forget_hint=forget_hint, takes=True)
        spent = journal.spent() if journal else Spend()
    decisions = every[:len(plan.shots)]
    cut = cut_times(layout, plan)
    return {
        "title": project.title, "provider": project.provider, "out": str(out_dir),
        "shots": [{
            "id": d.shot.id, "state": d.entry.state if d.entry else ("footage" if not d.shot.generate else "none"),
            "job_id": d.entry.job_id if d.entry else None, "file": d.entry.file if d.entry else None,
            "cost_usd": d.entry.cost_usd if d.entry and d.entry.job_id else 0.0, "action": d.action.value,
            "why": d.why, "start_s": round(d.shot.start_s, 3), "duration_s": round(d.shot.duration_s, 3),
            **({"take": d.shot.take, "takes": d.shot.takes} if plan.other_takes else {}),
            **({"tier": d.shot.look.tier} if d.shot.look else {}),
            **({"cut_start_s": cut[d.shot.id][0], "cut_duration_s": cut[d.shot.id][1]} if cut else {}),
        } for d in decisions],
        "totals": {"spent_usd": spent.usd, "rehearsal_usd": spent.rehearsal_usd,
                   "runtime_s": round(plan.runtime_frames / formats.FPS, 3),
                   **({"cut_runtime_s": cut["runtime"][1]} if cut else {}),
                   "to_generate": sum(d.action.pays for d in every),
                   "estimated_cost_usd": to_pay_usd(every),
                   **({"by_tier": split} if (split := to_pay_by_tier(every)) else {})},
    }


def cut_times(layout: Layout, plan: Plan) -> dict[str, tuple[float, float]] | None:
    """Each shot's (start, duration) in seconds in the cut as assembly.json says it was made, and the cut's
    ("runtime", (0, length)): where joins repeated a frame and assembly trimmed it, these are the real times.
    None without a report of this plan's shots (none yet, or one from another storyboard)."""
    try:
        made = json.loads(layout.assembly_report.read_text())
        shots = {s["id"]: (s["start_frame"], s["frames"]) for s in made["shots"]}
        runtime = made["runtime_frames"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if list(shots) != [p.id for p in plan.shots]:
        return None
    seconds = {shot_id: (round(start / formats.FPS, 3), round(frames / formats.FPS, 3))
               for shot_id, (start, frames) in shots.items()}
    return {**seconds, "runtime": (0.0, round(runtime / formats.FPS, 3))}


def next_run(plan: Plan, out_dir: Path, *, forget_hint: str = "pipeline forget FILE SHOT") -> list[Decision] | None:
    """What a run into `out_dir` would do for each shot (its picked take, in plan order), then for each other
    take; None where no run has written there."""
    layout = Layout(out_dir)
    if not layout.journal.exists() and not layout.clips.is_dir():
        return None
    with reading(layout) as journal:
        return decide(plan, journal, layout, forget_hint=forget_hint, takes=True)


def summary(decisions: list[Decision]) -> str:
    """e.g. "6 shots: 2 to generate, 4 cached" (and "; 2 other takes to generate")."""
    shots = [d for d in decisions if d.shot.picked]
    counts = Counter(d.action for d in shots)
    parts = [f"{counts[action]} {words}" for action, words in COUNTED if counts[action]]
    others = sum(d.action.pays for d in decisions if not d.shot.picked)
    more = f"; {others} other take{'s' * (others != 1)} to generate" if others else ""
    return f"{len(shots)} shot{'s' * (len(shots) != 1)}: {', '.join(parts)}{more}"


def plan_json(plan: Plan, decisions: list[Decision] | None) -> dict:
    """`pipeline plan --json`: the plan, each shot's action and why, and (where a run has written the folder)
    an estimate of only what is to be generated."""
    data = to_json(plan)
    shown = decisions[:len(plan.shots)] if decisions else [None] * len(plan.shots)
    for shot, planned, d in zip(data["shots"], plan.shots, shown, strict=True):
        action, why = (d.action, d.why) if d else _unjournaled(planned)
        shot.update(action=action.value, why=why)
    if decisions is not None:
        data["totals"].update(to_generate=sum(d.action.pays for d in decisions),
                              cached=sum(d.action is Action.CACHED for d in decisions),
                              estimated_cost_usd=to_pay_usd(decisions))
        if split := to_pay_by_tier(decisions):
            data["totals"]["by_tier"] = split
    else:
        data["totals"].update(to_generate=plan.generations, cached=0)
    return data


def _unjournaled(planned: PlannedShot) -> tuple[Action, str]:
    """What a run does with a shot where no run has written: generate it (it is new), or play its footage."""
    return (Action.GENERATE, changes.NEW) if planned.generate else (Action.FOOTAGE, planned.source)
