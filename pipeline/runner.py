"""Run a plan: generate each shot through its provider, parents before children, then assemble the cut."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .load import Project
from .plan import Plan, PlannedShot
from .providers.base import JobStatus, Provider, ShotRequest
from .providers.luma_errors import failure_error
from .shot_request import Generated, shot_request

Event = Callable[[str, str], None]  # (shot id, what happened)
FIRST_POLL_S, POLL_GROWTH, MAX_POLL_S = 0.5, 1.5, 15.0
FAILED_RETRIES = 2  # generations that fail on the provider's side are refunded; try a shot up to 3 times


@dataclass(frozen=True)
class RunResult:
    cut: Path
    clips: dict[str, Path]
    generated: int  # shots the provider generated in this run (not reused)


def run(project: Project, plan: Plan, provider: Provider, out_dir: Path, *, caption: bool = True,
        on_event: Event = lambda shot, what: None) -> RunResult:
    """Generate what the plan needs into out_dir/clips and write out_dir/final.mp4."""
    done, generated = asyncio.run(_generate_then_close(project, plan, provider, out_dir / "clips", caption,
                                                      on_event))
    clips = {p.id: done[p.id].clip if p.generate else project.file(p.shot.clip) for p in plan.shots}
    on_event("cut", "assembling")
    cut = assemble(project, plan, clips, out_dir / "final.mp4")
    return RunResult(cut, clips, generated)


async def _generate_then_close(project, plan, provider, clips_dir, caption, on_event):
    try:
        return await _generate(project, plan, provider, clips_dir, caption, on_event)
    finally:
        close = getattr(provider, "close", None)  # providers holding connections (luma) release them
        if close is not None:
            await close()


async def _generate(project: Project, plan: Plan, provider: Provider, clips_dir: Path, caption: bool,
                    on_event: Event) -> tuple[dict[str, Generated], int]:
    done: dict[str, Generated] = {}
    generated = 0
    for planned in dependency_order(plan):
        dest = clips_dir / f"{planned.id}-{planned.key[:12]}.mp4"
        if not provider.paid and dest.exists():  # an offline render is named by its key: same key, same frames
            done[planned.id] = Generated(job_id=f"{provider.name}-{planned.key[:16]}", clip=dest)
            on_event(planned.id, "cached")
            continue
        request = shot_request(project, planned, done, caption=caption)
        job_id, status = await _generate_one(provider, request, on_event)
        await provider.fetch(job_id, status, request, dest)
        done[planned.id] = Generated(job_id=job_id, clip=dest)
        generated += 1
        on_event(planned.id, "done")
    return done, generated


async def _generate_one(provider: Provider, request: ShotRequest, on_event: Event) -> tuple[str, JobStatus]:
    """Submit and wait; a failed generation is tried again (Luma refunds it) unless its input was refused."""
    failures = 0
    while True:
        job_id = await provider.submit(request)
        on_event(request.shot_id, "submitted")
        status = await _wait(provider, job_id)
        if status.state == "completed":
            return job_id, status
        error, failures = failure_error(status.failure_reason, shot_id=request.shot_id, job_id=job_id), failures + 1
        if not error.retryable or failures > FAILED_RETRIES:
            raise error
        on_event(request.shot_id, f"failed ({status.failure_reason}); generating it again")


async def _wait(provider: Provider, job_id: str) -> JobStatus:
    delay = FIRST_POLL_S
    while not (status := await provider.status(job_id)).done:
        await asyncio.sleep(delay)
        delay = min(delay * POLL_GROWTH, MAX_POLL_S)
    return status


def dependency_order(plan: Plan) -> list[PlannedShot]:
    """The shots to generate, each after the shots whose generations it uses."""
    by_id, ordered, seen = {p.id: p for p in plan.shots}, [], set()

    def visit(p: PlannedShot) -> None:
        if p.id in seen or not p.generate:
            return
        seen.add(p.id)
        for need in (p.parent, p.end_ref):
            if need:
                visit(by_id[need])
        ordered.append(p)

    for p in plan.shots:
        visit(p)
    return ordered
