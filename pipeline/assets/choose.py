"""Which asset store a storyboard's settings choose (the order the README gives):

1. a keyframe given as an https URL is sent as it is (no store is asked);
2. `assets: s3://...` publishes to the bucket: URLs under `assets_public_url` if set, else presigned GETs;
3. `asset_base_url` is the storyboard's folder, published by the user;
4. none: a provider that reads URLs refuses local keyframes before anything is spent.
"""

from __future__ import annotations

from ..storyboard.load import Project
from .base_url import BaseUrlStore
from .s3 import Location, S3Store
from .store import AssetStore


def for_board(project: Project) -> AssetStore | None:
    board = project.board
    if board.assets:
        return S3Store(Location.parse(board.assets), ttl_s=board.assets_url_ttl, public_url=board.assets_public_url)
    if board.asset_base_url:
        return BaseUrlStore(board.asset_base_url, project.base_dir)
    return None
