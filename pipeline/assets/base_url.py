"""The storyboard's folder, published by the user at `asset_base_url`: a keyframe's URL is its path under it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .store import AssetError, Published


class BaseUrlStore:
    remembers = False  # nothing is uploaded: the user keeps the folder published

    def __init__(self, base_url: str, storyboard_dir: Path):
        self.name, self.storyboard_dir = base_url.rstrip("/") + "/", Path(storyboard_dir)

    def check(self) -> None:
        return None  # the folder is the user's to publish; a file it lacks fails its generation, named

    def publish(self, path: Path, digest: str = "") -> Published:
        url = self.name + quote(self._relative(Path(path)).as_posix())
        return Published(url=url, location=url)

    def _relative(self, path: Path) -> Path:
        base = self.storyboard_dir.resolve()
        full = path if path.is_absolute() else base / path
        try:
            return full.resolve().relative_to(base)
        except ValueError:
            raise AssetError(f"keyframe {path} is outside the storyboard folder {self.storyboard_dir}: "
                             "asset_base_url can only publish files inside it; move it there, or set "
                             "`assets: s3://...` to publish it to a bucket") from None
