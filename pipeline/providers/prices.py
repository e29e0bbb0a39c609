"""What a second of generated video costs, per provider, model and resolution (USD).

Edit this table when prices change. The seed figures (LUMA_API.md): Ray 2 on Luma's API costs $0.15 per 5 s
clip at 720p and $0.25 at 1080p; direct prices run $0.20-0.55 per 5 s clip. Where no figure was published
(540p, 4k, ray-flash-2) the table errs high, so an estimate never promises less than a run spends.
"""

from __future__ import annotations

PER_SECOND_USD: dict[tuple[str, str, str], float] = {
    ("luma", "ray-2", "540p"): 0.03,
    ("luma", "ray-2", "720p"): 0.03,  # $0.15 / 5 s
    ("luma", "ray-2", "1080p"): 0.05,  # $0.25 / 5 s
    ("luma", "ray-2", "4k"): 0.11,  # $0.55 / 5 s, the top of the quoted range
    ("luma", "ray-flash-2", "540p"): 0.03,
    ("luma", "ray-flash-2", "720p"): 0.03,
    ("luma", "ray-flash-2", "1080p"): 0.05,
    ("luma", "ray-flash-2", "4k"): 0.11,
}
FREE_PROVIDERS = {"animatic"}


def cost_usd(provider: str, model: str, resolution: str, seconds: float) -> float:
    """Estimated cost of generating `seconds` of video; 0 for offline providers."""
    if provider in FREE_PROVIDERS:
        return 0.0
    return round(PER_SECOND_USD[(provider, model, resolution)] * seconds, 4)
