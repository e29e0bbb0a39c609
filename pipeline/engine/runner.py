"""The run engine: every shot through its provider, chains in order and independent chains at once, each step
journaled so that a run killed at any instant resumes without paying twice; then the cut is assembled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiolimiter import AsyncLimiter

from ..assembly.assemble import assemble
from ..assembly.report import AssemblyReport
from ..errors import PipelineError, ProviderError
from ..files import make_folder, sha256_of
from ..plan import Plan
from ..providers.base import JobStatus, Provider, ShotRequest
from ..storyboard.load import Project
from .journal import Journal, of_folder, reading
from .polling import TIMEOUT_S, PollSchedule, until_done
from .requests import Generated, shot_request
from .work import Action, Decision, clip_path, decide, to_pay_usd

OUT_HINT = "choose another output folder with --out"
RECOVER_SLACK_S = 120  # clocks differ: look for an interrupted create a little before its journaled intent


@dataclass(frozen=True)
class Progress:
    """One thing that happened to a shot; `spent_usd` is the run's spend so far."""

    shot_id: str
    state: str  # waiting | queued | dreaming | downloading | done | cached | footage | retrying | failed | skipped
    detail: str = ""
    spent_usd: float = 0.0


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
    spent_usd: float  # what the journal says the provider charged, over all runs into this folder

    @property
    def cut(self) -> Path:
        return self.assembly.cut


class RunFailed(PipelineError):
    def __init__(self, errors: list[ProviderError], resume: str):
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{len(errors)} shot(s) failed; their chains stopped, the others finished:\n{lines}\n"
                         f"Fix what they say, then run again to go on: {resume}")


def run(project: Project, plan: Plan, provider: Provider, out_dir: Path, *, limits: Limits = Limits(),
        report: Callable[[Progress], None] = lambda p: None, confirm: Callable[[float], object] = lambda c: None,
        caption: bool = True, resume_hint: str = "pipeline run") -> RunResult:
    """Generate what is missing into out_dir (journal, clips), then write out_dir/final.mp4.

    `confirm(estimate)` is called with what this run would pay before anything is spent; it raises to refuse.
    """
    make_folder(out_dir, hint=OUT_HINT)
    journal = of_folder(out_dir)
    try:
        decisions = decide(plan, journal, out_dir)
        if provider.paid:
            confirm(to_pay_usd(decisions))
        engine = Engine(project, provider, journal, out_dir, limits=limits, report=report, caption=caption)
        done = asyncio.run(engine.run_all(decisions, resume_hint))
        report(Progress("cut", "assembling", spent_usd=journal.spent_usd()))
        return RunResult(_assemble(project, plan, done, out_dir), engine.created, journal.spent_usd())
    finally:
        journal.close()


def assemble_again(project: Project, plan: Plan, out_dir: Path) -> AssemblyReport:
    """Assemble the cut from the journal's clips, generating nothing; PipelineError if a shot has no clip."""
    with reading(out_dir) as journal:
        if journal is None:
            raise PipelineError(f"nothing has been generated into {out_dir} yet; run `pipeline run` first")
        decisions = decide(plan, journal, out_dir)
    missing = [d.shot.id for d in decisions if d.action not in (Action.CACHED, Action.FOOTAGE)]
    if missing:
        raise PipelineError(f"no finished clip for {', '.join(missing)} in {out_dir}: `pipeline run` generates "
                            "what is missing (see `pipeline status`)")
    done = {d.shot.id: Generated(d.entry.job_id, Path(d.entry.file)) for d in decisions if d.entry}
    return _assemble(project, plan, done, out_dir)


def _assemble(project: Project, plan: Plan, done: dict[str, Generated], out_dir: Path) -> AssemblyReport:
    clips = {shot_id: g.clip for shot_id, g in done.items()}
    generations = {shot_id: g.job_id for shot_id, g in done.items()}
    return assemble(project, plan, clips, out_dir / "final.mp4", generations=generations)


