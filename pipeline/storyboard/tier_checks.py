"""The storyboard's `tiers:` against the chosen provider: each tier's model and resolution offered, and an
upscale only where it can be (final, a provider that upscales, a larger size, the draft's model)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import formats, providers
from ..errors import Problem
from ..tiers import TIERS
from .context import Context


def _either(values) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" or {values[-1]}"


def check_tiers(ctx: Context) -> Iterator[Problem]:
    """Each tier's model and resolution are ones the chosen provider offers."""
    caps, tiers = providers.capabilities(ctx.provider), ctx.board.tiers
    who = f"{providers.spec(ctx.provider).title} (provider {ctx.provider})"
    for name in TIERS if tiers else ():
        tier = getattr(tiers, name)
        model, resolution = tier.model or ctx.board.model, tier.resolution or ctx.board.resolution
        if model not in caps.models:
            yield ctx.at(("tiers", name, "model") if tier.model else ("tiers", name),
                         f"tiers.{name}.model: {who} does not offer `{model}`; choose {_either(caps.models)}")
        elif resolution not in caps.models[model].resolutions:
            yield ctx.at(("tiers", name, "resolution") if tier.resolution else ("tiers", name),
                         f"tiers.{name}.resolution: {who} does not offer {resolution} with {model}; choose "
                         f"{_either(caps.models[model].resolutions)}")
        if tier.upscale:
            yield from _upscale_problems(ctx, name, caps, who)


def _upscale_problems(ctx: Context, name: str, caps, who: str) -> Iterator[Problem]:
    """An upscale is of the approved draft: final only, by a provider that can, to a larger size, same model."""
    tiers, at = ctx.board.tiers, ("tiers", name, "upscale")
    draft, final = tiers.draft, tiers.final
    order = list(formats.RESOLUTIONS)
    below = order.index(final.resolution or ctx.board.resolution) <= order.index(draft.resolution or
                                                                                  ctx.board.resolution)
    for wrong, said in ((name != "final", "only the final tier can be an upscale (of the approved draft)"),
                        (not caps.upscales, f"{who} cannot upscale; generate the final tier instead (remove "
                                            "`upscale`)"),
                        (final.model not in (None, draft.model or ctx.board.model),
                         "an upscale keeps the draft's model; remove tiers.final.model or `upscale`"),
                        (below, "an upscale must be to a larger resolution than the draft's")):
        if wrong:
            yield ctx.at(at, f"tiers.{name}.upscale: {said}")
            return
