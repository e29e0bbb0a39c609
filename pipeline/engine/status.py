"""`pipeline status`: each shot's journaled state and what a run would do now, as plain data."""

from __future__ import annotations

from pathlib import Path

from ..layout import Layout
from ..plan import Plan
from ..storyboard.load import Project
from .journal import Spend, reading
from .work import decide, to_pay_usd


def status_of(project: Project, plan: Plan, out_dir: Path, *, forget_hint: str = "pipeline forget FILE SHOT") -> dict:
    layout = Layout(out_dir)
    with reading(layout) as journal:
        decisions = decide(plan, journal, layout, forget_hint=forget_hint)
        spent = journal.spent() if journal else Spend()
    return {
        "title": project.title, "provider": project.provider, "out": str(out_dir),
        "shots": [{
            "id": d.shot.id, "state": d.entry.state if d.entry else ("footage" if not d.shot.generate else "none"),
            "job_id": d.entry.job_id if d.entry else None, "file": d.entry.file if d.entry else None,
            "cost_usd": d.entry.cost_usd if d.entry and d.entry.job_id else 0.0, "action": d.action.value,
            "why": d.why,
        } for d in decisions],
        "totals": {"spent_usd": spent.usd, "rehearsal_usd": spent.rehearsal_usd,
                   "to_generate": sum(d.action.pays for d in decisions),
                   "estimated_cost_usd": to_pay_usd(decisions)},
    }
