"""What each registered provider can do, as rows: generated from the capabilities, never written by hand, so
that `pipeline providers` and the README's table (which a test compares with it) cannot drift from the code."""

from __future__ import annotations

from .. import formats
from .capabilities import Capabilities, ImageInput, ModelCapabilities
from .registry import PROVIDERS

IMAGES_BY = {ImageInput.PUBLIC_URL: "public URL", ImageInput.INLINE: "inline", ImageInput.UPLOAD: "upload",
             ImageInput.LOCAL_FILE: "local file"}
COLUMNS = ("provider", "model", "resolutions", "durations", "aspect ratios", "keyframe images", "extension",
           "loop", "camera concepts", "lost create", "USD per second")


def rows() -> list[dict]:
    """One row per (provider, model), as plain data (what `pipeline providers --json` prints)."""
    return [_row(name, model, spec.capabilities, offered)
            for name, spec in PROVIDERS.items() for model, offered in spec.capabilities.models.items()]


def _row(name: str, model: str, caps: Capabilities, offered: ModelCapabilities) -> dict:
    extension = [way for way, able in (("forward", offered.extend_forward), ("backward", offered.extend_backward),
                                       ("between", offered.interpolate)) if able]
    return {
        "provider": name, "model": model, "paid": caps.paid, "resolutions": list(offered.resolutions),
        "durations_s": list(offered.durations_s), "aspect_ratios": list(offered.aspect_ratios),
        "images": sorted(str(how) for how in caps.images), "end_image": bool(caps.images) and offered.end_frame,
        "pinned_keyframes": offered.pinned_keyframes if caps.images else 0,
        "extension": extension, "loop": offered.loop, "concepts": offered.concepts,
        "lists_jobs": caps.lists_jobs, "min_poll_s": caps.min_poll_s,
        "usd_per_second": {res: offered.prices[res] for res in offered.resolutions if res in offered.prices},
    }


def markdown() -> str:
    """The rows as a Markdown table (what `pipeline providers` prints, and the README shows)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows()]
    return "\n".join(lines) + "\n"


def _cells(row: dict) -> list[str]:
    pinned = f", {row['pinned_keyframes']} pinned" if row["pinned_keyframes"] else ""
    images = "no" if not row["images"] else ("start, end" if row["end_image"] else "start") + pinned + " (" + \
        ", ".join(IMAGES_BY[ImageInput(how)] for how in row["images"]) + ")"
    prices = row["usd_per_second"]
    price = "free" if not row["paid"] else ", ".join(f"{res} ${usd:.2f}" for res, usd in prices.items())
    lost = ("nothing to lose" if not row["paid"] else "found by listing" if row["lists_jobs"] else "fails closed")
    return [row["provider"], row["model"], " ".join(row["resolutions"]),
            " ".join(f"{s}s" for s in row["durations_s"]), _aspects(row["aspect_ratios"]), images,
            ", ".join(row["extension"]) or "no", _yes(row["loop"]), _yes(row["concepts"]), lost, price]


def _aspects(ratios: list[str]) -> str:
    return "all" if set(ratios) == set(formats.ASPECT_RATIOS) else " ".join(ratios)


def _yes(value: bool) -> str:
    return "yes" if value else "no"
