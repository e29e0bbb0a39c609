"""Generation providers behind one seam (base.Provider), created by name."""

from __future__ import annotations

from pathlib import Path

from .base import Provider

NAMES = ("animatic", "luma")


def create(name: str, *, storyboard_dir: Path, asset_base_url: str | None = None, burn_in: bool = True) -> Provider:
    """The provider called `name`, configured for one storyboard."""
    if name == "animatic":
        from .animatic import AnimaticProvider

        return AnimaticProvider(burn_in=burn_in)
    if name == "luma":
        from .luma.provider import LumaProvider

        return LumaProvider(storyboard_dir=storyboard_dir, asset_base_url=asset_base_url)
    raise ValueError(f"unknown provider {name!r}")
