"""The subcommands that work on a storyboard's output folder: run, status, assemble and preview (CLI layer)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from .. import providers
from ..errors import PipelineError, StoryboardError
from ..layout import Layout
from ..storyboard import checks
from .output import count, print_json_line, print_notes
from .pages import pages
from .storyboard_commands import Sub, load_args, provider_option, tier_option
from .storyboard_commands import run_plan as _run_plan


def run_command(sub: Sub) -> None:
    p = sub.add_parser("run", help="generate every shot and assemble the cut",
                       description="Generate the storyboard's shots (offline animatic by default) and join them "
                                   "into OUT/final.mp4. Only what changed since the last run is generated again; a "
                                   "run that was stopped resumes. Nothing is spent unless you choose --provider luma.")
    _run_folder_args(p, burn_in_help="animatic: leave out the burnt-in shot id and prompt")
    _burn_captions(p)
    p.add_argument("--concurrency", type=int, metavar="N",
                   help=f"generations running at once (default: {_defaults('concurrency')})")
    p.add_argument("--creates-per-minute", type=float, metavar="N",
                   help=f"at most N creates a minute, where the provider limits them (default: "
                        f"{_defaults('creates_per_minute')})")
    tier_option(p)
    p.add_argument("--max-cost", type=float, metavar="USD", help="refuse to start if the estimate exceeds this")
    p.add_argument("--yes", action="store_true", help="spend without asking (required when not on a terminal)")
    _no_wait(p)
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="print only the cut's path")
    shown.add_argument("--json", action="store_true", help="print progress as JSON lines on stdout")
    p.set_defaults(handler=_run)


def _defaults(limit: str) -> str:
    """e.g. "10 for luma, 2 for animatic": each provider's default for one of the run's limits."""
    return ", ".join(f"{getattr(spec.capabilities, limit):g} for {name}" for name, spec in providers.PROVIDERS.items()
                     if getattr(spec.capabilities, limit) is not None)


def _limits(args, capabilities):
    """The run's limits: the provider's defaults unless given; a provider that limits no creates gets none."""
    from ..engine import runner

    rate = capabilities.creates_per_minute
    if rate is not None and args.creates_per_minute is not None:
        rate = args.creates_per_minute
    concurrency = args.concurrency if args.concurrency is not None else capabilities.concurrency
    return runner.Limits(concurrency=concurrency, creates_per_minute=rate)


def _run_folder_args(parser: argparse.ArgumentParser, burn_in_help: str = "as given to `pipeline run`") -> None:
    """The arguments of every command that works on a storyboard's output folder."""
    parser.add_argument("path", metavar="PATH", help="storyboard YAML file")
    provider_option(parser)
    rehearse = ("run against a local fake of the paid provider, started and stopped by this run: the estimate "
                "and the question as for real, nothing charged (implies --provider luma)"
                if parser.prog.endswith(" run") else "the rehearsal's clips (as made by `pipeline run --rehearse`)")
    parser.add_argument("--rehearse", action="store_true", help=rehearse)
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output/<storyboard name>)")
    parser.add_argument("--no-burn-in", dest="burn_in", action="store_false", help=burn_in_help)
    parser.add_argument("--journal", metavar="URL",
                        help="keep the journal in a PostgreSQL database shared by several machines "
                             "(postgresql://USER@HOST:PORT/DB; default: $PIPELINE_JOURNAL, else the output folder's "
                             "journal.sqlite)")


def _journal_url(args) -> str | None:
    from ..engine.journals import where

    return where(getattr(args, "journal", None))


def _no_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-wait", dest="wait", action="store_false",
                        help="exit 1 at once if another run is writing into the output folder (default: wait)")


def _burn_captions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--burn-captions", action="store_true",
                        help="draw the shots' captions into the picture, for platforms that show no subtitles "
                             "(re-encodes the whole cut: slower)")


def _nothing_to_burn(args, report) -> None:
    """Say so when --burn-captions asks for captions that no shot has."""
    if args.burn_captions and not report.cues:
        _say("note: no shot has a caption: nothing to burn in")


