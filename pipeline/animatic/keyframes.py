"""The pictures a shot starts and ends on: image files, images at a URL, or frames of another shot's clip."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from .. import ffmpeg
from ..errors import MediaError, ProviderError
from ..files import sha256_of
from ..providers import download
from ..providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest
from . import lineage, text
from .framing import IDENTITY_VIEW, View
from .planes import Picture, Stored


@dataclass(frozen=True)
class Still:
    """A picture a shot films, how to find it again, and where on it the shot begins.

    origin: JSON that names the picture (an image file or URL and its sha256, a frame of a clip, or the
    text-only chain it is a panel of), written into the clip so an extension can film the same picture.
    view: where the shot starts on it; None for a chain's first shot, which is framed to suit its move.
    cover: scale the picture to cover the frame (False: a slate, drawn at the frame's scale with room).
    """

    picture: Picture
    origin: dict
    view: View | None = None
    cover: bool = True


def start_still(request: ShotRequest, size: tuple[int, int]) -> Still:
    """The picture a shot starts on. An extension goes on filming its chain's picture from where its parent
    ended (read from the parent's clip); a panel of a text-only chain gets its own slate; a parent clip that
    names no picture (not an animatic, or from an older renderer) is filmed from its exact last frame."""
    start, shot_id = request.start, request.shot_id
    if start is None:
        return _panel(request, size, family=shot_id)
    if isinstance(start, GenerationKeyframe):
        if start.clip is None:
            raise ProviderError(f"it extends shot {start.shot_id}, whose clip has not been fetched yet",
                                shot_id=shot_id)
        carried = lineage.read(start.clip, size)
        if carried is not None and "slate" in carried.origin:
            return _panel(request, size, family=carried.origin["slate"])
        if carried is not None and (picture := _found(carried.origin, shot_id, size)) is not None:
            return Still(picture, carried.origin, carried.view)
        return Still(clip_frame(start.clip, -1, size), lineage.clip_origin(start.clip, -1), IDENTITY_VIEW)
    return _image(start, shot_id, None)


def end_still(request: ShotRequest, size: tuple[int, int]) -> Still | None:
    """The picture the last frame lands on (untouched), or None. A shot leading into a fetched clip ends on
    that clip's first frame; one leading into a clip not fetched yet has no end picture."""
    end = request.end
    if end is None or (isinstance(end, GenerationKeyframe) and end.clip is None):
        return None
    if isinstance(end, GenerationKeyframe):
        return Still(clip_frame(end.clip, 0, size), lineage.clip_origin(end.clip, 0), IDENTITY_VIEW)
    return _image(end, request.shot_id, IDENTITY_VIEW)


def pinned_still(keyframe: ImageKeyframe, shot_id: str) -> Still:
    """A picture pinned inside a shot, shown whole (the view every pinned frame has)."""
    return _image(keyframe, shot_id, IDENTITY_VIEW)


def _panel(request: ShotRequest, size: tuple[int, int], *, family: str) -> Still:
    picture = text.slate(request.shot_id, request.prompt, size, family=family, room=True)
    return Still(picture, {"slate": family}, cover=False)


def _found(origin: dict, shot_id: str, size: tuple[int, int]) -> Picture | None:
    """The picture `origin` names, if it is still there unchanged."""
    if "clip" in origin:
        clip = Path(origin["clip"])
        return clip_frame(clip, origin["frame"], size) if lineage.unchanged(clip, origin) else None
    path = Path(origin["image"]) if origin.get("image") else None
    if path is not None and lineage.unchanged(path, origin):
        return open_image(path)
    if origin.get("url"):
        with tempfile.TemporaryDirectory(prefix="animatic-") as tmp:
            fetched = _fetched(origin["url"], shot_id, Path(tmp) / "keyframe")
            return open_image(fetched) if lineage.unchanged(fetched, origin) else None
    return None


def _image(keyframe: ImageKeyframe, shot_id: str, view: View | None) -> Still:
    if keyframe.path is not None:
        return Still(open_image(keyframe.path), lineage.image_origin(keyframe.path, keyframe.url), view)
    if keyframe.url is None:
        raise ProviderError("a keyframe image has neither a path nor a URL", shot_id=shot_id)
    with tempfile.TemporaryDirectory(prefix="animatic-") as tmp:
        fetched = _fetched(keyframe.url, shot_id, Path(tmp) / "keyframe")
        origin = {"image": None, "url": keyframe.url, "sha256": sha256_of(fetched)}
        return Still(open_image(fetched), origin, view)


def clip_frame(clip: Path, index: int, size: tuple[int, int]) -> Picture:
    """Frame `index` of `clip`: as stored when it is an animatic-like frame of `size`, else as RGB."""
    planes = ffmpeg.planes_at(clip, index)
    if planes is not None and planes[0].shape == (size[1], size[0]):
        return Stored(planes)
    return Image.fromarray(ffmpeg.frame_at(clip, index))


def open_image(path: Path) -> Image.Image:
    """An RGB picture of the image at `path`, upright per its EXIF; formats Pillow lacks go through ffmpeg."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: keyframe image not found")
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, Image.DecompressionBombError, ValueError):
        return Image.fromarray(ffmpeg.frame_at(path, 0))


def _fetched(url: str, shot_id: str, path: Path) -> Path:
    if not url.startswith(("http://", "https://")):
        raise ProviderError(f"keyframe URL {url!r} is not http(s)", shot_id=shot_id)
    try:
        asyncio.run(download.fetch_image(url, path))  # renders run in worker threads, which have no loop
    except ProviderError as exc:
        raise ProviderError(f"keyframe: {exc}", shot_id=shot_id, retryable=exc.retryable) from exc
    except MediaError as exc:
        raise ProviderError(f"keyframe {download.shown(url)}: {exc}", shot_id=shot_id) from exc
    return path
