"""Small JPEG thumbnails of each shot's first and last frames, or of what it will start from.

A shot whose clip is on disk shows its real first and last frames. One not generated yet shows what it will
open on: its start keyframe image, the last frame of the shot it extends (once that one exists), or a slate
drawn like the animatic's; and its end keyframe image if it has one. Files are named by shot id and key and
made again only when missing or older than their source, so rebuilding the page during a run is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from .. import ffmpeg, formats
from ..animatic import keyframes, text
from ..errors import MediaError
from ..files import atomic_path
from ..plan import pinned
from ..storyboard.checks import is_url
from ..storyboard.load import Project
from ..storyboard.model import NONE
from .model import PageModel, ShotView

LONG_SIDE = 320  # shown at about half that in CSS pixels: sharp on high-density screens, ~10 KB each
QUALITY = 80


@dataclass(frozen=True)
class Thumbs:
    first: str  # file name in the thumbs folder
    last: str | None  # None: the last frame is not known until the shot is generated
    real: bool  # frames of the clip, not a stand-in


def size_of(project: Project) -> tuple[int, int]:
    """The thumbnail size: the cut's aspect ratio with the long side LONG_SIDE, both even."""
    width, height = formats.frame_size(project.board.resolution, project.board.aspect_ratio)
    scale = LONG_SIDE / max(width, height)
    return round(width * scale / 2) * 2, round(height * scale / 2) * 2


def make_all(model: PageModel, folder: Path) -> dict[str, Thumbs]:
    """Shot id -> its thumbnails, written into `folder`; thumbnails of shots no longer planned are removed."""
    size, made = size_of(model.project), {}
    for shot in model.shots:
        made[shot.planned.id] = _thumbs(model.project, shot, made, folder, size)
    _prune(folder, {n for t in made.values() for n in (t.first, t.last) if n})
    return made


def _thumbs(project: Project, shot: ShotView, made: dict[str, Thumbs], folder: Path,
            size: tuple[int, int]) -> Thumbs:
    stem = f"{shot.planned.id}-{shot.planned.key[:12]}"
    if shot.clip is not None:
        try:
            return Thumbs(_frame(shot.clip, 0, folder / f"{stem}-first.jpg", size),
                          _frame(shot.clip, -1, folder / f"{stem}-last.jpg", size), real=True)
        except MediaError:
            pass  # an unreadable clip gets the stand-ins; the run that re-fetches it fixes the picture
    parent = made.get(shot.planned.parent or "")
    if parent is not None and parent.real and parent.last:
        first = parent.last  # an extension opens on the exact last frame of its parent
    else:
        first = _write(folder / f"{stem}-start.jpg", size, None, lambda: _opening(project, shot, size))
    return Thumbs(first, _ending(project, shot, folder / f"{stem}-end.jpg", size), real=False)


def _ending(project: Project, shot: ShotView, dest: Path, size: tuple[int, int]) -> str | None:
    planned = shot.planned.shot
    end = _image_ref(project, pinned(planned)[-1][1] if planned.keyframes else planned.end)  # or the last pin
    if end is None or not end.is_file():
        return None
    try:
        return _write(dest, size, end, lambda: keyframes.open_image(end))
    except MediaError:
        return None


def _frame(clip: Path, index: int, dest: Path, size: tuple[int, int]) -> str:
    return _write(dest, size, clip, lambda: Image.fromarray(ffmpeg.frame_at(clip, index)))


def _opening(project: Project, shot: ShotView, size: tuple[int, int]) -> Image.Image:
    planned = shot.planned.shot
    start = _image_ref(project, pinned(planned)[0][1] if planned.keyframes else planned.start)  # the first pin
    if start is not None:
        try:
            return keyframes.open_image(start)
        except MediaError:
            pass  # validation proved the image once; if it broke since, a slate says more than nothing
    return text.slate(shot.planned.id, shot.planned.shot.prompt, size)


def _image_ref(project: Project, ref: object) -> Path | None:
    """A keyframe reference as a local file, or None (no image, a shot reference, or a URL we won't fetch)."""
    if not isinstance(ref, str) or ref == NONE or is_url(ref):
        return None
    return project.file(ref)


def _write(dest: Path, size: tuple[int, int], source: Path | None, picture: Callable[[], Image.Image]) -> str:
    """Make `dest` from `picture()` unless it exists and is newer than `source`; return its name."""
    if dest.exists() and (source is None or dest.stat().st_mtime_ns >= source.stat().st_mtime_ns):
        return dest.name
    image = ImageOps.fit(picture().convert("RGB"), size, Image.Resampling.LANCZOS)
    with atomic_path(dest) as tmp:
        image.save(tmp, "JPEG", quality=QUALITY, optimize=True)
    return dest.name


def _prune(folder: Path, keep: set[str]) -> None:
    for path in folder.glob("*.jpg"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def still(clip: Path, index: int, dest: Path, size: tuple[int, int]) -> str:
    """One frame of `clip` (0: first, -1: last) as a thumbnail at `dest`, made again only when older; its name."""
    return _frame(clip, index, dest, size)
