"""What the page tells a person about the cut, sorted in two: problems, which want their eye (a failed shot,
the assembler's warnings, a clip normalised to fit, a cut out of date), and notes, what assembly does as a
matter of course (a repeated join frame trimmed, frames re-encoded around a transition).

The assembler's notes belong to the cut it made. While a run is making a new one, or after the storyboard
changed, they describe the previous cut and are marked so: they are not about what is on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import formats
from ..layout import Layout
from ..plan import Plan
from ..storyboard.load import Project

if TYPE_CHECKING:
    from .model import Cut, ShotView

Finding = tuple[str, str]  # (kind, message): kind is failed | warning | normalised | stale | previous | note
PROBLEM_KINDS = ("failed", "warning", "normalised", "stale", "previous")


@dataclass(frozen=True)
class Assembly:
    """What assembly.json says about the cut on disk, and whether that cut is of the current plan."""

    current: bool  # False: the cut (and its notes) came before the storyboard's latest version or run
    warnings: int = 0  # as assembly.json counts them
    notes: int = 0  # the shots' notes in assembly.json, all told
    exists: bool = False  # assembly.json was there to read


def shot_findings(placed: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A shot's entry in assembly.json as (notes, problems): a normalised clip is a problem, the rest notes."""
    listed = placed.get("notes")
    said = [str(n) for n in listed if n] if isinstance(listed, list) else []
    problems = [n for n in said if n.startswith("normalised")]
    notes = [n for n in said if n not in problems]
    trimmed = placed.get("trimmed_frames")
    if isinstance(trimmed, int) and trimmed > 0 and not any("trim" in n for n in notes):
        notes.insert(0, f"trimmed {trimmed} repeated frame{'s' * (trimmed != 1)} at the join")
    if placed.get("normalised") is True and not problems and not any("re-encoded" in n for n in notes):
        problems.append("normalised to the cut's format")
    return tuple(notes), tuple(problems)


def assembly_of(plan: Plan, shots: tuple[ShotView, ...], cut: Cut | None, report: dict, layout: Layout) -> Assembly:
    listed = [s for s in report.get("shots", []) if isinstance(s, dict)]
    warnings = [w for w in report.get("warnings", []) if isinstance(w, str) and w] \
        if isinstance(report.get("warnings"), list) else []
    notes = sum(len(s["notes"]) for s in listed if isinstance(s.get("notes"), list))
    return Assembly(_current(plan, shots, cut, report, layout), len(warnings), notes, exists=bool(report))


def _current(plan: Plan, shots: tuple[ShotView, ...], cut: Cut | None, report: dict, layout: Layout) -> bool:
    """The cut on disk was assembled from the plan's shots as they are now: same shots, every one finished,
    none re-made since (a clip newer than assembly.json came from a run that has not assembled yet)."""
    if cut is None or not report or report.get("planned_frames") != plan.runtime_frames:
        return False
    listed = [s.get("id") for s in report.get("shots", []) if isinstance(s, dict)]
    if listed and listed != [p.id for p in plan.shots]:
        return False
    if any(s.state not in ("done", "footage") for s in shots):
        return False
    try:
        made = layout.assembly_report.stat().st_mtime_ns
        return all(s.clip is None or s.clip.stat().st_mtime_ns <= made for s in shots)
    except OSError:
        return False


def sort_findings(project: Project, plan: Plan, shots: tuple[ShotView, ...], cut: Cut | None, report: dict,
                  assembly: Assembly) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(problems, notes) for the page; the assembler's own only while its cut is the current one, or marked as
    the previous cut's."""
    problems: list[Finding] = [("failed", f"{s.planned.id} failed: {s.failure or 'no reason given'}")
                               for s in shots if s.state == "failed"]
    problems += _stale(project, plan, shots, cut, report, assembly)
    problems += [("warning", str(p)) for p in project.notes if p.severity != "note"]
    notes: list[Finding] = [("note", str(p)) for p in project.notes if p.severity == "note"]
    if cut is not None:  # what the assembler said is about the cut on disk, and only shown with it
        said = [("warning", w) for w in report.get("warnings", []) if isinstance(w, str) and w] \
            if isinstance(report.get("warnings"), list) else []
        said += [("normalised", f"{s.planned.id}: {n}") for s in shots for n in s.problems]
        problems += said if assembly.current else []  # the previous cut's count under its notes, below
        notes += [("note", f"{s.planned.id}: {n}") for s in shots for n in s.notes]
        if not assembly.current:
            notes = [("note", m) for _, m in said] + notes
    return tuple(dict.fromkeys(problems)), tuple(dict.fromkeys(notes))


def _stale(project: Project, plan: Plan, shots: tuple[ShotView, ...], cut: Cut | None, report: dict,
           assembly: Assembly) -> list[Finding]:
    """A cut that is not of the storyboard as it is now: one on its way (a run is generating), or one that an
    edit left behind. Assembly may trim repeated join frames, so the cut is held to what assembly.json says it
    made from this plan."""
    if cut is None:
        return []
    working = [s.planned.id for s in shots if s.working]
    if working and not assembly.current:
        return [("previous", f"a run is making a new cut ({', '.join(working)} in progress): the player shows "
                             "the previous one until it lands")]
    changed = [s.planned.id for s in shots if s.state in ("waiting", "failed")]
    if changed and report:
        return [("stale", f"the cut is from an earlier version of the storyboard ({', '.join(changed)} changed "
                          "or not generated since): run again to update it")]
    planned = plan.runtime_frames / formats.FPS
    if report.get("planned_frames") == plan.runtime_frames and isinstance(report.get("runtime_frames"), int):
        planned = report["runtime_frames"] / formats.FPS
    if abs(cut.duration_s - planned) > 1.5 / formats.FPS:
        return [("stale", f"the cut runs {cut.duration_s:.2f} s but the storyboard now plans {planned:.2f} s: "
                          "it is from an earlier version; run again to update it")]
    if report and not assembly.current:
        return [("stale", "a shot was made again after this cut: run again (or `pipeline assemble`) to update it")]
    if project.path.stat().st_mtime_ns > cut.version:
        return [("stale", "the storyboard was saved after this cut was made: run again if the shots changed")]
    return []
