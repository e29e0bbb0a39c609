"""A parent's exact last frame as a still, for a provider that cannot extend by generation id but starts from
an image: the chain goes on from that picture, and assembly trims the repeat where the clips join.

The still is a PNG (lossless: the next clip starts from the pixels the parent ends on, not a JPEG of them),
named by the clip's digest, written beside the clips, and published through the same store as keyframes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from .. import ffmpeg
from ..files import atomic_path, sha256_of
from .store import AssetStore, Published


def last_frame(clip: Path, folder: Path) -> Path:
    """`clip`'s last frame as `folder/<clip digest>.last.png` (made once: the same clip gives the same file)."""
    still = folder / f"{sha256_of(clip)}.last.png"
    if not still.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(still) as part:
            Image.fromarray(ffmpeg.frame_at(clip, -1)).save(part, "PNG")
    return still


def publish_last_frame(store: AssetStore, clip: Path, folder: Path) -> Published:
    still = last_frame(clip, folder)
    return store.publish(still, sha256_of(still))
