"""What the commands print besides tables: storyboard problems and notes, and JSON; never a secret."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

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
    """One JSON object on one line: what --json prints, so that every line of stdout parses.

    Written a value at a time, each redacted: a long film's plan is megabytes as one text, and redacting and
    printing it held that text three times over."""
    for piece in json_pieces(data):
        sys.stdout.write(redact(piece))
    print(flush=True)


def json_pieces(data: object) -> Iterator[str]:
    """json.dumps(data) in pieces: each key and value of an object, each item of a list in it. What redact
    looks for lies inside one string, so it never spans two pieces."""
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        yield json.dumps(data)  # json.dumps spells other keys its own way
        return
    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield f"{', ' if n else ''}{json.dumps(key)}: "
        if isinstance(value, list) and value:
            yield "["
            for i, item in enumerate(value):
                yield f"{', ' if i else ''}{json.dumps(item)}"
            yield "]"
        else:
            yield json.dumps(value)
    yield "}"


def print_notes(project) -> None:
    for note in project.notes:
        print(redact(str(note)), file=sys.stderr)
