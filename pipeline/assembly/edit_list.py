"""The cut as pieces: runs of packets copied from a clip, and short re-encoded pieces where the timeline
forces new pictures (a trim inside a GOP, a transition, a clip that is normalised).

Copying must start on a key frame and may stop early only where no later packet is needed: the packets
kept must be exactly the frames shown, in decode order. Everything here is arithmetic on the packet index;
nothing is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gate import ClipFacts

MAX_PARTS = 4  # parts merged into one re-encoded piece: fewer key frames and runs, memory still bounded


@dataclass(frozen=True)
class Span:
    """Frames [first, first + count) of a shot's clip (at the cut's rate), then `hold` copies of the last."""

    shot: str
    clip: ClipFacts
    first: int
    count: int
    normalise: bool  # scale, pad and retime the clip (it is not interchangeable with the reference)
    hold: int = 0

    @property
    def frames(self) -> int:
        return self.count + self.hold


@dataclass(frozen=True)
class Blend:
    """A dissolve or a fade through black: the outgoing shot's last frames over the incoming shot's first."""

    shot: str  # the incoming shot
    kind: str
    out: Span
    into: Span

    @property
    def frames(self) -> int:
        return self.into.frames


@dataclass(frozen=True)
class Piece:
    """One entry of the concat list: a copied Span, or parts re-encoded together into one file."""

    parts: tuple[Span | Blend, ...]
    copy: bool
    start: int  # first frame in the cut

    @property
    def frames(self) -> int:
        return sum(p.frames for p in self.parts)

    @property
    def shots(self) -> list[str]:
        return list(dict.fromkeys(s for p in self.parts for s in ((p.out.shot, p.shot) if isinstance(p, Blend)
                                                                  else (p.shot,))))


def copy_bounds(clip: ClipFacts, first: int, end: int) -> tuple[int, int] | None:
    """The longest run [k, e) inside [first, end) that can be copied packet for packet, or None.

    k is the first key frame at or after `first`; e is the furthest point where the packets decoded from k
    on are exactly frames k..e-1 (no B-frame needs a later frame; no open-GOP frame shows before k).
    """
    k = min((f for f in clip.keyframes if first <= f < end), default=None)
    if k is None:
        return None
    start, high, best = clip.position(k), -1, None
    for n, display in enumerate(clip.order[start:start + end - k], 1):
        if display < k:
            break
        high = max(high, display)
        if high == k + n - 1:
            best = k + n
    return (k, best) if best else None


def reencoded(clip: ClipFacts, first: int, end: int, *, copyable: bool) -> int:
    """How many of frames [first, end) must be re-encoded."""
    bounds = copy_bounds(clip, first, end) if copyable else None
    return (end - first) - (bounds[1] - bounds[0] if bounds else 0)


def own_parts(span: Span, copyable: bool) -> list[tuple[Span, bool]]:
    """`span` split into (part, copied?): a re-encoded head up to the first key frame, the copied run, and a
    re-encoded tail (frames after the last clean stopping point, and any held frames)."""
    end = span.first + span.count
    # the held picture is re-encoded with its last frame, so the copy must stop cleanly before that frame:
    # dropping the run's last frame afterwards could cut between a P-frame and the B-frames shown before it
    bounds = copy_bounds(span.clip, span.first, end - 1 if span.hold else end) if copyable else None
    if bounds is None:
        return [(span, False)] if span.frames else []
    k, e = bounds

    def part(a: int, b: int, hold: int = 0) -> Span:
        return Span(span.shot, span.clip, a, b - a, span.normalise, hold)

    out = [(part(span.first, k), False)] if k > span.first else []
    out.append((part(k, e), True))
    if e < end or span.hold:
        out.append((part(e, end, span.hold), False))
    return out


def group(parts: list[tuple[Span | Blend, bool]]) -> list[Piece]:
    """Consecutive re-encoded parts merged into pieces (at most MAX_PARTS each); copied runs stand alone."""
    pieces: list[Piece] = []
    start = 0
    for part, copied in parts:
        last = pieces[-1] if pieces else None
        if not copied and last is not None and not last.copy and len(last.parts) < MAX_PARTS:
            pieces[-1] = Piece((*last.parts, part), False, last.start)
        else:
            pieces.append(Piece((part,), copied, start))
        start += part.frames
    return pieces
