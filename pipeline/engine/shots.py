"""Every shot through its provider: chains in order, independent chains at once, each step journaled so that a
run killed at any instant resumes without paying twice.

Only shots the estimate counted may create (`allowed`): a path that would pay for anything else stops that
shot and says what it would cost, so the next run shows it in the estimate and asks.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from aiolimiter import AsyncLimiter

from ..assets import AssetStore
from ..assets.clips import ClipStore
from ..errors import PipelineError, ProviderError
from ..files import DiskError, sha256_of
from ..layout import Layout
from ..providers.account import account_of
from ..providers.base import (
    FailureKind,
    GenerationFailed,
    GenerationKeyframe,
    ImageKeyframe,
    JobStatus,
    NotCreated,
    Provider,
    ShotRequest,
)
from ..secrets import redact
from ..storyboard.load import Project
from . import clip_records, work
from .account_limits import AccountBusy, AccountLimits
from .journal import Entry
from .leases import LeaseLost
from .ledger import Ledger
from .polling import PollSchedule, until_done
from .requests import Generated, request_digest, shot_request
from .states import JobState
from .work import Action, Decision

RECOVER_SLACK_S = 120  # clocks differ: look for an interrupted create a little before its journaled intent


@dataclass(frozen=True)
class Progress:
    """One thing that happened to a shot; the spend fields are the ledger's sums so far."""

    shot_id: str
    state: str  # waiting | queued | dreaming | downloading | done | cached | footage | retrying | failed | skipped
    detail: str = ""
    spent_usd: float = 0.0
    rehearsal_usd: float = 0.0  # counted against a rehearsal server: not money


