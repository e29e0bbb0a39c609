"""Where keyframes become URLs a provider can fetch: the seam (store), the stores (base_url, s3), and which
one a storyboard's settings choose (choose).

    store = choose.for_board(project)                  # None: local keyframes have nowhere to go
    published = await asyncio.to_thread(store.publish, path, digest)   # published.url, at submit time
"""

from .store import AssetError, AssetStore, Published

__all__ = ["AssetError", "AssetStore", "Published"]
