"""What the commands print besides tables: storyboard problems and notes, and JSON."""

from __future__ import annotations

import json
import sys


def print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} problem{'s' * (errors != 1)} found; nothing was generated", file=sys.stderr)


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2))


def print_notes(project) -> None:
    for note in project.notes:
        print(note, file=sys.stderr)
