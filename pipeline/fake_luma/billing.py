"""What the fake charges for a generation: Luma's prepaid credits, in USD cents per generated second.

Luma bills per generated pixel and pre-charges at create, refunding a failed generation in full. The default
table scales 2026's figures (LUMA_API.md "Prices": Ray 2 about $0.08/s at 720p on the Build tier, Ray 2
Flash about $0.037/s at 720p) by the pixels of each resolution against 720p's.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..formats import RESOLUTIONS

_AT_720P_CENTS = {"ray-2": 8.0, "ray-flash-2": 3.7, "ray-3.2": 21.6}  # Ray 3.2: fal's $1.08 per 5 s
CENTS_PER_SECOND: dict[tuple[str, str], float] = {
    (model, resolution): round(cents * (height / 720) ** 2, 3)
    for model, cents in _AT_720P_CENTS.items() for resolution, height in RESOLUTIONS.items()
}
DEFAULT_RESOLUTION = "720p"  # what Luma renders when the request names none


def price_cents(prices: float | Mapping[tuple[str, str], float], request: dict, seconds: int) -> float:
    """The charge for `request` (its echo: model and resolution), at a flat rate or a (model, resolution)
    table; a pair missing from the table costs the table's highest rate, never nothing."""
    if isinstance(prices, int | float):
        return round(prices * seconds, 3)
    key = (request.get("model"), request.get("resolution") or DEFAULT_RESOLUTION)
    return round(prices.get(key, max(prices.values())) * seconds, 3)
