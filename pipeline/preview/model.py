"""What the preview page shows, as plain data: each shot's timing, state and cost, the cut, its problems and
notes.

Everything here is read, never written: the plan (timings, estimate), the run journal (states, job ids,
costs; opened only if it exists, so looking never creates one), the clips on disk, and the assembler's
assembly.json (where each shot really starts in the cut, trims and normalised clips). Any of these may be
missing, because the page is built before, during and after a run. findings sorts what needs a person's eye
(problems) from what assembly did as a matter of course (notes).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import ffmpeg, formats
from ..engine import clip_records
from ..engine.journal import Entry, Spend, reading
from ..engine.ledger import Ledger
from ..engine.states import PENDING, JobState
from ..errors import MediaError
from ..layout import Layout
from ..plan import Plan, PlannedShot
from ..storyboard.load import Project
from . import waveform
from .findings import Assembly, Finding, assembly_of, shot_findings, sort_findings

WORKING = ("intent", "queued", "dreaming", "completed")  # the journal's in-progress states, as the page shows them


@dataclass(frozen=True)
class ShotView:
    planned: PlannedShot
    start_s: float  # where the shot starts in the cut: the assembler's figure when known, else the plan's
    duration_s: float  # its length in the cut: the assembler's when known (a trimmed join shortens it)
    chain: int | None  # chains numbered 1.. among generated shots, as people count them; None for footage
    state: str  # waiting | intent | queued | dreaming | completed | done | failed | footage
    clip: Path | None  # the shot's video on disk, if there is one
    entry: Entry | None = None
    notes: tuple[str, ...] = ()  # what assembly did to it as a matter of course (trimmed a join, re-encoded)
    problems: tuple[str, ...] = ()  # what assembly did that changes the picture (normalised its clip)

    @property
    def cost_usd(self) -> float:
        """What the journal says it cost, else the plan's estimate."""
        return self.entry.cost_usd if self.entry and self.entry.job_id else self.planned.estimated_cost_usd

    @property
    def cost_is_estimate(self) -> bool:
        """True when the cost shown is the plan's guess (a free render is not worth the word)."""
        return not (self.entry and self.entry.job_id) and self.cost_usd > 0

    @property
    def failure(self) -> str | None:
        return self.entry.failure_reason if self.state == "failed" and self.entry else None

    @property
    def working(self) -> bool:
        return self.state in WORKING


@dataclass(frozen=True)
class Cut:
    path: Path
    duration_s: float
    version: int  # the file's mtime in ns: a cache-busting query so a reload plays the new cut


@dataclass(frozen=True)
class PageModel:
    project: Project
    plan: Plan
    shots: tuple[ShotView, ...]
    cut: Cut | None
    spent: Spend
    problems: tuple[Finding, ...]  # failed shots, assembly's warnings, normalised clips, a cut out of date
    notes: tuple[Finding, ...]  # assembly's notes on joins and re-encodes, the storyboard's notes
    assembly: Assembly = Assembly(current=False)
    built_at: float = field(default_factory=time.time)
    wave: list[float] | None = None  # the music bed's peaks across the timeline (waveform.peaks)

    @property
    def spent_usd(self) -> float:
        return self.spent.usd

    @property
    def runtime_s(self) -> float:
        return self.cut.duration_s if self.cut else self.plan.runtime_frames / formats.FPS

    def count(self, *states: str) -> int:
        return sum(s.state in states for s in self.shots)


def read(project: Project, plan: Plan, out_dir: Path, journal: Ledger | None = None) -> PageModel:
    """Gather the page's data from `out_dir` (the run's output folder)."""
    layout = Layout(out_dir)
    entries, spent = _journal(plan, layout, journal)
    report = _assembly(layout)
    placed = _placed(plan, report)
    chains = _chain_numbers(plan)
    shots = tuple(_view(project, p, chains.get(p.id), entries.get(p.key), layout, placed.get(p.id, {}))
                  for p in plan.shots)
    cut = _cut(layout.cut)
    assembly = assembly_of(plan, shots, cut, report, layout)
    problems, notes = sort_findings(project, plan, shots, cut, report, assembly)
    runtime = cut.duration_s if cut else plan.runtime_frames / formats.FPS
    return PageModel(project, plan, shots, cut, spent, problems, notes, assembly,
                     wave=waveform.peaks(project, runtime))


