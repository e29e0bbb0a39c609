"""Finished clips and published cuts in the S3 store, so that any machine of a slate can assemble any film:
`<prefix>clips/<key>.mp4` (a clip's key names its pixels, so an object is written once and never changes) and
`<prefix>films/<film>/<file>` (a film's cut and side files, replaced whole when it is assembled again). Local
files are a cache: a clip is downloaded only where the machine lacks it.
"""

from __future__ import annotations

from pathlib import Path

from ..files import atomic_path
from .s3 import S3Store, _errors


class ClipStore:
    def __init__(self, store: S3Store):
        self.store = store
        self.name = store.name

    def clip_key(self, key: str) -> str:
        return f"{self.store.location.prefix}clips/{key}.mp4"

    def put_clip(self, key: str, path: Path) -> bool:
        """Upload the clip unless the store has it (another machine put it first): True if this call sent it."""
        object_key = self.clip_key(key)
        return not self.store._has(object_key) and self.store._put(object_key, path)

    def has_clip(self, key: str) -> bool:
        return self.store._has(self.clip_key(key))

    def get_clip(self, key: str, dest: Path) -> bool:
        """Download the clip to `dest` whole (temp, then rename); False if the store does not hold it."""
        return self._get(self.clip_key(key), dest)

    def publish_film(self, film: str, files: list[Path]) -> list[str]:
        """Put a film's cut and side files under films/<film>/; their locations."""
        places = []
        for path in files:
            object_key = f"{self.store.location.prefix}films/{film}/{path.name}"
            with _errors(self.store, "write"), path.open("rb") as body:
                self.store.client.put_object(Bucket=self.store.location.bucket, Key=object_key, Body=body)
            places.append(f"s3://{self.store.location.bucket}/{object_key}")
        return places

    def _get(self, object_key: str, dest: Path) -> bool:
        if not self.store._has(object_key):
            return False
        with atomic_path(dest) as temp, _errors(self.store, "read"):
            self.store.client.download_file(self.store.location.bucket, object_key, str(temp))
        return True
