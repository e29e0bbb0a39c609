"""The asset store seam: publish a local file by its content digest and hand back a URL a provider can fetch.

A store is synchronous (its clients are: boto3 blocks); the engine calls it from a worker thread. A URL it
returns may be signed: it is handed to the provider and nothing else, never journalled, logged or shown
(pipeline.secrets.redact knows signed queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import PipelineError


class AssetError(PipelineError):
    """The store cannot take or serve a file: which store, what went wrong, what to do."""


@dataclass(frozen=True)
class Published:
    url: str  # what the provider fetches: possibly signed, so given to the provider alone
    location: str  # where the file is, fit for messages and the journal (s3://bucket/key: no signature)
    uploaded: bool = False  # sent by this call (False: the store had it already)
    size: int = 0


class AssetStore(Protocol):
    name: str  # the store as a user names it (s3://bucket/prefix/, https://cdn/...): no secret in it
    remembers: bool  # whether what it publishes is worth a row in the journal (uploads, not plain URLs)

    def check(self) -> None:
        """Raise AssetError unless files can be published and fetched (credentials, bucket, clock)."""

    def publish(self, path: Path, digest: str) -> Published:
        """Make `path` (whose sha256 is `digest`) fetchable; upload it only if the store lacks it."""
