"""A run: hold the output folder, read the journal (rebuilding a lost one), decide what each shot needs, ask the
provider about clips to fetch again, pass the money gate, generate (engine.shots), then assemble the cut.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..assembly import bed_ahead
from ..assembly.assemble import assemble
from ..assembly.report import AssemblyReport
from ..assets import AssetStore
from ..errors import PipelineError, ProviderError
from ..files import make_folder, sweep_temps
from ..layout import Layout
from ..plan import Plan
from ..providers.base import Provider
from ..storyboard.load import Project
from . import folder_lock
from .decisions import made_at, restore
from .journal import Journal, Spend
from .journals import open_journal
from .ledger import Ledger
from .polling import TIMEOUT_S
from .requests import Generated
from .shots import REAL_TIME, Clock, Engine, Progress
from .work import Action, Decision, decide, to_pay_by_tier, to_pay_usd

__all__ = ["Limits", "Progress", "RunFailed", "RunResult", "assemble_again", "run"]

OUT_HINT = "choose another output folder with --out"
BALANCE_TOLERANCE = 0.10  # measured spend this far from the ledger's is worth a warning


@dataclass(frozen=True)
class Limits:
    concurrency: int = 10  # generations running at once (Luma Build tier: 10)
    creates_per_minute: float | None = 20  # Luma Build tier: 20
    failed_retries: int = 2  # failed generations are refunded; try a shot up to 3 times
    shot_timeout_s: float = TIMEOUT_S

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise PipelineError(f"--concurrency {self.concurrency}: give at least 1 (generations at once)")
        rate = self.creates_per_minute
        if rate is not None and not 0 < rate < math.inf:
            raise PipelineError(f"--creates-per-minute {rate:g}: give a number above 0 (Luma's Build tier allows 20)")


@dataclass(frozen=True)
class RunResult:
    assembly: AssemblyReport
    created: int  # generations created in this run
    spent: Spend  # the ledger's sums over all runs into this folder
    measured_usd: float | None = None  # what the provider's balance says this run spent, where it reports one
    notes: tuple[str, ...] = field(default=())

    @property
    def cut(self) -> Path:
        return self.assembly.cut

    @property
    def spent_usd(self) -> float:
        return self.spent.usd


class RunFailed(PipelineError):
    def __init__(self, errors: list[ProviderError], resume: str):
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{len(errors)} shot(s) failed; their chains stopped, the others finished:\n{lines}\n"
                         f"Fix what they say, then run again to go on: {resume}")


def run(project: Project, plan: Plan, provider: Provider, out_dir: Path, *, limits: Limits = Limits(),
        report: Callable[[Progress], None] = lambda p: None, confirm: Callable[[float], object] = lambda c: None,
        caption: bool = True, resume_hint: str = "pipeline run", forget_hint: str = "pipeline forget FILE SHOT",
        tell: Callable[[str], None] = lambda text: None, wait: bool = True, clock: Clock = REAL_TIME,
        assets: AssetStore | None = None, journal_url: str | None = None, burn_captions: bool = False) -> RunResult:
    """Generate what is missing into out_dir (journal, clips), then write out_dir/final.mp4 (with the captions
    in the picture when `burn_captions` asks).

    `confirm(estimate)` is called with what this run could pay before anything is spent; it raises to refuse.
    Notes for the user (a journal set aside, a kept cut, a balance that disagrees) go to `tell`.
    `assets` publishes local keyframes for a provider that reads URLs; it is checked before the estimate.
    `journal_url` (postgresql://...) keeps the journal in a database that several machines share, as the film
    named by the storyboard's file; out_dir then holds this machine's clips (and its cut).
    """
    layout = Layout(out_dir)
    make_folder(out_dir, hint=OUT_HINT)
    with folder_lock.holding(layout.lock, wait=wait, waiting=tell), \
            _opened(layout, tell, project.name, journal_url) as journal:
        sweep_temps(out_dir)  # what a killed run left half-written: safe, since this process holds the folder
        journal.remember(plan.every_take)  # what each key asks, so a later edit can say what changed
        journal.files.learn(project.facts)  # what the storyboard's load read of its files, for the next command
        if isinstance(journal, Journal):
            restore(journal)  # the picks and verdicts of a journal that was lost, from decisions.json
        engine = Engine(project, provider, journal, layout, limits=limits, report=report, caption=caption,
                        allowed=set(), forget=forget_hint, clock=clock, assets=assets)
        engine.tell = tell
        before = journal.spent()
        ahead = bed_ahead.start(project, plan, layout.assembly_cache)  # encoded while the shots generate
        try:
            done, measured, errors = asyncio.run(generate(engine, plan, confirm, forget_hint))
        finally:
            bed_ahead.finish(ahead)
        if isinstance(journal, Journal):  # the decisions live in the folder's own journal
            made_at(journal, {i: plan.by_id(i).look.tier for i in done if plan.by_id(i).look})
        if errors:
            raise RunFailed(errors, resume_hint)
        report(Progress("cut", "assembling", spent_usd=journal.spent().usd))
        assembly, kept = assemble_film(project, plan, done, layout, journal, paid=provider.paid, name=provider.name,
                                       burn_captions=burn_captions)
        notes = _balance_notes(measured, before, journal.spent()) + kept
        for note in notes:
            tell(note)
        return RunResult(assembly, engine.created, journal.spent(), measured, tuple(notes))


async def generate(engine: Engine, plan: Plan, confirm, forget_hint: str):
    """Decide, ask about clips to fetch again, gate, and generate, in one event loop for the provider's client."""
    try:
        decisions = decide(plan, engine.journal, engine.layout, forget_hint=forget_hint, takes=True)
        gone = await _preflight(engine, decisions)
        if gone:
            decisions = decide(plan, engine.journal, engine.layout, gone=gone, forget_hint=forget_hint, takes=True)
        for d in decisions:
            if d.action.pays:
                engine.report(d.shot.id, "waiting", f"to generate: {d.why}")
        if engine.provider.paid:
            if engine.assets is not None and engine.provider.capabilities.needs_public_urls and any(
                    d.action.pays for d in decisions):
                await asyncio.to_thread(engine.assets.check)  # a bad bucket or key stops here, before the gate
            if split := to_pay_by_tier(decisions):
                engine.tell("estimate by tier: " + ", ".join(
                    f"{tier} ${s['estimated_cost_usd']:.2f} ({s['generations']} generation"
                    f"{'s' * (s['generations'] != 1)})" for tier, s in split.items()))
            confirm(to_pay_usd(decisions))
        engine.allowed.update(d.shot.key for d in decisions if d.action.pays)
        paying = engine.provider.paid and any(d.action.pays or d.action is Action.RESUME for d in decisions)
        before = await engine.provider.balance_usd() if paying else None  # an unchanged re-run asks nothing
        done, errors = await engine.run_all(decisions)
        after = await engine.provider.balance_usd() if before is not None else None
        return done, (round(before - after, 4) if after is not None else None), errors
    finally:
        await engine.provider.close()


async def _preflight(engine: Engine, decisions: list[Decision]) -> set[str]:
    """Ask the provider about each clip to fetch again (no create): the keys whose generation is gone, so they
    are planned as creates, counted in the estimate and gated like any other."""
    gone = set()
    for d in decisions:
        if d.action is not Action.FETCH_AGAIN:
            continue
        if engine.clips is not None and await asyncio.to_thread(engine.clips.has_clip, d.shot.key):
            continue  # the slate's store holds the clip: fetched from there, whatever the provider says now
        try:
            status = await engine.provider.status(d.entry.job_id)
        except ProviderError as exc:
            if exc.retryable:
                raise
            gone.add(d.shot.key)
            continue
        if status.state != "completed" or (engine.provider.paid and not status.video_url):
            gone.add(d.shot.key)
        else:
            engine.fetched_again[d.shot.key] = status
    return gone


def _balance_notes(measured: float | None, before: Spend, after: Spend) -> list[str]:
    """The provider's own figure beside the ledger's, for this run; a warning when they part by over 10 %."""
    if measured is None:
        return []
    ledger = round(after.usd + after.rehearsal_usd - before.usd - before.rehearsal_usd, 4)
    note = f"the provider's balance says this run spent ${measured:.2f} (the ledger estimated ${ledger:.2f})"
    if abs(measured - ledger) > BALANCE_TOLERANCE * max(ledger, 0.01):
        return [f"warning: {note}: prices.py may be out of date; check the account's usage page"]
    return [note]


class _opened:
    """The folder's journal, opened for writing; says so when an unreadable one was set aside."""

    def __init__(self, layout: Layout, tell: Callable[[str], None], film: str, url: str | None = None):
        self.layout, self.tell, self.film, self.url = layout, tell, film, url

    def __enter__(self) -> Ledger:
        self.journal = open_journal(self.layout, self.film, self.url)
        if self.journal.set_aside:
            self.tell(f"note: the journal could not be read; it was kept as {self.journal.set_aside} and a new one "
                      "is rebuilt from the clips on disk and the provider's list before anything is created")
        return self.journal

    def __exit__(self, *exc) -> None:
        self.journal.close()


def assemble_again(project: Project, plan: Plan, out_dir: Path, *, paid: bool, wait: bool = True,
                   tell: Callable[[str], None] = lambda text: None,
                   journal_url: str | None = None, burn_captions: bool = False) -> AssemblyReport:
    """Assemble the cut from the journal's clips, generating nothing; PipelineError if a shot has no clip."""
    layout = Layout(out_dir)
    if journal_url is None and not layout.journal.exists() and not layout.clips.is_dir():
        raise PipelineError(f"nothing has been generated into {out_dir} yet; run `pipeline run` first")
    with folder_lock.holding(layout.lock, wait=wait, waiting=tell), \
            _opened(layout, tell, project.name, journal_url) as journal:
        decisions = decide(plan, journal, layout)
        missing = [d.shot.id for d in decisions if d.action not in (Action.CACHED, Action.FOOTAGE)]
        if missing:
            raise PipelineError(f"no finished clip for {', '.join(missing)} in {out_dir}: `pipeline run` "
                                "generates what is missing (see `pipeline status`)")
        done = {d.shot.id: Generated(d.entry.job_id, layout.resolve(d.entry.file)) for d in decisions if d.entry}
        for d in decisions:
            if d.entry and not d.entry.updated_at:
                journal.recovered(d.entry)
        report, kept = assemble_film(project, plan, done, layout, journal, paid=paid, name=project.provider,
                                     rebuild=True,  # asked for by name: made again even when nothing changed
                                     burn_captions=burn_captions)
        for note in kept:
            tell(note)
        return report


def assemble_film(project: Project, plan: Plan, done: dict[str, Generated], layout: Layout, journal: Ledger, *,
                  paid: bool, name: str, rebuild: bool = False,
                  burn_captions: bool = False) -> tuple[AssemblyReport, list[str]]:
    """Write the cut. A paid cut is never replaced silently by another provider's: it is kept beside it."""
    kept = []
    before = journal.meta("cut_provider")
    if before and before != name and journal.meta("cut_paid") == "1" and layout.cut.is_file():
        layout.cut.replace(layout.kept_cut(before))
        kept.append(f"note: final.mp4 is now the {name} cut; the {before} cut is kept as {layout.kept_cut(before)}")
    clips = {shot_id: g.clip for shot_id, g in done.items()}
    generations = {shot_id: g.job_id for shot_id, g in done.items()}
    report = assemble(project, plan, clips, layout.cut, generations=generations, rebuild=rebuild,
                      burn_captions=burn_captions, facts=journal.files)
    journal.set_meta(cut_provider=name, cut_paid="1" if paid else "0")
    return report, kept
