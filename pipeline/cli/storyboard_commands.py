"""The subcommands about storyboards themselves: validate, plan, schema, init, and the fake Luma server (CLI
layer). Each registers its arguments and calls one library function."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .. import formats, providers
from ..engine.status import next_run, plan_json, summary
from ..engine.work import Action, Decision, to_pay_usd
from ..errors import PipelineError, StoryboardError
from ..file_facts import MEDIA, FileFacts
from ..layout import Layout
from ..plan import TIERS, Plan
from ..storyboard import camera, starter
from ..storyboard.load import load
from ..storyboard.model import Storyboard
from .output import count, print_json, print_json_line, print_notes, print_problems
from .pages import pages

if TYPE_CHECKING:
    from rich.console import Console

Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"


def provider_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", choices=providers.NAMES,
                        help=f"override the storyboard's provider (default: {providers.DEFAULT}, offline and free)")
    parser.add_argument("--asset-base-url", metavar="URL",
                        help="public URL of the storyboard's folder, where Luma fetches local keyframes")
    parser.add_argument("--assets", metavar="S3_URL",
                        help="publish local keyframes to this bucket, s3://BUCKET/PREFIX/ (default: the "
                             "storyboard's `assets:`, else $PIPELINE_ASSETS)")


def load_args(args, path: str | None = None):
    """The storyboard named on the command line, with its --provider, --asset-base-url and --assets, its files
    read only where the output folder's journal does not know them as they are."""
    path = path or args.path
    return load(path, provider=args.provider, asset_base_url=args.asset_base_url, assets=args.assets,
                default_assets=os.environ.get("PIPELINE_ASSETS") or None, facts=known_facts(args, path))


def known_facts(args, path: str) -> FileFacts:
    """What the journal of the storyboard's output folder (as out_dir names it) knows of files; nothing when
    nothing has run there. A look: the journal is not changed (a run writes what this load learns)."""
    layout = Layout(_folder(args, Path(path).resolve().stem))
    if layout.journal.exists():
        from ..engine.journal import reading

        with reading(layout) as journal:
            if journal is not None:
                return journal.files.detached(MEDIA)
    return FileFacts(layout.root)


def tier_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier", choices=TIERS, help="with `tiers:` in the storyboard: render the approved shots "
                        "(and the shots extending them) at this tier; the others stay at the tier they were made at")


def run_plan(project, args) -> Plan:
    """The plan as `pipeline run` makes it: the run options that change a provider's pixels (the animatic's
    burnt-in caption) are part of each shot's key, so plan, validate and status name the clips a run makes; so
    is a rehearsal: a fake's clips are never a paid run's."""
    names = providers.capabilities(project.provider).render_options
    options = {name: getattr(args, name, True) for name in names}
    if rehearsing(args, project.provider):
        options["rehearsal"] = True
    from ..engine import decisions  # the picks and tiers the folder's journal holds

    tier = getattr(args, "tier", None)
    if tier and project.board.tiers is None:  # else --tier would be ignored without a word
        raise PipelineError(f"{args.path}: --tier {tier} needs `tiers:` in the storyboard, e.g. `tiers: {{draft: "
                            "{resolution: 540p}, final: {resolution: 1080p}}`; or leave out --tier")
    chosen = decisions.read(out_dir(args, project)).choices(tier)
    return project.plan(options or None, chosen, cache=beats_cache(args, project))


def beats_cache(args, project) -> Path | None:
    """Where the bed's beats are kept: the output folder's cache, once a run has made the folder."""
    folder = Layout(out_dir(args, project))
    return folder.assembly_cache if folder.root.is_dir() else None


def rehearsing(args, provider: str) -> bool:
    """--rehearse, or a paid provider pointed at a stand-in by hand (LUMAAI_BASE_URL to a fake)."""
    if not providers.capabilities(provider).paid:
        return False
    from ..fake_luma.inline import configured_stand_in

    return getattr(args, "rehearse", False) or configured_stand_in(provider)


def out_dir(args, project) -> Path:
    return _folder(args, project.name)


def _folder(args, name: str) -> Path:
    """--out, else output/<the storyboard's name>."""
    return getattr(args, "out", None) or Path("output") / name


def validate_command(sub: Sub) -> None:
    p = sub.add_parser("validate", help="check storyboards without generating anything",
                       description="Check one or more storyboards and report every problem with its "
                                   "file, line and column. Exits 1 if any storyboard has a problem.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="storyboard YAML files")
    provider_option(p)
    p.set_defaults(handler=_validate)


def _validate(args) -> int:
    failed = 0
    for path in args.paths:
        try:
            project = load_args(args, path)
        except StoryboardError as exc:
            print_problems(exc.problems)
            failed += 1
            continue
        except PipelineError as exc:  # e.g. a folder or a missing file among the paths: go on with the others
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        print_notes(project)
        plan = run_plan(project, args)
        decisions = next_run(plan, out_dir(args, project))
        counted = summary(decisions) if decisions else \
            f"{count(len(plan.shots), 'shot')}, {plan.generations} to generate"
        print(f"{path}: ok: {counted} with {project.provider}, {plan.runtime_frames / formats.FPS:.2f} s")
    return 1 if failed else 0


def plan_command(sub: Sub) -> None:
    p = sub.add_parser("plan", help="show shots, chains, timings and the cost estimate",
                       description="Show what a run would do: each shot's chain, start time in the cut, "
                                   "duration, source and estimated cost, with totals. Spends nothing.")
    p.add_argument("path", metavar="PATH", help="storyboard YAML file")
    p.add_argument("--json", action="store_true", help="print one JSON object (stable field names)")
    provider_option(p)
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="output folder whose journal says what is cached (default: output/<storyboard name>)")
    p.add_argument("--no-burn-in", dest="burn_in", action="store_false", help="as given to `pipeline run`")
    tier_option(p)
    p.set_defaults(handler=_plan)


