"""A slate: several storyboards worked on by several machines through one PostgreSQL journal. Each machine runs
`pipeline slate run FILE...`: it works on every film at once (shots claimed, the account's limits shared), then
assembles each film whose shots are all done under the film's assembly lease (the first free machine does it;
the others wait for it, or take it over when its lease runs out) and publishes the cut and its side files to
the store. Each film's clips and cut on this machine live in out_root/<film>/ (a cache of the store's).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..assets.clips import ClipStore
from ..errors import PipelineError
from ..files import make_folder, sha256_of, sweep_temps
from ..layout import Layout
from ..plan import Plan
from ..providers.base import Provider
from ..storyboard.load import Project
from . import folder_lock, journals
from .journal_pg import PgJournal
from .leases import LeaseLost, Leases
from .requests import Generated
from .runner import Limits, RunFailed, assemble_film, generate
from .shots import REAL_TIME, Clock, Engine, Progress

ASSEMBLY = "assembly"  # the claim key of a film's assembly lease


@dataclass(frozen=True)
class Film:
    project: Project
    plan: Plan
    provider: Provider


@dataclass(frozen=True)
class FilmResult:
    name: str
    cut: Path
    assembled_here: bool
    published: tuple[str, ...] = ()


def cut_key(plan: Plan) -> str:
    """Names what a film's cut is made of (its shots' keys, in order): a cut of other shots is another cut."""
    return "-".join(p.key[:12] for p in plan.shots)


def run_slate(films: list[Film], url: str, out_root: Path, *, limits: Limits | None = None,
              clips: ClipStore | None = None, confirm: Callable[[Film, float], object] = lambda f, c: None,
              report: Callable[[str, Progress], None] = lambda film, p: None,
              tell: Callable[[str], None] = lambda text: None, clock: Clock = REAL_TIME,
              caption: bool = True) -> list[FilmResult]:
    """Work on every film until each is assembled (here or by another machine); `confirm(film, estimate)` is
    asked once per film before it spends, as `pipeline run` asks (it raises to refuse)."""
    names = [f.project.name for f in films]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise PipelineError(f"two storyboards of the slate are both called {', '.join(twice)}: a film is named by its "
                            "file's name, so rename one")
    with contextlib.ExitStack() as stack:
        engines = []
        for film in films:
            layout = Layout(out_root / film.project.name)
            make_folder(layout.root, hint="choose another folder with --out")
            stack.enter_context(folder_lock.holding(layout.lock, wait=True, waiting=tell))
            sweep_temps(layout.root)
            journal = journals.open_journal(layout, film.project.name, url)
            stack.callback(journal.close)
            journal.remember(film.plan.shots)
            engines.append(Engine(film.project, film.provider, journal, layout, limits=limits or Limits(),
                                  caption=caption,
                                  report=lambda p, n=film.project.name: report(n, p), allowed=set(),
                                  forget=f"pipeline forget {film.project.path} SHOT --journal URL", clock=clock,
                                  clips=clips))
        outcomes = asyncio.run(_generate_all(films, engines, confirm))
        errors = [e for _, _, errs in outcomes for e in errs]
        if errors:
            raise RunFailed(errors, "pipeline slate run FILE...")
        return [_assembled(film, engine, done, clips, url) for film, engine, (done, _, _)
                in zip(films, engines, outcomes, strict=True)]


async def _generate_all(films: list[Film], engines: list[Engine], confirm) -> list[tuple]:
    """Every film's shots in one event loop, so the account's limits are shared by all of them at once."""
    return await asyncio.gather(*(generate(engine, film.plan, lambda estimate, f=film: confirm(f, estimate),
                                           engine.forget) for film, engine in zip(films, engines, strict=True)))


def _assembled(film: Film, engine: Engine, done: dict[str, Generated], clips: ClipStore | None,
               url: str) -> FilmResult:
    """Assemble the film here if no other machine has (or is): under the film's assembly lease, renewed while
    the cut is made (on a connection of its own), and fenced when the film is said to be made."""
    journal: PgJournal = engine.journal
    name, key, layout = film.project.name, cut_key(film.plan), engine.layout
    assembler = PgJournal.open(url, layout, name, holder=journal.leases.holder, lease_s=journal.leases.lease_s)
    try:
        while True:
            if journal.meta("cut_key") == key:
                return FilmResult(name, layout.cut, False, tuple(_published(journal)))
            if assembler.leases.claim(ASSEMBLY):
                try:
                    if journal.meta("cut_key") == key:  # made by another while this one waited
                        continue
                    with _renewing(assembler.leases):
                        assemble_film(film.project, film.plan, done, layout, journal, paid=film.provider.paid,
                                      name=film.provider.name)
                        places = clips.publish_film(name, [p for p in layout.side_files if p.is_file()]) \
                            if clips else []
                    with assembler.fenced(ASSEMBLY):  # only the lease's holder says the film is made
                        assembler.set_meta(cut_key=key, cut_digest=sha256_of(layout.cut),
                                           cut_by=assembler.leases.holder, cut_places="\n".join(places))
                    return FilmResult(name, layout.cut, True, tuple(places))
                except LeaseLost:
                    continue  # too slow: another machine took the assembly over, and says when it is made
                finally:
                    assembler.leases.release(ASSEMBLY)
            time.sleep(journal.leases.poll_s)  # another machine is assembling it
    finally:
        assembler.close()


@contextlib.contextmanager
def _renewing(leases: Leases):
    """Renew `leases` every third of a lease from a thread while the block runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(leases.lease_s / 3):
            leases.renew()

    thread = threading.Thread(target=renew, name="assembly-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _published(journal: PgJournal) -> list[str]:
    return [p for p in (journal.meta("cut_places") or "").split("\n") if p]


def status(projects: list[tuple[Project, Plan]], url: str, out_root: Path) -> dict:
    """Every film of the slate: each shot's state, job and holder, the film's spend and who made its cut."""
    films, total, rehearsal = [], 0.0, 0.0
    for project, plan in projects:
        journal = PgJournal.open(url, Layout(out_root / project.name), project.name)
        try:
            holders, spent = journal.leases.holders(), journal.spent()
            shots = []
            for planned in plan.shots:
                entry = journal.get(planned.key)
                holder = holders.get(planned.key)
                shots.append({"id": planned.id, "state": entry.state if entry else "none",
                              "job_id": entry.job_id if entry else None,
                              "holder": holder[0] if holder else None,
                              "lease_s": holder[1] if holder else None})
            made = journal.meta("cut_key") == cut_key(plan)
            films.append({"film": project.name, "title": project.title, "shots": shots,
                          "spent_usd": spent.usd, "rehearsal_usd": spent.rehearsal_usd,
                          "assembled": made, "assembled_by": journal.meta("cut_by") if made else None,
                          "assembling": (holders.get(ASSEMBLY) or (None,))[0],
                          "published": _published(journal) if made else []})
            total, rehearsal = total + spent.usd, rehearsal + spent.rehearsal_usd
        finally:
            journal.close()
    return {"films": films, "spent_usd": round(total, 4), "rehearsal_usd": round(rehearsal, 4)}
