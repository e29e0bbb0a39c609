"""The `pipeline` command: the only place that prints, exits, or turns errors into exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback

import stamina

from .. import __version__
from ..errors import PipelineError, StoryboardError
from ..files import as_disk_error
from ..secrets import install_log_redaction, redact
from . import music_command, output_commands, slate_command, storyboard_commands, takes_command, watch_command
from .output import print_problems
from .providers_command import providers_command

DEBUG_VARIABLE = "PIPELINE_DEBUG"


def main(argv: list[str] | None = None) -> int:
    stamina.instrumentation.set_on_retry_hooks([])  # its default hook logs a bare "retry_scheduled" per retry
    install_log_redaction()  # httpx, uvicorn and our own log lines alike
    parser = build_parser()
    args = parser.parse_args(argv)
    _fewer_collections()
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except StoryboardError as exc:
        print_problems(exc.problems)
        return 1
    except PipelineError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `pipeline plan --json | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        if disk := as_disk_error(exc, getattr(args, "out", None)):  # a write that missed files.py: still no bug
            print(f"error: {disk}", file=sys.stderr)
            return 1
        last = redact(traceback.format_exc().strip().splitlines()[-1])
        print(f"internal error: {last}\nThis is a bug in pipeline; run again with {DEBUG_VARIABLE}=1 to see "
              "the traceback, and report it.", file=sys.stderr)
        return 2


def _fewer_collections() -> None:
    """The modules imported so far stay for the process's life: the collector stops scanning them. A long
    film's load makes a few hundred thousand objects (nodes, models, plan rows) and no cycles worth finding
    early; at the default threshold the collector ran over them hundreds of times, a fifth of a `validate`."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def build_parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Turn a YAML storyboard into one continuous cut of chained AI video generations.",
        epilog="Start with `pipeline init`, check with `pipeline plan`, render free with `pipeline run` "
               "(the offline animatic), generate with `pipeline run --provider luma`.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    c, o = storyboard_commands, output_commands
    for command in (c.validate_command, c.plan_command, o.run_command, o.status_command, o.assemble_command,
                    o.preview_command, watch_command.watch_command, o.forget_command, takes_command.commands,
                    c.cameras_command, music_command.beats_command,
                    c.schema_command, c.init_command, c.fake_luma_command, slate_command.slate_command):
        command(sub)
    providers_command(sub)
    return parser
