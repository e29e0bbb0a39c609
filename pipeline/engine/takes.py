"""`pipeline takes`: each shot's takes as plain data (number, state, cost, generation, clip, picked) with the
shot's verdict and note, and what the next run would do with each take. A look: it changes nothing."""

from __future__ import annotations

from pathlib import Path

from ..layout import Layout
from ..plan import Plan
from . import decisions
from .journal import reading
from .work import decide


def takes_of(plan: Plan, out_dir: Path, shot_ids: list[str] | None = None) -> list[dict]:
    """One dict per shot (in cut order, or only `shot_ids`), each with its "takes"."""
    if shot_ids:
        decisions.planned_shots(plan, shot_ids)  # an unknown id is said, with where to find the right ones
    layout = Layout(out_dir)
    with reading(layout) as journal:
        every = decide(plan, journal, layout, takes=True)
        decided = decisions.in_folder(journal, layout)
    shots = []
    for planned in plan.shots:
        if shot_ids and planned.id not in shot_ids:
            continue
        review = decided.reviews.get(planned.id, decisions.Review())
        mine = sorted((d for d in every if d.shot.id == planned.id), key=lambda d: d.shot.take)
        shots.append({
            "id": planned.id, "picked": planned.take, "verdict": review.verdict, "note": review.note,
            "approved": review.verdict == "approved",
            "tier": planned.look.tier if planned.look else None,
            "takes": [_take(d) for d in mine] if planned.generate else [],
        })
    return shots


def _take(d) -> dict:
    entry = d.entry
    return {"take": d.shot.take, "key": d.shot.key, "picked": d.shot.picked,
            "state": entry.state if entry else "none", "job_id": entry.job_id if entry else None,
            "cost_usd": entry.cost_usd if entry and entry.job_id else 0.0,
            "file": entry.file if entry and d.action.value == "cached" else None,
            "action": d.action.value, "why": d.why}
