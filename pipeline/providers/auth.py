"""The API key on every request to a provider, and nowhere else: not in a repr, a log or an error."""

from __future__ import annotations

import hashlib

import httpx


class BearerAuth(httpx.Auth):
    """Adds the key to each request; its repr hides it (the key must never reach a log or an error)."""

    def __init__(self, key: str):
        self._header = f"Bearer {key}"
        self.digest = hashlib.sha256(key.encode()).hexdigest()[:16]  # tells accounts apart; cannot give the key

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "<BearerAuth ***>"
