"""`pipeline takes`, `pick`, `approve` and `reject`: see a shot's takes and decide which one plays and which shots
go up a tier (CLI layer; engine.decisions keeps the decisions in the folder's journal)."""

from __future__ import annotations

import sys

from .output import print_json_line
from .output_commands import _load as load
from .output_commands import _no_wait, _out_dir, _run_folder_args
from .storyboard_commands import Sub
from .storyboard_commands import run_plan as plan_of


def takes_command(sub: Sub) -> None:
    p = sub.add_parser("takes", help="list each shot's takes: state, cost, generation, picked, approved",
                       description="List the takes of every shot (or of SHOT): each take's state, cost and "
                                   "generation id, which one is picked and whether the shot is approved. Changes "
                                   "nothing.")
    _run_folder_args(p)
    p.add_argument("shots", nargs="*", metavar="SHOT", help="only these shots")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_takes)


def _takes(args) -> int:
    from ..engine.takes import takes_of

    project = load(args)
    shots = takes_of(plan_of(project, args), _out_dir(args, project), args.shots)
    if args.json:
        print_json_line({"shots": shots})
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{project.title}: takes", title_justify="left")
    for column in ("shot", "take", "picked", "verdict", "state", "job id", "cost", "next run"):
        table.add_column(column)
    for shot in shots:
        for take in shot["takes"]:
            table.add_row(Text(shot["id"]), str(take["take"]), "picked" if take["picked"] else "",
                          shot["verdict"] or "", take["state"], Text(take["job_id"] or "-"),
                          f"${take['cost_usd']:.2f}", take["action"])
    Console().print(table)
    return 0


def pick_command(sub: Sub) -> None:
    p = sub.add_parser("pick", help="play another take of a shot (then `pipeline run` or `assemble`)",
                       description="Pick take TAKE of SHOT: the cut plays it and the shots that extend SHOT "
                                   "follow it (they are generated again, with an estimate, on the next run).")
    _run_folder_args(p)
    p.add_argument("shot", metavar="SHOT")
    p.add_argument("take", metavar="TAKE", type=int)
    _no_wait(p)
    p.set_defaults(handler=_pick)


def _pick(args) -> int:
    from ..engine import decisions
    from ..engine.status import next_run

    project = load(args)
    out = _out_dir(args, project)
    decisions.pick(plan_of(project, args), out, args.shot, args.take, wait=args.wait, tell=_say)
    after = next_run(plan_of(project, args), out) or []
    stale = [d.shot.id for d in after if d.shot.picked and d.action.pays]
    _say(f"{args.shot}: take {args.take} picked; "
         + (f"{', '.join(stale)} to generate (see `pipeline status`, then `pipeline run`)" if stale
            else "`pipeline assemble` rebuilds the cut with it (no generation)"))
    return 0


def verdict_command(sub: Sub, name: str) -> None:
    verdict = {"approve": "approved", "reject": "rejected"}[name]
    p = sub.add_parser(name, help=f"mark shots {verdict} (`pipeline run --tier final` renders approved ones)",
                       description=f"Mark each SHOT {verdict}. Approved shots go up to the final tier on "
                                   "`pipeline run --tier final`; the others stay at the tier they were made at.")
    _run_folder_args(p)
    p.add_argument("shots", nargs="+", metavar="SHOT")
    _no_wait(p)
    p.set_defaults(handler=_verdict, verdict=verdict)


def _verdict(args) -> int:
    from ..engine import decisions

    project = load(args)
    decisions.review(plan_of(project, args), _out_dir(args, project), args.shots, args.verdict, wait=args.wait,
                     tell=_say)
    _say(f"{', '.join(args.shots)}: {args.verdict}")
    return 0


def commands(sub: Sub) -> None:
    takes_command(sub)
    pick_command(sub)
    verdict_command(sub, "approve")
    verdict_command(sub, "reject")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
