"""Who decided what a plan renders: the picked takes and approvals (Choices, from the journal) and each shot's
tier (Look: the model and resolution it is made at, or an upscale of its draft). Pure, like plan.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .storyboard.model import Storyboard, Tier

TIERS = ("draft", "final")  # lowest first: a shot only ever goes up


@dataclass(frozen=True)
class Choices:
    """What the user decided, as the journal keeps it (engine.decisions): each shot's picked take, the approved
    shots, the tier each shot was last made at; and the tier a run asks for (`--tier`)."""

    picks: Mapping[str, int] = field(default_factory=dict)
    approved: frozenset[str] = frozenset()
    made_tier: Mapping[str, str] = field(default_factory=dict)
    tier: str | None = None


UNDECIDED = Choices()


@dataclass(frozen=True)
class Look:
    """The quality a shot renders at: its tier (None without `tiers:`), model and resolution."""

    tier: str | None
    model: str
    resolution: str
    upscale: bool = False  # made by upscaling the shot's draft, not by generating again
    upscale_of: str | None = None  # the draft's key (set on each planned take)


def looks_of(board: Storyboard, ids: list[str], links: Mapping[str, tuple[str | None, str | None]],
           choices: Choices) -> dict[str, Look]:
    """Each shot's tier: the tier it was last made at (draft at first); a run asking for a higher tier raises
    the approved shots to it, and the shots extending or leading into a raised one (their parent changes)."""
    if board.tiers is None:
        return {i: Look(None, board.model, board.resolution) for i in ids}
    tier = {i: choices.made_tier.get(i, TIERS[0]) for i in ids}
    wanted = choices.tier
    if wanted is not None:
        raised = {i for i in ids if i in choices.approved and TIERS.index(wanted) > TIERS.index(tier[i])}
        # an upscale leaves the draft, which later shots extend, as it was: they stay
        while not look_of(board, wanted).upscale and (
                grown := {i for i in ids if i not in raised and any(n in raised for n in links[i] if n)}):
            raised |= grown
        tier.update(dict.fromkeys(raised, wanted))
    return {i: look_of(board, tier[i]) for i in ids}


def look_of(board: Storyboard, name: str) -> Look:
    spec: Tier = getattr(board.tiers, name)
    if spec.upscale:  # the draft's model, made larger
        return Look(name, board.tiers.draft.model or board.model, spec.resolution or board.resolution, upscale=True)
    return Look(name, spec.model or board.model, spec.resolution or board.resolution)
