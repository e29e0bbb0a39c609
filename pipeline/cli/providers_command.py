"""`pipeline providers`: what each provider can do, from the registry's capabilities (CLI layer)."""

from __future__ import annotations

from .output import print_json_line

Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"


def providers_command(sub: Sub) -> None:
    p = sub.add_parser("providers", help="list the providers and what each can do",
                       description="List each provider's models, resolutions, durations, keyframe images, "
                                   "extension, loop, camera concepts, what happens to a create whose answer is "
                                   "lost, and the price per second the estimates use.")
    p.add_argument("--json", action="store_true", help="print the capabilities as JSON")
    p.set_defaults(handler=_providers)


def _providers(args) -> None:
    from ..providers import table

    if args.json:
        print_json_line(table.rows())
    else:
        print(table.markdown(), end="")
