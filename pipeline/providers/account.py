"""Which provider account a provider object spends from: its name, its API's host and a digest of its key (never
the key), so that machines sharing an account count its limits together (engine.account_limits)."""

from __future__ import annotations

import httpx

from .base import Provider


def account_of(provider: Provider) -> str | None:
    """`luma|api.lumalabs.ai:443|3f2a...`, or None for a provider with no remote account (the animatic)."""
    client = getattr(provider, "client", None)
    base, digest = getattr(client, "base_url", None), getattr(client, "key_digest", None)
    if not (base and digest):
        return None
    url = httpx.URL(base)
    return f"{provider.name}|{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}|{digest}"