def _plan(args) -> int:
    project = load_args(args)
    plan = run_plan(project, args)
    decisions = next_run(plan, out_dir(args, project))
    if args.json:
        print_json_line(plan_json(plan, decisions))
    else:
        print_notes(project)
        from rich.console import Console

        show_plan(plan, Console(), decisions)
    return 0


PLAN_COLUMNS = (("#", "right"), ("shot", "left"), ("chain", "right"), ("start", "right"), ("length", "right"),
                ("cut", "right"), ("source", "left"), ("generate", "left"), ("est. cost", "right"))


def show_plan(plan: Plan, console: Console, decisions: list[Decision] | None = None) -> None:
    """The plan as a table; with `decisions` (a run has written the folder), what the next run does per shot
    and an estimate of only what it generates."""
    from rich.text import Text

    rows = [(str(p.index + 1), p.id, str(p.chain), f"{p.start_s:.2f} s", _length(p), _cut(p),
             p.source + ("" if p.transition == "cut" else f" ({p.transition} in)"),
             _generates(p, decisions[n] if decisions else None), f"${p.estimated_cost_usd:.2f}")
            for n, p in enumerate(plan.shots)]
    for page in pages(console, f"{plan.title} ({plan.provider})", PLAN_COLUMNS, rows):
        console.print(page)
    fps = formats.FPS
    paid = "" if providers.capabilities(plan.provider).paid else "".join(
        f"; with --provider {name} about ${plan.cost_with(name):.2f}"
        for name in providers.paid_alternatives(plan.model, plan.resolution))
    counted = f"{summary(decisions)} · " if decisions else ""
    generations = "" if decisions else f"{count(plan.generations, 'generation')} · "
    cost = to_pay_usd(decisions) if decisions else plan.estimated_cost_usd
    console.print(Text(
        f"{counted}runtime {plan.runtime_frames / fps:.2f} s · {generations}longest chain "
        f"{plan.longest_chain_frames / fps:.2f} s · estimated cost ${cost:.2f}"
        f"{' for what is to generate' if decisions else ''}{paid} "
        "(an estimate from pipeline/providers/prices.py, not a quote)"))


def _length(p) -> str:
    """What the shot plays, and from where in its clip when trimmed."""
    trimmed = f" (from {p.first / formats.FPS:.2f} s of {p.clip_length / formats.FPS:.2f})" \
        if p.trimmed_in or p.trimmed_out else ""
    return f"{p.duration_s:.2f} s{trimmed}"


def _cut(p) -> str:
    """Where the shot's cut falls, and how snapping moved it (or why it could not)."""
    end = f"{(p.start_frame + p.frames) / formats.FPS:.2f} s"
    if p.snapped is None:
        return end
    if p.snapped.on is None:
        return f"{end}: {p.snapped.note}"
    moved = f"{p.snapped.moved / formats.FPS:+.2f} s" if p.snapped.moved else "not moved"
    return f"{end} on a {p.snapped.on} ({moved})" + (f"; {p.snapped.note}" if p.snapped.note else "")


def _generates(planned, decision: Decision | None) -> str:
    if decision is None:
        return "yes" if planned.generate else "no (footage)"
    if decision.action is Action.GENERATE:
        return f"yes: {decision.why}"
    if decision.action in (Action.CACHED, Action.FOOTAGE):
        return f"no ({decision.action.value})"
    return f"{decision.action.value}: {decision.why}"


def cameras_command(sub: Sub) -> None:
    p = sub.add_parser("cameras", help="list the camera moves a shot's `camera:` takes",
                       description="List every Luma camera concept key with what it does and the friendly names "
                                   "read as it (`dolly in` is `push_in`).")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_cameras)


def _cameras(args) -> int:
    moves, words = camera.listing(), camera.families()
    if args.json:
        print_json_line({"cameras": moves, "words": words})
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    table = Table(title=Text("camera: one of these keys, or a list (e.g. camera: [push_in, handheld])"),
                  title_justify="left")
    for column in ("key", "what it does", "also written"):
        table.add_column(column, overflow="fold")
    for move in moves:
        table.add_row(move["key"], move["description"], Text(", ".join(move["aliases"]), style="dim"))
    console.print(table)
    families = Table(title=Text("words that name more than one move (validation suggests these)"),
                     title_justify="left")
    for column in ("word", "write"):
        families.add_column(column, overflow="fold")
    for word, hint in words.items():
        families.add_row(word, Text(hint))
    console.print(families)
    return 0


