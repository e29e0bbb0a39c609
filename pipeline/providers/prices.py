"""What a second of generated video costs (USD), per provider, model and resolution: the one price table.

An estimate must never promise less than a run spends, so each row is the highest credible figure for the
provider itself (a reseller's own price, not Luma's), with its source beside it (see LUMA_API.md, "Prices").
A resolution that no one publishes is scaled from the nearest published one by its pixels (960x540, 1280x720,
1920x1080 and 3840x2160 at 16:9: 0.5625, 1, 2.25 and 9 times 720p) and rounded up to the next cent, and its
comment says so. Free providers have no rows. Edit this table when prices change; the providers' capability
records read it (`per_second`), and a paid model without a price for one of its resolutions fails the tests.
"""

from __future__ import annotations

PER_SECOND_USD: dict[tuple[str, str, str], float] = {
    # Ray 2: about $0.08/s on Luma's Build tier (plans.apis.io); $0.40 per 720p 5 s clip (claude-studio-producer's
    # cost map) is the same $0.08/s. The seed's $0.15 per 5 s ($0.03/s) is the lowest anyone quotes: not used.
    ("luma", "ray-2", "540p"): 0.05,  # not published: 720p's $0.08 x 0.5625 = $0.045, rounded up
    ("luma", "ray-2", "720p"): 0.08,  # published: Build tier $0.08/s; $0.40 / 5 s
    ("luma", "ray-2", "1080p"): 0.18,  # not published: 720p's $0.08 x 2.25 (the seed's $0.25 / 5 s is older and lower)
    ("luma", "ray-2", "4k"): 0.72,  # not published: 720p's $0.08 x 9
    # Ray 2 Flash: Luma's credits ($4 per 1,200) at about 11 credits/s give ~$0.037/s at 720p; fal sells it for
    # $0.20 per 5 s at 540p, twice that at 720p and four times at 1080p. fal's figures are the higher: used.
    ("luma", "ray-flash-2", "540p"): 0.04,  # published: fal $0.20 / 5 s
    ("luma", "ray-flash-2", "720p"): 0.08,  # published: fal $0.40 / 5 s (Luma's credits: ~$0.037/s)
    ("luma", "ray-flash-2", "1080p"): 0.16,  # published: fal $0.80 / 5 s
    ("luma", "ray-flash-2", "4k"): 0.64,  # not published: 1080p's $0.16 x 4
    # Resellers. AIgateway's own page: Ray 2 at $0.50 per video second (its only resolution, 720p).
    ("aigateway", "ray-2", "720p"): 0.50,  # published: the gateway's page, $0.50/s
    # Crazyrouter publishes no Luma price we could find: the highest figure in LUMA_API.md (a gateway's $0.50/s)
    # stands for every resolution, above Luma's own at each (1080p: $0.18/s).
    ("crazyrouter", "ray-2", "540p"): 0.50,  # not published: the highest figure known ($0.50/s)
    ("crazyrouter", "ray-2", "720p"): 0.50,  # not published: the highest figure known ($0.50/s)
    ("crazyrouter", "ray-2", "1080p"): 0.50,  # not published: the highest figure known ($0.50/s)
    # Ray 3.2 (Luma's Agents API): Luma prices it per video by resolution, dynamic range and duration (its
    # pricing guide); a 10 s video bills as two 5 s blocks. The highest figures seen are fal's, a Luma partner,
    # for Ray 3.2 video-to-video: $0.72 / $1.08 / $2.16 per 5 s at 540p / 720p / 1080p (generation from text or
    # images is sold for less: $0.50 per run on WaveSpeed, from $0.06 per 5 s at 360p on Runware). fal's are used.
    ("luma-agents", "ray-3.2", "360p"): 0.07,  # not published at this height: 540p's $0.144 x 0.444, rounded up
    ("luma-agents", "ray-3.2", "540p"): 0.15,  # published: fal $0.72 / 5 s = $0.144, rounded up
    ("luma-agents", "ray-3.2", "720p"): 0.22,  # published: fal $1.08 / 5 s = $0.216, rounded up
    ("luma-agents", "ray-3.2", "1080p"): 0.44,  # published: fal $2.16 / 5 s = $0.432, rounded up
}


def per_second(provider: str, model: str) -> dict[str, float]:
    """Resolution -> USD per second for one provider's model (empty for a free provider)."""
    return {res: usd for (p, m, res), usd in PER_SECOND_USD.items() if (p, m) == (provider, model)}