def _journal(plan: Plan, layout: Layout, journal: Ledger | None) -> tuple[dict[str, Entry], Spend]:
    with contextlib.nullcontext(journal) if journal else reading(layout) as journal:
        if journal is None:
            return {}, Spend()  # nothing has run here yet
        entries = {p.key: e for p in plan.shots if (e := journal.get(p.key)) is not None}
        return entries, journal.spent()


def _placed(plan: Plan, report: dict) -> dict[str, dict]:
    """Shot id -> its entry in assembly.json, when that cut has the plan's shots in the plan's order (an edit
    that adds, drops or moves shots makes the old figures meaningless: the plan's are shown instead)."""
    shots = [s for s in report.get("shots", []) if isinstance(s, dict)]
    same = [s.get("id") for s in shots] == [p.id for p in plan.shots] and \
        report.get("planned_frames", plan.runtime_frames) == plan.runtime_frames
    if not same and "planned_frames" in report:
        return {}
    return {s.get("id"): s for s in shots}


def _chain_numbers(plan: Plan) -> dict[str, int]:
    """Shot id -> chain number counting generated shots only (the plan counts footage as chains too)."""
    numbers: dict[int, int] = {}
    return {p.id: numbers.setdefault(p.chain, len(numbers) + 1) for p in plan.shots if p.generate}


def _view(project: Project, p: PlannedShot, chain: int | None, entry: Entry | None, layout: Layout,
          placed: dict) -> ShotView:
    start, frames = placed.get("start_s"), placed.get("frames")
    start_s = float(start) if isinstance(start, int | float) else p.start_s
    duration_s = frames / formats.FPS if isinstance(frames, int) and frames > 0 else p.duration_s
    timing = (start_s, duration_s, chain)
    notes, problems = shot_findings(placed)
    if not p.generate:
        footage = project.file(p.shot.clip)
        return ShotView(p, *timing, "footage", footage if footage.exists() else None, None, notes, problems)
    entry = entry or clip_records.read(layout, p.id, p.key)
    clip = _clip_file(p, entry, layout)
    return ShotView(p, *timing, state_of(entry, clip), clip, entry, notes, problems)


def state_of(entry: Entry | None, clip: Path | None) -> str:
    """The page's word for a shot's state (engine.states has the journal's)."""
    if entry is None:
        return "done" if clip else "waiting"  # an offline render named by its key needs no journal to be shown
    if entry.state == JobState.FETCHED:
        return "done" if clip else "waiting"  # fetched, then deleted: the next run fetches it again
    return entry.state if entry.state in (*PENDING, JobState.FAILED) else "waiting"


def _clip_file(p: PlannedShot, entry: Entry | None, layout: Layout) -> Path | None:
    """The shot's clip if it is on disk: where the journal (or the clip's record) says, else where the run
    names it by key."""
    if entry is not None and entry.state != JobState.FETCHED:
        return None  # a file from an earlier attempt may be there, but this generation is not done
    clip = layout.resolve(entry.file) if entry is not None and entry.file else layout.clip(p.id, p.key)
    return clip if clip.is_file() else None


def _assembly(layout: Layout) -> dict:
    """assembly.json if the assembler wrote one and it reads as a JSON object, else {}."""
    try:
        data = json.loads(layout.assembly_report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cut(path: Path) -> Cut | None:
    if not path.is_file():
        return None
    try:
        duration = ffmpeg.probe(path).duration_s
    except MediaError:
        return None  # half-written or damaged: the page says there is no cut rather than a broken player
    return Cut(path, duration, path.stat().st_mtime_ns)
