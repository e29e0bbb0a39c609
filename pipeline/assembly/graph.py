"""What the assembler's filter graphs need beyond ffmpeg-python's own API (which builds them all)."""

from __future__ import annotations

import ffmpeg as ffmpeg_python  # builds filter graphs and arguments; pipeline.ffmpeg runs them


def readers(path: str, count: int, stream: str, **options) -> list:
    """`count` streams of `path`'s `stream` (e.g. 'v:0'), opened with input `options`.

    ffmpeg-python makes equal inputs one node (and equal filters on them too), and a node read by two chains
    needs a split: so a file that several chains read is opened once and split, not opened for each.
    """
    read = ffmpeg_python.input(path, **options)[stream]
    if count == 1:
        return [read]
    split = read.filter_multi_output("split" if stream.startswith("v") else "asplit")
    return [split[n] for n in range(count)]