def _hints(args, out: Path) -> tuple[str, str]:
    """The commands to print for resuming the run and for forgetting a shot (SHOT stands for its id)."""
    resume = shlex.join(["pipeline", *(sys.argv[1:] if sys.argv[1:2] == ["run"] else ["run", args.path])])
    where = ["--out", str(out)] if args.out else []
    which = ["--rehearse"] if args.rehearse else ["--provider", args.provider] if args.provider else []
    return resume, shlex.join(["pipeline", "forget", args.path, *which, *where]) + " SHOT"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _load(args):
    """The storyboard, with the provider a rehearsal implies."""
    _rehearsal_provider(args)
    return load_args(args)


def _rehearsal_provider(args) -> None:
    """--rehearse rehearses a paid run: luma unless --provider names another that a fake plays."""
    if not args.rehearse:
        return
    from ..fake_luma.inline import REHEARSED

    args.provider = args.provider or REHEARSED[0]
    if args.provider not in REHEARSED:
        why = ("is free already" if not providers.capabilities(args.provider).paid
               else "has no fake to rehearse with")
        raise PipelineError(f"--rehearse rehearses a paid run ({', '.join(REHEARSED)}); the {args.provider} {why}: "
                            f"drop --rehearse, or give --provider {REHEARSED[0]}")


def _run(args) -> int:
    _rehearsal_provider(args)
    if not args.rehearse:
        return _run_with(args, None)
    from ..fake_luma.inline import stand_in

    project = _load(args)  # a storyboard's mistakes are said before any server starts
    _forget_what_died_with_a_fake(args, project)
    with stand_in(project.base_dir) as fake:
        args.asset_base_url = fake.asset_base_url  # the fake serves the storyboard's folder as its CDN
        return _run_with(args, fake)


def _forget_what_died_with_a_fake(args, project) -> None:
    """A rehearsal's fake lives as long as its run: the jobs a stopped rehearsal left unfinished, or whose clips
    went missing, died with it. They are forgotten (the ledger keeps them, as rehearsal) and made again, free."""
    from ..engine.forget import forget
    from ..engine.status import status_of

    out, plan = _out_dir(args, project), _run_plan(project, args)
    if not Layout(out).journal.exists():
        return
    gone = [s["id"] for s in status_of(project, plan, out)["shots"] if s["action"] in ("resume", "fetch again")]
    if gone:
        forget(plan, out, gone, wait=args.wait, tell=_say)
        _say(f"rehearsal: {', '.join(gone)} left unfinished by a rehearsal whose fake server is gone: "
             "made again (nothing is charged)")


def _run_with(args, fake) -> int:
    """The run, against `fake` (a rehearsal's stand-in server) when one is given."""
    from ..engine import runner, spending
    from . import progress

    project = _load(args)
    refused = checks.unpublished(project.notes)  # plan and validate warn; a paid run stops here, before the gate
    if refused:
        raise StoryboardError(refused)
    print_notes(project)
    plan = _run_plan(project, args)
    capabilities = providers.capabilities(project.provider)
    if not capabilities.paid and not args.json:
        print(f"Rendering an offline animatic (free). To generate with Luma: pipeline run {shlex.quote(args.path)} "
              "--provider luma", file=sys.stderr)
    limits = _limits(args, capabilities)
    stand_in = {"api_key": fake.api_key, "base_url": fake.api} if fake else {}
    provider = providers.create(project.provider, burn_in=args.burn_in, **stand_in)
    assets = _assets(project, capabilities, fake)
    out = _out_dir(args, project)
    resume, forget = _hints(args, out)

    def confirm(estimate: float) -> None:
        question = "Spend it? [y/N] "
        if provider.rehearsal:
            where = f"a local fake server ({fake.root})" if fake else "a stand-in server, not Luma's API"
            _say(f"rehearsal: {project.provider} is played by {where}; the estimate is what a real run would "
                 "cost, and nothing is charged")
            question = "Rehearse it? Nothing is charged. [y/N] "
        spending.confirm(plan, estimate, budget=project.board.budget_usd, max_cost=args.max_cost, yes=args.yes,
                         tell=_say, ask=lambda _: report.ask(question))

    try:
        with progress.reporter(plan, json_events=args.json, quiet=args.quiet) as report:
            result = runner.run(project, plan, provider, out, limits=limits, report=report, confirm=confirm,
                                caption=args.burn_in, resume_hint=resume, forget_hint=forget, tell=_say,
                                wait=args.wait, assets=assets, journal_url=_journal_url(args),
                                burn_captions=args.burn_captions)
    except KeyboardInterrupt:
        print(f"interrupted: every finished step is in the journal; resume with: {resume}", file=sys.stderr)
        return 130
    assembly = result.assembly
    _nothing_to_burn(args, assembly)
    if args.json:  # stdout stays JSON lines: the last one says where the cut is
        print_json_line({"cut": str(assembly.cut), "generated": result.created, "spent_usd": result.spent.usd,
                         "rehearsal_usd": result.spent.rehearsal_usd, "warnings": list(assembly.warnings)})
        return 0
    _print_assembly(assembly)
    _say(f"{result.created} generated, {_spend_words(result.spent)}; the cut: {assembly.cut}")
    print(assembly.cut)
    return 0