@dataclass(frozen=True)
class Clock:
    """Time as the engine sees it: swapped in tests so that waiting takes no time."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


REAL_TIME = Clock()


class Engine:
    def __init__(self, project: Project, provider: Provider, journal: Ledger, layout: Layout, *, limits,
                 report: Callable[[Progress], None], caption: bool, allowed: set[str], forget: str,
                 clock: Clock = REAL_TIME, assets: AssetStore | None = None, clips: ClipStore | None = None):
        self.project, self.provider, self.journal, self.layout = project, provider, journal, layout
        self.assets = assets  # where local keyframes are published for a provider that reads URLs
        self.clips = clips  # where a slate's machines share finished clips (local files are a cache)
        self._sent_files: dict[str, list[str]] = {}  # key -> where its keyframes were published
        self.limits, self.caption, self._report, self.clock = limits, caption, report, clock
        self.allowed, self.forget = allowed, forget  # keys the estimate counted; `pipeline forget ...` hint
        self.created = 0
        self.fetched_again: dict[str, JobStatus] = {}  # the run's preflight asked these generations already
        self._running = asyncio.Semaphore(limits.concurrency)
        rate = limits.creates_per_minute
        self._creates = AsyncLimiter(rate, 60) if rate else None
        self.leases = getattr(journal, "leases", None)  # a shared journal: shots are claimed before work
        account = account_of(provider)
        if hasattr(journal, "limits") and account:  # the account's limits are kept in the shared journal
            journal.limits = AccountLimits(account, limits.concurrency, rate)
            self._creates = None
        self._same_request: collections.defaultdict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._done: dict[str, asyncio.Future[Generated]] = {}  # shot id -> its picked take's generation
        self._costs: dict[str, float] = {}
        self._takes: dict[str, int] = {}  # key -> take number
        self._polls = PollSchedule()
        self.rehearsal = provider.rehearsal
        self.tell: Callable[[str], None] = lambda text: None  # notes for the user (the run's own `tell`)

    def report(self, shot_id: str, state: str, detail: str = "") -> None:
        spent = self.journal.spent()
        self._report(Progress(shot_id, state, detail, spent.usd, spent.rehearsal_usd))

    async def run_all(self, decisions: list[Decision]) -> tuple[dict[str, Generated], list[ProviderError]]:
        loop = asyncio.get_running_loop()
        self._done = {d.shot.id: loop.create_future() for d in decisions if d.shot.generate and d.shot.picked}
        self._costs = {d.shot.id: d.shot.estimated_cost_usd for d in decisions}
        self._takes = {d.shot.key: d.shot.take for d in decisions}
        renewing = asyncio.create_task(self._renew()) if self.leases else None
        try:
            outcomes = await asyncio.gather(*(self._shot(d) for d in decisions), return_exceptions=True)
        finally:
            if renewing:
                renewing.cancel()
        errors = [o for o in outcomes if isinstance(o, ProviderError)]
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, ProviderError | _Skipped):
                raise outcome
        done = {i: f.result() for i, f in self._done.items() if f.done() and not f.exception()}
        return done, errors

    async def _shot(self, decision: Decision) -> None:
        planned = decision.shot
        if not planned.generate:
            return self.report(planned.id, "footage", planned.shot.clip or "")
        # only the picked take is waited for; another take extends the same parents and nothing waits on it
        future = self._done[planned.id] if planned.picked else asyncio.get_running_loop().create_future()
        try:
            done = {n: await self._wait_for(n, planned.id) for n in (planned.parent, planned.end_ref) if n}
            future.set_result(await self._work(decision, done))
        except (ProviderError, _Skipped) as exc:
            future.set_exception(_Skipped(planned.id))  # the shots that extend this one skip
            future.exception()  # retrieved: a failure is reported once, by its own shot
            if isinstance(exc, ProviderError):
                self.report(planned.id, "failed", str(exc))
            raise
        except BaseException:
            future.cancel()
            raise

    async def _work(self, decision: Decision, done: dict[str, Generated]) -> Generated:
        """The shot's work; on a shared journal, under this machine's claim on it. A machine claims no more
        shots than it has places for generations, so the others get their share; a lease lost mid-work goes
        back to waiting: whoever holds the shot now finishes it, or it is taken back when that one's lease runs
        out."""
        if self.leases is None or decision.action in (Action.BLOCKED, Action.CACHED):
            async with self._running:
                return await self._produce(decision, done)
        said = False
        while True:
            async with self._running:
                claimed = self._claim(decision)
                if claimed is not None:
                    try:
                        return await self._produce(claimed, done)
                    except LeaseLost as exc:
                        self.report(decision.shot.id, "waiting", str(exc))
                    finally:
                        self.leases.release(decision.shot.key)
                    continue
            if not said:
                holder = self.leases.holders().get(decision.shot.key, ("another machine", 0))[0]
                self.report(decision.shot.id, "waiting", f"held by {holder}")
                said = True
            await self.clock.sleep(self.leases.poll_s)

    def _claim(self, decision: Decision) -> Decision | None:
        """Claim the shot and decide again from the shared journal (another machine may have moved it on: a
        job it created is resumed by id, a create it sent is looked for); None while another holds it. A shot
        finished elsewhere needs no claim: its clip is fetched (from the clip store, or its generation: free)."""
        claimed = self.leases.claim(decision.shot.key)
        entry = self.journal.get(decision.shot.key)
        if claimed or (entry is not None and entry.state == JobState.FETCHED):
            return work.again(decision.shot, entry, self.layout, before=decision, forget_hint=self.forget)
        return None

    async def _renew(self) -> None:
        """Keep this machine's leases alive while it works (a third of the lease at a time)."""
        while True:
            await self.clock.sleep(self.leases.lease_s / 3)
            self.leases.renew()

    async def _wait_for(self, need: str, shot_id: str) -> Generated:
        try:
            return await asyncio.shield(self._done[need])
        except _Skipped:
            self.report(shot_id, "skipped", f"{need} did not finish")
            raise _Skipped(shot_id) from None

    async def _produce(self, decision: Decision, done: dict[str, Generated]) -> Generated:
        planned, action = decision.shot, decision.action
        if action is Action.BLOCKED:
            raise ProviderError(decision.why)
        request = shot_request(self.project, planned, done, caption=self.caption)
        if decision.draft is not None:  # the generation later shots extend stays the draft's
            request = replace(request, upscale_of=decision.draft.job_id)
            return replace(await self._made(decision, request), job_id=decision.draft.job_id)
        return await self._made(decision, request)

    async def _made(self, decision: Decision, request: ShotRequest) -> Generated:
        planned, entry, action = decision.shot, decision.entry, decision.action
        if action is Action.CACHED:
            if not entry.updated_at:  # rebuilt from the clip's record: the journal learns it again
                self.journal.recovered(entry)
            self.report(planned.id, "cached")
            return Generated(entry.job_id, self.layout.resolve(entry.file))
        if action is Action.FETCH_AGAIN:
            return await self._fetch_again(request, entry)
        if action is Action.RESUME:
            return await self._generate(request, entry.job_id, fresh=False)
        job_id, fresh = await self._start(request, entry if action is Action.RECOVER else None)
        return await self._generate(request, job_id, fresh=fresh)

    async def _start(self, request: ShotRequest, interrupted: Entry | None) -> tuple[str, bool]:
        """The job for a shot that could pay: one already made for the same request (an interrupted create,
        a lost journal) if the provider lists one, else a new create. Shots asking the same thing take turns,
        so that neither adopts the generation the other is creating."""
        async with self._same_request[request_digest(request)]:
            sent = await self._sendable(request)
            since = None
            if request.upscale_of is not None:
                return await self._upscale(request, sent, interrupted)
            if interrupted is not None and interrupted.intent_at is not None:
                since = dt.datetime.fromtimestamp(interrupted.intent_at - RECOVER_SLACK_S, tz=dt.UTC)
                if self.provider.paid and not self.provider.capabilities.lists_jobs:
                    raise ProviderError(f"a create was sent and its answer lost, and this provider cannot list its "
                                        "jobs: the generation may exist (check the provider's dashboard); "
                                        f"`{self._forget(request)}` lets the next run create it",
                                        shot_id=request.shot_id)
            found = await self.provider.find_existing(sent, since=since, exclude=self.journal.job_ids())
            if found:
                self._adopt(request, found, interrupted)
                return found, False
            if interrupted is not None:
                self.journal.not_found(request.key)  # the interrupted create made nothing: not spent
            return await self._create(request, sent), True

    async def _upscale(self, request: ShotRequest, sent: ShotRequest, interrupted: Entry | None) -> tuple[str, bool]:
        """An upscale is never looked for in the provider's list (its echo is not the shot's request): an
        interrupted one stops the shot rather than risk paying twice."""
        if interrupted is not None and self.provider.paid:
            raise ProviderError("an upscale was sent and its answer lost: it may exist (check the provider's "
                                f"dashboard); `{self._forget(request)}` lets the next run send it again",
                                shot_id=request.shot_id)
        return await self._create(request, sent), True

    async def _sendable(self, request: ShotRequest) -> ShotRequest:
        """The request as the provider gets it: each local keyframe published through the asset store, its URL
        made (signed) now, so that a create retried hours later is signed again. Nothing else keeps it."""
        if self.assets is None or not self.provider.capabilities.needs_public_urls:
            return request
        changes, places = {}, []
        for end in ("start", "end"):
            keyframe = getattr(request, end)
            if isinstance(keyframe, ImageKeyframe) and keyframe.path is not None and not keyframe.url:
                digest = keyframe.digest or await asyncio.to_thread(sha256_of, keyframe.path)
                try:
                    published = await asyncio.to_thread(self.assets.publish, keyframe.path, digest)
                except PipelineError as exc:
                    raise ProviderError(f"cannot publish keyframe {keyframe.path.name}: {exc}",
                                        shot_id=request.shot_id) from exc
                if self.assets.remembers:
                    self.journal.published(self.assets.name, published.location, digest, size=published.size,
                                           uploaded=published.uploaded)
                changes[end], places = replace(keyframe, url=published.url), [*places, published.location]
        self._sent_files[request.key] = places
        return replace(request, **changes) if changes else request

    def _adopt(self, request: ShotRequest, job_id: str, interrupted: Entry | None) -> None:
        if interrupted is not None:
            self.journal.adopted(request.key, job_id)
            how = "found the interrupted create"
        else:
            self.journal.recovered(replace(self._entry(request), job_id=job_id, state=JobState.QUEUED))
            how = "found it already made for the same request"
        self.report(request.shot_id, "queued", f"{how}: {job_id}")

    def _entry(self, request: ShotRequest) -> Entry:
        return Entry(key=request.key, shot_id=request.shot_id, take=self._takes.get(request.key, 1),
                     provider=self.provider.name,
                     state=JobState.INTENT, parent_job=_job_of(request.start), end_job=_job_of(request.end),
                     cost_usd=self._costs[request.shot_id], rehearsal=self.rehearsal)

    async def _generate(self, request: ShotRequest, job_id: str, *, fresh: bool) -> Generated:
        """Poll and fetch; a failed generation (refunded) is created again, up to the limit, unless its input
        was refused or the estimate did not count this shot."""
        failures = 0
        while True:
            status = await self._poll(request, job_id, fresh=fresh)
            if status.state == JobState.COMPLETED:
                return await self._fetch(request, job_id, status)
            self.journal.refunded(job_id)
            error = self._unread(self.provider.failure(status, shot_id=request.shot_id, job_id=job_id), request)
            failures += 1
            if not error.retryable or failures > self.limits.failed_retries:
                raise error
            if request.key not in self.allowed:
                raise ProviderError(f"{error}; generating it again would cost about "
                                    f"${self._costs[request.shot_id]:.2f}: run again to see the estimate",
                                    shot_id=request.shot_id, job_id=job_id)
            self.report(request.shot_id, "retrying", f"failed ({status.failure_reason}); generating it again")
            job_id, fresh = await self._start(request, None)

    def _unread(self, error: GenerationFailed, request: ShotRequest) -> GenerationFailed:
        """A refused keyframe that came from the asset store: say which objects and which store."""
        places = self._sent_files.get(request.key)
        if not places or error.kind is not FailureKind.REFUSED or "frame" not in (error.reason or "").lower():
            return error
        return GenerationFailed(f"{error.detail}; the keyframes came from the asset store {self.assets.name} as "
                                f"{', '.join(places)}: check they are there and readable, and that "
                                "assets_url_ttl outlasts the provider's queue", kind=error.kind,
                                reason=error.reason, shot_id=error.shot_id, job_id=error.job_id)

    async def _create(self, request: ShotRequest, sent: ShotRequest) -> str:
        if request.key not in self.allowed:  # every create passes the estimate and the gate
            raise ProviderError(f"would create a generation the estimate did not count (about "
                                f"${self._costs[request.shot_id]:.2f}); nothing was created: run again to see "
                                "the estimate", shot_id=request.shot_id)
        ledger = await self._intend(request)  # before the request leaves
        if self._creates is not None:
            await self._creates.acquire()
        try:
            job_id = await self.provider.submit(sent)
        except NotCreated as exc:  # nothing was made: not a job that may exist, and not spend
            self.journal.not_found(request.key)
            self.journal.update(request.key, state=JobState.FAILED, failure_reason=redact(exc.detail))
            raise
        self.journal.accepted(ledger, request.key, job_id)  # before any polling
        self.created += 1
        self.report(request.shot_id, "queued", job_id)
        return job_id

    async def _intend(self, request: ShotRequest) -> int:
        """The create's ledger row; on a shared journal only once the account's limits allow it (the limits
        are counted and the row written in one transaction, so machines never overshoot them together)."""
        said = False
        while True:
            try:
                return self.journal.intend(self._entry(request), model=request.model,
                                           request_digest=request_digest(request))
            except AccountBusy as busy:
                if not said:
                    self.report(request.shot_id, "waiting", f"the account is full: {busy}")
                    said = True
                await self.clock.sleep(busy.wait_s)

    async def _poll(self, request: ShotRequest, job_id: str, *, fresh: bool) -> JobStatus:
        """Poll until done. A `fresh` job was created just now: its time to completion teaches the schedule
        (a resumed job's age is unknown, so it doesn't)."""
        def changed(state: str) -> None:
            self.journal.update(request.key, state=state)
            self.report(request.shot_id, state, job_id)

        status = await until_done(self.provider, job_id, schedule=self._polls, timeout_s=self.limits.shot_timeout_s,
                                  shot_id=request.shot_id, seen=JobState.QUEUED if fresh else None,
                                  on_change=changed, learn=fresh, clock=self.clock.now, sleep=self.clock.sleep,
                                  ask=lambda: self._status(request, job_id))
        self.journal.update(request.key, state=status.state, failure_reason=redact(status.failure_reason))
        return status

    async def _status(self, request: ShotRequest, job_id: str) -> JobStatus:
        """The job's status; a state this version does not know, or a job the provider no longer knows, stops
        the shot with the way out (never a new create by itself)."""
        try:
            status = await self.provider.status(job_id)
        except ProviderError as exc:
            if exc.retryable:
                raise
            raise ProviderError(f"{exc}; if that generation is gone for good, `{self._forget(request)}` lets the "
                                "next run plan a new one (with an estimate)", shot_id=request.shot_id) from exc
        if status.state not in tuple(JobState):
            raise ProviderError(f"the provider answered the state {status.state!r}, which this version does not "
                                f"know; nothing was created: run again later, or `{self._forget(request)}`",
                                shot_id=request.shot_id, job_id=job_id)
        return status

    def _forget(self, request: ShotRequest) -> str:
        return self.forget.replace("SHOT", request.shot_id)

    async def _fetch_again(self, request: ShotRequest, entry: Entry) -> Generated:
        if self.clips is not None:  # another machine made it: its clip is in the shared store
            dest = self.layout.clip(request.shot_id, request.key)
            if await asyncio.to_thread(self.clips.get_clip, request.key, dest) and await asyncio.to_thread(
                    work.intact, dest, entry.checksum):
                self.report(request.shot_id, "cached", f"from {self.clips.name}")
                return Generated(entry.job_id, dest)
        status = self.fetched_again.get(request.key) or await self._status(request, entry.job_id)
        try:
            return await self._fetch(request, entry.job_id, status)
        except (DiskError, LeaseLost):
            raise  # the disk, or another machine's turn: not the generation, nothing to pay for
        except PipelineError as exc:
            raise ProviderError(f"the clip is missing and fetching it again failed ({exc}); generating it again "
                                f"would cost about ${self._costs[request.shot_id]:.2f}: "
                                f"`{self._forget(request)}`, then run again", shot_id=request.shot_id,
                                job_id=entry.job_id) from exc

    async def _fetch(self, request: ShotRequest, job_id: str, status: JobStatus) -> Generated:
        dest = self.layout.clip(request.shot_id, request.key)
        self.report(request.shot_id, "downloading" if self.provider.capabilities.remote else "rendering", job_id)
        await self.provider.fetch(job_id, status, request, dest)
        checksum = await asyncio.to_thread(sha256_of, dest)
        entry = self.journal.get(request.key) or self._entry(request)
        entry = replace(entry, job_id=job_id, state=JobState.FETCHED, file=self.layout.relative(dest),
                        checksum=checksum)
        clip_records.write(self.layout, entry)  # first: a journal lost later is rebuilt from it
        if self.clips is not None:  # in the shared store before the journal says it is done
            await asyncio.to_thread(self.clips.put_clip, request.key, dest)
        self.journal.update(request.key, state=JobState.FETCHED, file=entry.file, checksum=checksum)
        self.report(request.shot_id, "done", str(dest))
        return Generated(job_id, dest)


def _job_of(keyframe: object) -> str | None:
    return keyframe.job_id if isinstance(keyframe, GenerationKeyframe) else None


class _Skipped(Exception):
    """A shot that could not start because a shot it extends failed (that one reports the reason)."""
