"""An OpenTimelineIO file written an object at a time: the bytes OTIO's own writer gives for the whole timeline,
without the whole timeline in memory, nor its JSON as one string (a long film's is tens of megabytes, held
twice while OTIO hands it over).

A container is serialised by OTIO empty, as a skeleton; each of its empty lists named here is then written out
item by item, each item serialised by OTIO alone and indented to its depth, as OTIO's pretty writer nests it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import opentimelineio as otio

INDENT = "    "  # OTIO's default for .otio files

Chunks = Iterable[str]


def whole(thing) -> Chunks:
    """One OTIO object, serialised at once (it is small)."""
    return (otio.adapters.write_to_string(thing, "otio_json"),)


def filled(container, lists: dict[str, Iterable[Chunks]], *, depth: int = 1) -> Iterator[str]:
    """`container` (its lists empty) with each list `lists` names by key ("children", "markers"), `depth`
    levels in, holding the items given, each an object's chunks."""
    wanted = {f'{INDENT * depth}"{key}": []': items for key, items in lists.items()}
    for n, line in enumerate(whole(container)[0].split("\n")):
        yield "\n" if n else ""
        bare = line.removesuffix(",")
        items = wanted.get(bare)  # a whole line of the container's own: user text cannot spell it (JSON escapes)
        if items is None:
            yield line
        else:
            yield from _listed(bare, items)
            yield line[len(bare):]


def _listed(line: str, items: Iterable[Chunks]) -> Iterator[str]:
    """The line `"key": []` holding `items`, as OTIO's writer spells a list of objects."""
    indent = line[: len(line) - len(line.lstrip())]
    inner = indent + INDENT
    opened = False
    for item in items:
        yield (",\n" if opened else line[:-1] + "\n") + inner
        opened = True
        for chunk in item:
            yield chunk.replace("\n", "\n" + inner)
    yield "\n" + indent + "]" if opened else line
