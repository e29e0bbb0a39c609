"""The providers by name: one table and one factory. Adding a provider is a new module and one line in SPECS.

Everything outside providers/ that depends on a provider asks here, by the name the user chose, for its spec
(words, capabilities) or its class; nothing else knows which names exist. A provider's class is imported only
when a run creates it.
"""

from __future__ import annotations

import inspect

from ..errors import ProviderError
from . import animatic
from .aigateway import spec as aigateway
from .base import Provider
from .capabilities import Capabilities, ProviderSpec
from .crazyrouter import spec as crazyrouter
from .luma import spec as luma
from .luma_agents import spec as luma_agents

PROVIDERS: dict[str, ProviderSpec] = {
    s.name: s for s in (animatic.SPEC, luma.SPEC, luma_agents.SPEC, aigateway.SPEC, crazyrouter.SPEC)}
NAMES = tuple(PROVIDERS)
DEFAULT = animatic.SPEC.name  # free and offline: spending money is never a default


def spec(name: str) -> ProviderSpec:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ProviderError(f"unknown provider {name!r}: choose one of {', '.join(NAMES)}") from None


def provider_class(name: str) -> type[Provider]:
    return spec(name).load()


def capabilities(name: str) -> Capabilities:
    return spec(name).capabilities


def create(name: str, **options) -> Provider:
    """The provider called `name`, given the options it takes. Callers pass every run option they have
    (storyboard_dir, asset_base_url, burn_in, ...) and each provider takes those that concern it; an option
    that no provider takes is a TypeError, so a misspelt one does not vanish."""
    cls = provider_class(name)
    taken = _parameters(cls)
    if set(options) - taken and set(options) - {p for s in PROVIDERS.values() for p in _parameters(s.load())}:
        raise TypeError(f"no provider takes {', '.join(sorted(set(options) - taken))}")
    return cls(**{k: v for k, v in options.items() if k in taken})


def _parameters(cls: type) -> set[str]:
    return set(inspect.signature(cls).parameters)


def cost_usd(name: str, model: str, resolution: str, seconds: float) -> float:
    """Estimated cost of generating `seconds` of video (pipeline/providers/prices.py); 0 for free providers."""
    try:
        return capabilities(name).cost_usd(model, resolution, seconds)
    except KeyError:
        raise ProviderError(f"no price for {model} at {resolution} with {name}: add one to "
                            "pipeline/providers/prices.py (or choose another model or resolution)") from None


def paid_alternatives(model: str, resolution: str) -> tuple[str, ...]:
    """The paid providers that offer `model` at `resolution` (what a free plan could be generated with)."""
    return tuple(name for name, s in PROVIDERS.items()
                 if s.capabilities.paid and s.capabilities.offers(model, resolution))
