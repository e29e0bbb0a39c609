"""`pipeline watch FILE` (CLI layer): its arguments; what it does is in watching.py, imported when it runs
(watchfiles and the preview server are no part of any other command's start-up)."""

from __future__ import annotations

from pathlib import Path

from .. import providers
from .storyboard_commands import Sub

FREE = providers.DEFAULT  # the offline animatic


def watch_command(sub: Sub) -> None:
    p = sub.add_parser("watch", help="render the animatic again on every save, with a live preview",
                       description="Watch the storyboard and the files it names; on every save, check it, render "
                                   "the animatic of the shots that changed (and those that extend them), and "
                                   "assemble OUT/final.mp4 again. The preview it serves on 127.0.0.1 follows "
                                   "along without a reload. A save with a mistake is reported in the terminal "
                                   "and on the page; the last good cut stays. Free: never a paid provider.")
    p.add_argument("path", metavar="PATH", help="storyboard YAML file")
    p.add_argument("--provider", choices=providers.NAMES,
                   help=f"only {FREE} (the default): watch renders offline and never spends money")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output/<storyboard name>)")
    p.add_argument("--no-burn-in", dest="burn_in", action="store_false",
                   help="leave out the burnt-in shot id and prompt")
    p.add_argument("--port", type=int, default=0, help="port for the preview (default: a free one)")
    p.add_argument("--no-serve", dest="serve", action="store_false", help="do not serve a preview")
    p.add_argument("--open", action="store_true", help="open the preview in a browser")
    p.set_defaults(handler=_watch)


def _watch(args) -> int:
    from .watching import watch

    return watch(args)