def _assets(project, capabilities, fake):
    """Where keyframes are published: in a rehearsal always the fake's own folder (it fetches nothing else)."""
    if fake:
        from ..assets.base_url import BaseUrlStore

        return BaseUrlStore(fake.asset_base_url, project.base_dir)
    if not capabilities.needs_public_urls:
        return None
    from ..assets.choose import for_board  # the S3 client only for a run that publishes keyframes

    return for_board(project)


def _spend_words(spent) -> str:
    words = f"spent ${spent.usd:.2f} in all (the ledger's estimate)"
    if spent.rehearsal_usd:
        words += f"; ${spent.rehearsal_usd:.2f} counted in rehearsals against a fake server (not money)"
    return words


def _print_assembly(report) -> None:
    for warning in report.warnings:
        print(f"note: {warning}", file=sys.stderr)
    if report.reused:
        print(f"the cut is already made from these clips and settings, and is whole: {report.cut.name} kept as it is "
              "(nothing rebuilt or verified again)", file=sys.stderr)
        return
    print(f"assembled {report.runtime_s:.2f} s in {report.seconds:.1f} s: "
          f"{count(report.copied_frames, 'frame')} copied, {report.reencoded_frames} re-encoded"
          + (", the captions burnt in" if report.burnt_captions else ""),
          file=sys.stderr)


def assemble_command(sub: Sub) -> None:
    p = sub.add_parser("assemble", help="join the generated clips into the cut again, generating nothing",
                       description="Assemble OUT/final.mp4 (with chapters and a subtitle stream, and final.srt and "
                                   "timeline.otio beside it) from the clips in the output folder's journal. "
                                   "Generates nothing and spends nothing.")
    _run_folder_args(p)
    _no_wait(p)
    _burn_captions(p)
    p.set_defaults(handler=_assemble)


def _assemble(args) -> int:
    from ..engine.runner import assemble_again

    project = _load(args)
    print_notes(project)
    out = _out_dir(args, project)
    report = assemble_again(project, _run_plan(project, args), out,
                            paid=providers.capabilities(project.provider).paid, wait=args.wait, tell=_say,
                            journal_url=_journal_url(args), burn_captions=args.burn_captions)
    _nothing_to_burn(args, report)
    _print_assembly(report)
    print(report.cut)
    return 0


def _out_dir(args, project) -> Path:
    return args.out or Path("output") / project.name


def status_command(sub: Sub) -> None:
    p = sub.add_parser("status", help="show each shot's state and what a run would do now",
                       description="Show each shot's state, job id, file and cost from the output folder's "
                                   "journal, and what `pipeline run` would do now. Makes no provider calls.")
    _run_folder_args(p)
    tier_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_status)


def _status(args) -> int:
    from ..engine.status import status_of

    project = _load(args)
    out = _out_dir(args, project)
    report = status_of(project, _run_plan(project, args), out, forget_hint=_hints(args, out)[1],
                       journal_url=_journal_url(args))
    if args.json:
        print_json_line(report)
        return 0
    from rich.console import Console
    from rich.text import Text

    console = Console()
    for page in _status_pages(console, project.title, report):
        console.print(page)
    t = report["totals"]
    rehearsal = f" · rehearsals ${t['rehearsal_usd']:.2f} (not money)" if t["rehearsal_usd"] else ""
    console.print(Text(f"spent ${t['spent_usd']:.2f}{rehearsal} · a run now would generate "
                       f"{count(t['to_generate'], 'shot')}, "
                       f"estimated ${t['estimated_cost_usd']:.2f} (an estimate)"))
    return 0


