"""What an animatic clip says about its last frame, so that an extension can go on filming the same picture.

Each clip carries, in its container's comment tag, the picture its last frame shows (its origin: an image
file or URL with its sha256, a frame of another clip, or the text-only chain it is a panel of) and the view
of that picture the last frame shows. The tag travels with the file wherever it is copied or downloaded;
a clip without it (another provider's, an older render's) is extended from its exact last frame instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import ffmpeg
from ..errors import MediaError
from ..files import sha256_of
from .framing import View

VERSION = 1


@dataclass(frozen=True)
class Carried:
    origin: dict
    view: View


def tag(origin: dict, view: View, size: tuple[int, int]) -> str:
    return json.dumps({"animatic": VERSION, "size": list(size), "origin": origin, "view": view.to_json()},
                      sort_keys=True, separators=(",", ":"))


def read(clip: Path, size: tuple[int, int]) -> Carried | None:
    """The picture and view `clip`'s last frame shows, if it says so for frames of `size`."""
    try:
        with ffmpeg.opened(clip, "read the lineage of") as box:
            said = json.loads(box.metadata.get("comment", "null"))
        if said.get("animatic") != VERSION or said.get("size") != list(size):
            return None
        return Carried(dict(said["origin"]), View.from_json(said["view"]))
    except (MediaError, ValueError, TypeError, KeyError, AttributeError):
        return None


def image_origin(path: Path, url: str | None = None) -> dict:
    return {"image": str(Path(path).resolve()), "url": url, "sha256": sha256_of(Path(path))}


def clip_origin(clip: Path, frame: int) -> dict:
    return {"clip": str(Path(clip).resolve()), "frame": frame, "sha256": sha256_of(Path(clip))}


def unchanged(path: Path, origin: dict) -> bool:
    """Is `path` still the file `origin` was made from?"""
    return path.is_file() and sha256_of(path) == origin.get("sha256")
