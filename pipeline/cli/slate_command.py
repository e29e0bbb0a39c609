"""`pipeline slate run FILE...` and `pipeline slate status FILE...`: a slate of films worked on by several machines
through one PostgreSQL journal (engine.slate)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import providers
from ..errors import PipelineError
from ..secrets import redact
from .output import print_json_line, print_notes
from .storyboard_commands import Sub, load_args, provider_option
from .storyboard_commands import run_plan as _run_plan


def slate_command(sub: Sub) -> None:
    slate = sub.add_parser("slate", help="work on a slate of films from several machines (a shared journal)",
                           description="Render several storyboards from several machines at once: the journal, "
                                       "the claims on shots and the account's limits live in one PostgreSQL "
                                       "database; finished clips and cuts in an S3 store.")
    commands = slate.add_subparsers(title="slate commands", metavar="COMMAND")
    run = commands.add_parser("run", help="work on every film of the slate; assemble those whose shots are done",
                              description="Work on every storyboard given (run it on each machine with the same "
                                          "files): shots are claimed, so none is paid twice; the first free "
                                          "machine assembles each film and publishes its cut.")
    _common(run)
    run.add_argument("--concurrency", type=int, metavar="N", help="generations at once on the account")
    run.add_argument("--creates-per-minute", type=float, metavar="N", help="creates a minute on the account")
    run.add_argument("--max-cost", type=float, metavar="USD", help="refuse a film whose estimate exceeds this")
    run.add_argument("--yes", action="store_true", help="spend without asking (required when not on a terminal)")
    run.add_argument("--no-burn-in", dest="burn_in", action="store_false",
                     help="animatic: leave out the burnt-in shot id and prompt")
    run.set_defaults(handler=_run)
    status = commands.add_parser("status", help="every film and shot of the slate, who holds what, and the spend",
                                 description="Show each film's shots (state, job, which machine holds it and for "
                                             "how long), its spend, and who assembled and published its cut.")
    _common(status)
    status.add_argument("--no-burn-in", dest="burn_in", action="store_false", help="as given to `slate run`")
    status.set_defaults(handler=_status)
    slate.set_defaults(handler=lambda args: slate.print_help() or 2)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE", help="storyboard YAML files, one film each")
    provider_option(parser)
    parser.set_defaults(rehearse=False)
    parser.add_argument("--journal", metavar="URL", help="the slate's PostgreSQL database, postgresql://... "
                                                         "(default: $PIPELINE_JOURNAL)")
    parser.add_argument("--out", type=Path, metavar="DIR", default=Path("output"),
                        help="this machine's folder: one sub-folder per film (default: output)")
    parser.add_argument("--clips", metavar="S3_URL",
                        help="share clips and publish cuts in this bucket, s3://BUCKET/PREFIX/ (default: "
                             "$PIPELINE_CLIPS; without one, a machine fetches another's clips from the provider)")
    parser.add_argument("--json", action="store_true", help="print JSON lines on stdout")


def _url(args) -> str:
    from ..engine.journals import where

    url = where(args.journal)
    if url is None:
        raise PipelineError("a slate needs a shared journal: give --journal postgresql://USER@HOST:PORT/DB or set "
                            "PIPELINE_JOURNAL")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise PipelineError("a PostgreSQL journal needs psycopg: pip install 'storyboard-pipeline[postgres]'") from None
    return url


def _films(args) -> list[tuple]:
    loaded = []
    for path in args.paths:
        project = load_args(args, path)
        print_notes(project)
        loaded.append((project, _run_plan(project, args)))
    return loaded


def _clips(args):
    import os

    from ..assets.clips import ClipStore
    from ..assets.s3 import Location, S3Store

    where = args.clips or os.environ.get("PIPELINE_CLIPS")
    return ClipStore(S3Store(Location.parse(where))) if where else None


def _run(args) -> int:
    url = _url(args)
    from ..engine import slate, spending
    from ..engine.runner import Limits

    loaded, clips = _films(args), _clips(args)
    films = []
    for project, plan in loaded:
        films.append(slate.Film(project, plan, providers.create(project.provider, burn_in=args.burn_in)))
    capabilities = providers.capabilities(loaded[0][0].provider)
    rate = args.creates_per_minute if args.creates_per_minute is not None else capabilities.creates_per_minute
    limits = Limits(concurrency=args.concurrency or capabilities.concurrency, creates_per_minute=rate)

    def confirm(film, estimate: float) -> None:
        _say(f"{film.project.name}:")
        spending.confirm(film.plan, estimate, budget=film.project.board.budget_usd, max_cost=args.max_cost,
                         yes=args.yes, tell=_say)

    def report(film: str, progress) -> None:
        if args.json:
            print_json_line({"film": film, "shot": progress.shot_id, "state": progress.state,
                             "detail": progress.detail, "spent_usd": progress.spent_usd})
        elif progress.state in ("done", "cached", "failed", "waiting", "queued"):
            _say(f"{film}/{progress.shot_id}: {progress.state} {progress.detail}".rstrip())

    if clips is not None:
        clips.store.check()
    results = slate.run_slate(films, url, args.out, limits=limits, clips=clips, report=report, tell=_say,
                              confirm=confirm, caption=args.burn_in)
    for r in results:
        line = {"film": r.name, "cut": str(r.cut), "assembled_here": r.assembled_here, "published": list(r.published)}
        print_json_line(line) if args.json else print(f"{r.name}: {r.cut}" + (" (assembled here)"
                                                                                   if r.assembled_here else ""))
    return 0


def _status(args) -> int:
    url = _url(args)
    from ..engine import slate

    report = slate.status(_films(args), url, args.out)
    if args.json:
        print_json_line(report)
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    for film in report["films"]:
        made = f"assembled by {film['assembled_by']}" if film["assembled"] else (
            f"assembling: {film['assembling']}" if film["assembling"] else "not assembled")
        table = Table(title=f"{film['title']} ({film['film']}): ${film['spent_usd']:.2f} spent, {made}",
                      title_justify="left")
        for column in ("shot", "state", "job id", "held by", "lease left"):
            table.add_column(column)
        for s in film["shots"]:
            table.add_row(Text(s["id"]), s["state"], Text(s["job_id"] or "-"), Text(s["holder"] or "-"),
                          f"{s['lease_s']:.0f} s" if s["lease_s"] is not None else "-")
        console.print(table)
    rehearsal = f" · rehearsals ${report['rehearsal_usd']:.2f} (not money)" if report["rehearsal_usd"] else ""
    console.print(Text(f"slate: ${report['spent_usd']:.2f} spent{rehearsal}"))
    return 0


def _say(text: str) -> None:
    print(redact(text), file=sys.stderr)