STATUS_COLUMNS = tuple((name, "left") for name in ("shot", "start", "state", "job id", "cost", "next run", "why"))


def _status_pages(console, title: str, report: dict):
    """The status table, a page of rows at a time (cli.pages)."""
    rows = [(s["id"], _start(s), s["state"], s["job_id"] or "-", f"${s['cost_usd']:.2f}", s["action"], s["why"])
            for s in report["shots"]]
    return pages(console, f"{title}: {report['out']}", STATUS_COLUMNS, rows)


def _start(shot: dict) -> str:
    """Where the shot starts: in the cut as made, with the plan's time beside it where trims moved it."""
    planned, made = shot["start_s"], shot.get("cut_start_s")
    if made is None or made == planned:
        return f"{planned:.2f}s"
    return f"{made:.2f}s (plan {planned:.2f}s)"


def preview_command(sub: Sub) -> None:
    p = sub.add_parser("preview", help="write a contact sheet and player for the cut (--serve to view it)",
                       description="Write OUT/preview/index.html: every shot's first and last frames, prompt, "
                                   "state and cost, and the cut in a player. Works before, during and after a run.")
    _run_folder_args(p)
    p.add_argument("--serve", action="store_true",
                   help="serve the page on 127.0.0.1; it follows a run (in any process) as it goes")
    p.add_argument("--port", type=int, default=0, help="port for --serve (default: a free one)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.set_defaults(handler=_preview)


def _preview(args) -> int:
    import webbrowser

    from .. import preview

    def build() -> preview.Built:  # the storyboard is read again each time, so the page shows its edits
        from ..engine.journals import reading_journal

        project, url = _load(args), _journal_url(args)
        if url is None:
            return preview.refresh(project, _run_plan(project, args), out)
        with reading_journal(Layout(out), project.name, url) as journal:
            return preview.refresh(project, _run_plan(project, args), out, journal)

    project = _load(args)
    print_notes(project)
    out = _out_dir(args, project)
    page = build().page
    if not args.serve:
        print(page)
        if args.open:
            webbrowser.open(page.resolve().as_uri())
        return 0

    def ready(url: str) -> None:
        print(f"serving {out} at {url} (Ctrl-C stops); takes and approvals at {url.replace('/preview/', '/review/')}",
              file=sys.stderr)
        print(url, flush=True)
        if args.open:
            webbrowser.open(url)

    preview.serve(out, port=args.port, rebuild=build, ready=ready, reviewer=_reviewer(args, out))
    return 0


def _reviewer(args, out: Path):
    """The review page's hands: the plan as a run makes it now, and the cut assembled again (no generation)."""
    from ..engine.runner import assemble_again
    from ..preview.review import Reviewer

    def plan_of():
        project = _load(args)
        return project, _run_plan(project, args)

    def assemble(project, plan):
        assemble_again(project, plan, out, paid=providers.capabilities(project.provider).paid, wait=False)

    return Reviewer(out, plan_of, assemble)


def forget_command(sub: Sub) -> None:
    p = sub.add_parser("forget", help="forget shots' current generations, so the next run plans them again",
                       description="Forget what the journal holds for SHOT (an unknown state, a job the provider "
                                   "no longer knows). What was paid stays in the ledger; the next run plans a new "
                                   "generation for it, shown in the estimate and asked for like any other.")
    _run_folder_args(p)
    p.add_argument("shots", nargs="+", metavar="SHOT", help="shot ids")
    _no_wait(p)
    p.set_defaults(handler=_forget)


def _forget(args) -> int:
    from ..engine.forget import forget

    project = _load(args)
    forgotten = forget(_run_plan(project, args), _out_dir(args, project), args.shots, wait=args.wait, tell=_say,
                       film=project.name, journal_url=_journal_url(args))
    for shot_id in args.shots:
        _say(f"{shot_id}: " + ("forgotten; `pipeline status` shows what the next run would do and cost"
                               if shot_id in forgotten else "nothing journaled for it"))
    return 0
