"""The pictures a shot starts and ends on: image files, images at a URL, or frames of another shot's clip."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from .. import ffmpeg
from ..errors import MediaError, ProviderError
from ..providers import download
from ..providers.base import GenerationKeyframe, Keyframe, ShotRequest
from .planes import Picture, Stored


def start_picture(request: ShotRequest, size: tuple[int, int]) -> Picture | None:
    """The first frame's picture; None for text-to-video. An extension starts on its parent's last frame."""
    if request.start is None:
        return None
    if isinstance(request.start, GenerationKeyframe) and request.start.clip is None:
        raise ProviderError(f"it extends shot {request.start.shot_id}, whose clip has not been fetched yet",
                            shot_id=request.shot_id)
    return _picture(request.start, request.shot_id, size, frame=-1)


def end_picture(request: ShotRequest, size: tuple[int, int]) -> Picture | None:
    """The last frame's picture, or None. A shot leading into a fetched clip ends on that clip's first frame;
    one leading into a clip not fetched yet has no end picture."""
    end = request.end
    if end is None or (isinstance(end, GenerationKeyframe) and end.clip is None):
        return None
    return _picture(end, request.shot_id, size, frame=0)


def _picture(keyframe: Keyframe, shot_id: str, size: tuple[int, int], *, frame: int) -> Picture:
    if isinstance(keyframe, GenerationKeyframe):
        return clip_frame(keyframe.clip, frame, size)
    if keyframe.path is not None:
        return open_image(keyframe.path)
    if keyframe.url is not None:
        return fetch_image(keyframe.url, shot_id)
    raise ProviderError("a keyframe image has neither a path nor a URL", shot_id=shot_id)


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


def fetch_image(url: str, shot_id: str) -> Image.Image:
    """Download the keyframe at an http(s) `url` (verified, retried: pipeline.fetch) and open it."""
    if not url.startswith(("http://", "https://")):
        raise ProviderError(f"keyframe URL {url!r} is not http(s)", shot_id=shot_id)
    with tempfile.TemporaryDirectory(prefix="animatic-") as tmp:
        path = Path(tmp) / "keyframe"
        try:
            asyncio.run(download.fetch_image(url, path))  # renders run in worker threads, which have no loop
        except ProviderError as exc:
            raise ProviderError(f"keyframe: {exc}", shot_id=shot_id, retryable=exc.retryable) from exc
        except MediaError as exc:
            raise ProviderError(f"keyframe {download.shown(url)}: {exc}", shot_id=shot_id) from exc
        return open_image(path)
