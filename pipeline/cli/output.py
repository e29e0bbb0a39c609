"""What the commands print besides tables: storyboard problems and notes, and JSON; never a secret."""

from __future__ import annotations

import json
import sys

from ..secrets import redact


def print_problems(problems) -> None:
    for problem in problems:
        print(redact(str(problem)), file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} problem{'s' * (errors != 1)} found; nothing was generated", file=sys.stderr)


def count(n: int, thing: str) -> str:
    """ "1 shot", "2 shots": a number and its noun, agreeing."""
    return f"{n} {thing}{'s' * (n != 1)}"


def print_json(data: object) -> None:
    print(redact(json.dumps(data, indent=2)))  # *** keeps the JSON valid


def print_json_line(data: object) -> None:
    """One JSON object on one line: what --json prints, so that every line of stdout parses."""
    print(redact(json.dumps(data)), flush=True)


def print_notes(project) -> None:
    for note in project.notes:
        print(redact(str(note)), file=sys.stderr)