def schema_command(sub: Sub) -> None:
    p = sub.add_parser("schema", help="print the storyboard JSON Schema (for editor completion)",
                       description="Print the JSON Schema of the storyboard format. Save it and point your "
                                   "editor's YAML support at it (see the README).")
    p.set_defaults(handler=lambda args: print_json(storyboard_schema()))


def storyboard_schema() -> dict:
    schema = Storyboard.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Storyboard (format v1)", **schema}


def init_command(sub: Sub) -> None:
    p = sub.add_parser("init", help="write a commented starter storyboard",
                       description="Write NAME.yaml, a commented starter storyboard that validates and renders.")
    p.add_argument("name", nargs="?", default="storyboard", metavar="NAME",
                   help="file to create (default: storyboard.yaml)")
    p.set_defaults(handler=_init)


def _init(args) -> int:
    path = starter.write(Path(args.name))
    print(f"wrote {path}; next: pipeline plan {shlex.quote(str(path))}", file=sys.stderr)
    return 0


def fake_luma_command(sub: Sub) -> None:
    p = sub.add_parser("fake-luma", help="serve a local fake of Luma's API to rehearse runs for free",
                       description="Serve a fake Luma Dream Machine API on loopback that renders animatic "
                                   "clips. Then: LUMAAI_BASE_URL=http://HOST:PORT/dream-machine/v1 "
                                   "LUMAAI_API_KEY=anything pipeline run PATH --provider luma")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8800, help="port (default: 8800)")
    p.add_argument("--latency", type=float, default=5.0, metavar="S",
                   help="seconds from create to completed, rendering included (default: 5)")
    p.add_argument("--fault-rate", type=float, default=0.0, metavar="R",
                   help="chance of an injected fault per request: 429, 500, 503, dropped connection, "
                        "failed generation, truncated download (default: 0)")
    p.add_argument("--seed", type=int, help="seed for the injected faults, to repeat a rehearsal exactly")
    p.add_argument("--cdn", type=Path, metavar="DIR",
                   help="also serve DIR at /cdn, as the public folder behind asset_base_url")
    p.add_argument("--extension-includes-parent", action="store_true",
                   help="an extension's video also holds its parent's footage (unconfirmed Luma behaviour)")
    p.add_argument("--faults", metavar="KINDS",
                   help="comma-separated faults to inject at --fault-rate, among 429, 500, 503, drop, failed, "
                        "truncate, accepted_5xx (a 5xx after the create was accepted) (default: all but "
                        "accepted_5xx)")
    p.add_argument("--credits", type=float, default=1000.0, metavar="USD",
                   help="the account's starting balance in USD, charged per generated second at create and "
                        "refunded when a generation fails; GET /credits reports it (default: 1000)")
    p.add_argument("--refuse-concepts-for", action="append", default=[], metavar="MODEL",
                   help="refuse creates with concepts for MODEL with a 400, as Luma has for ray-flash-2")
    p.add_argument("--access-log", action="store_true",
                   help="print a line for every request (default: quiet, so a run beside it reads clearly)")
    p.add_argument("--echo-auth", action="store_true",
                   help="quote the request's Authorization header in every error, as a careless server "
                        "would: rehearse that the key never shows")
    p.set_defaults(handler=_fake_luma)


def _fake_luma(args) -> int:
    from ..fake_luma import serve

    def ready(api: str) -> None:
        print(f"fake Luma API on {api} (any bearer key; Luma's Agents API at /agents/v1, AIgateway's at "
              "/aigateway/v1, Crazyrouter's at /crazyrouter; stats at /_fake/stats; Ctrl-C stops). Then: "
              f"LUMAAI_BASE_URL={api} LUMAAI_API_KEY=anything pipeline run PATH --provider luma", file=sys.stderr,
              flush=True)

    serve(_fake_options(args), host=args.host, port=args.port, access_log=args.access_log, ready=ready)
    return 0


def _fake_options(args):
    from ..fake_luma import DEFAULT_FAULTS, FakeOptions

    if not 0 <= args.fault_rate <= 1:
        raise PipelineError("--fault-rate is a probability: give a number from 0 to 1")
    if args.credits < 0:
        raise PipelineError("--credits is a balance in USD: give a number from 0 up")
    faults = tuple(k.strip() for k in args.faults.split(",") if k.strip()) if args.faults else DEFAULT_FAULTS
    try:
        return FakeOptions(latency=args.latency, fault_rate=args.fault_rate, seed=args.seed, cdn_dir=args.cdn,
                           extension_includes_parent=args.extension_includes_parent, faults=faults,
                           credit_balance=args.credits * 100, echo_auth=args.echo_auth,
                           concepts_refused_for=tuple(args.refuse_concepts_for))
    except ValueError as exc:  # an unknown fault kind
        raise PipelineError(f"--faults: {exc}") from exc

