"""The providers by name: one table and one factory. Adding a provider is a new module and one line in PROVIDERS.

Everything outside providers/ that depends on a provider asks here, by the name the user chose, for its class
or its capabilities; nothing else knows which names exist.
"""

from __future__ import annotations

import inspect

from ..errors import ProviderError
from .animatic import AnimaticProvider
from .base import Provider
from .capabilities import Capabilities
from .luma.provider import LumaProvider

PROVIDERS: dict[str, type[Provider]] = {cls.name: cls for cls in (AnimaticProvider, LumaProvider)}
NAMES = tuple(PROVIDERS)
DEFAULT = AnimaticProvider.name  # free and offline: spending money is never a default


def provider_class(name: str) -> type[Provider]:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ProviderError(f"unknown provider {name!r}: choose one of {', '.join(NAMES)}") from None


def capabilities(name: str) -> Capabilities:
    return provider_class(name).capabilities


def create(name: str, **options) -> Provider:
    """The provider called `name`, given the options it takes. Callers pass every run option they have
    (storyboard_dir, asset_base_url, burn_in, ...) and each provider takes those that concern it; an option
    that no provider takes is a TypeError, so a misspelt one does not vanish."""
    cls = provider_class(name)
    unknown = set(options) - {p for c in PROVIDERS.values() for p in _parameters(c)}
    if unknown:
        raise TypeError(f"no provider takes {', '.join(sorted(unknown))}")
    return cls(**{k: v for k, v in options.items() if k in _parameters(cls)})


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
    return tuple(name for name, cls in PROVIDERS.items()
                 if cls.capabilities.paid and cls.capabilities.offers(model, resolution))