class Engine:
    def __init__(self, project: Project, provider: Provider, journal: Journal, out_dir: Path, *, limits: Limits,
                 report: Callable[[Progress], None], caption: bool):
        self.project, self.provider, self.journal, self.out_dir = project, provider, journal, out_dir
        self.limits, self.caption, self._report = limits, caption, report
        self.created = 0
        self._running = asyncio.Semaphore(limits.concurrency)
        rate = limits.creates_per_minute
        self._creates = AsyncLimiter(rate, 60) if rate else None
        self._done: dict[str, asyncio.Future[Generated]] = {}
        self._costs: dict[str, float] = {}
        self._polls = PollSchedule()

    def report(self, shot_id: str, state: str, detail: str = "") -> None:
        self._report(Progress(shot_id, state, detail, self.journal.spent_usd()))

    async def run_all(self, decisions: list[Decision], resume_hint: str) -> dict[str, Generated]:
        try:
            loop = asyncio.get_running_loop()
            self._done = {d.shot.id: loop.create_future() for d in decisions if d.shot.generate}
            self._costs = {d.shot.id: d.shot.estimated_cost_usd for d in decisions}
            tasks = [asyncio.create_task(self._shot(d)) for d in decisions]
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await self.provider.close()
        errors = [o for o in outcomes if isinstance(o, ProviderError)]
        if errors:
            raise RunFailed(errors, resume_hint)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, _Skipped):
                raise outcome
        return {shot_id: future.result() for shot_id, future in self._done.items()}

    async def _shot(self, decision: Decision) -> None:
        planned = decision.shot
        if not planned.generate:
            return self.report(planned.id, "footage", planned.shot.clip or "")
        future = self._done[planned.id]
        try:
            done = {n: await self._wait_for(n, planned.id) for n in (planned.parent, planned.end_ref) if n}
            async with self._running:
                future.set_result(await self._produce(decision, done))
        except (ProviderError, _Skipped) as exc:
            future.set_exception(_Skipped(planned.id))  # the shots that extend this one skip
            future.exception()  # retrieved: a failure is reported once, by its own shot
            if isinstance(exc, ProviderError):
                self.report(planned.id, "failed", str(exc))
            raise
        except BaseException:
            future.cancel()
            raise

    async def _wait_for(self, need: str, shot_id: str) -> Generated:
        try:
            return await asyncio.shield(self._done[need])
        except _Skipped:
            self.report(shot_id, "skipped", f"{need} did not finish")
            raise _Skipped(shot_id) from None

    async def _produce(self, decision: Decision, done: dict[str, Generated]) -> Generated:
        planned, entry = decision.shot, decision.entry
        request = shot_request(self.project, planned, done, caption=self.caption)
        dest = clip_path(self.out_dir, planned)
        if decision.action is Action.CACHED:
            self.report(planned.id, "cached")
            return Generated(entry.job_id, Path(entry.file))
        if decision.action is Action.FETCH_AGAIN:
            try:
                return await self._fetch(request, entry.job_id, JobStatus("completed", video_url=entry.asset_url),
                                         dest)
            except PipelineError as exc:
                self.report(planned.id, "retrying", f"fetching again failed ({exc}); generating it again")
        job_id = None
        if decision.action is Action.RESUME:
            job_id = entry.job_id
        elif decision.action is Action.RECOVER:
            job_id = await self._recover(request, entry.intent_at)
        return await self._generate(request, dest, job_id)

    async def _recover(self, request: ShotRequest, intent_at: float | None) -> str | None:
        if intent_at is None:
            return None
        since = dt.datetime.fromtimestamp(intent_at - RECOVER_SLACK_S, tz=dt.UTC)
        job_id = await self.provider.find_existing(request, since=since)
        if job_id:
            self.journal.update(request.key, job_id=job_id, state="queued")
            self.report(request.shot_id, "queued", f"found the interrupted create: {job_id}")
        return job_id

    async def _generate(self, request: ShotRequest, dest: Path, job_id: str | None) -> Generated:
        """Create (unless resuming `job_id`), poll and fetch; a failed generation is created again, up to the
        limit, unless its input was refused."""
        failures = 0
        while True:
            fresh = job_id is None
            job_id = job_id or await self._create(request)
            status = await self._poll(request, job_id, fresh=fresh)
            if status.state == "completed":
                return await self._fetch(request, job_id, status, dest)
            error = self.provider.failure(status, shot_id=request.shot_id, job_id=job_id)
            failures += 1
            if not error.retryable or failures > self.limits.failed_retries:
                raise error
            self.report(request.shot_id, "retrying", f"failed ({status.failure_reason}); generating it again")
            job_id = None

    async def _create(self, request: ShotRequest) -> str:
        cost = self._costs[request.shot_id]
        self.journal.intend(request.key, request.shot_id, self.provider.name, cost)  # before the request leaves
        if self._creates is not None:
            await self._creates.acquire()
        job_id = await self.provider.submit(request)
        self.journal.update(request.key, job_id=job_id, state="queued")  # before any polling
        self.created += 1
        self.report(request.shot_id, "queued", job_id)
        return job_id

    async def _poll(self, request: ShotRequest, job_id: str, *, fresh: bool) -> JobStatus:
        """Poll until done; a `fresh` job (created just now, its `queued` already reported) teaches the schedule."""
        def changed(state: str) -> None:
            self.journal.update(request.key, state=state)
            self.report(request.shot_id, state, job_id)

        status = await until_done(self.provider, job_id, schedule=self._polls, timeout_s=self.limits.shot_timeout_s,
                                  shot_id=request.shot_id, seen="queued" if fresh else None, on_change=changed,
                                  learn=fresh)
        changes = {"state": status.state, "failure_reason": status.failure_reason, "asset_url": status.video_url}
        self.journal.update(request.key, **changes)
        return status

    async def _fetch(self, request: ShotRequest, job_id: str, status: JobStatus, dest: Path) -> Generated:
        self.report(request.shot_id, "downloading" if self.provider.capabilities.remote else "rendering", job_id)
        await self.provider.fetch(job_id, status, request, dest)
        checksum = await asyncio.to_thread(sha256_of, dest)
        self.journal.update(request.key, state="fetched", file=str(dest), checksum=checksum,
                            asset_url=status.video_url)
        self.report(request.shot_id, "done", str(dest))
        return Generated(job_id, dest)


class _Skipped(Exception):
    """A shot that could not start because a shot it extends failed (that one reports the reason)."""
