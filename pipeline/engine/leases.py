"""Claims with leases on the PostgreSQL journal: a machine claims a shot before any work on it, renews the lease
while it works, and every write about the shot is fenced by the claim's token. A machine that dies stops
renewing; when its lease runs out (by the database's clock) another machine claims the shot and resumes its job
by id. A claim is taken with SELECT ... FOR UPDATE SKIP LOCKED, so machines never queue behind each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import TYPE_CHECKING

from ..errors import PipelineError
from .journal_pg_schema import NOW

LEASE_S = 30.0  # a dead machine's shots wait this long for another; renewed every third of it
if TYPE_CHECKING:  # psycopg is the postgres extra's: the engine imports this module without it
    import psycopg



class LeaseLost(PipelineError):
    """This machine may not write about a shot: another holds it, or this one's lease ran out."""


def lease_seconds() -> float:
    text = os.environ.get("PIPELINE_LEASE_S")
    try:
        value = float(text) if text else LEASE_S
    except ValueError:
        raise PipelineError(f"PIPELINE_LEASE_S={text!r} is not a number of seconds: unset it (default "
                            f"{LEASE_S:g}) or give e.g. 30") from None
    if value <= 0:
        raise PipelineError(f"PIPELINE_LEASE_S={text}: give more than 0 seconds")
    return value


class Leases:
    """The claims of one machine (`holder`) on the shots of one film."""

    def __init__(self, db: psycopg.Connection, film: str, *, holder: str | None = None, lease_s: float | None = None):
        self._db, self.film = db, film
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_s = lease_s or lease_seconds()
        self._held: dict[str, int] = {}  # key -> the token of this machine's claim

    @property
    def poll_s(self) -> float:
        """How often a shot held elsewhere is looked at again."""
        return min(max(self.lease_s / 4, 0.1), 5.0)

    def claim(self, key: str) -> bool:
        """Take the shot if no live lease holds it; True if this machine holds it now."""
        if key in self._held:
            return True
        with self._db.transaction():
            self._db.execute("INSERT INTO claims (film, key) VALUES (%s, %s) ON CONFLICT DO NOTHING", (self.film, key))
            free = self._db.execute(f"SELECT token FROM claims WHERE film = %s AND key = %s AND (holder IS NULL OR"
                                    f" expires_at <= {NOW}) FOR UPDATE SKIP LOCKED", (self.film, key)).fetchone()
            if free is None:
                return False
            token = self._db.execute(f"UPDATE claims SET holder = %s, token = token + 1, expires_at = {NOW} + %s"
                                     " WHERE film = %s AND key = %s RETURNING token",
                                     (self.holder, self.lease_s, self.film, key)).fetchone()[0]
        self._held[key] = token
        return True

    def renew(self) -> list[str]:
        """Extend every lease this machine holds; the keys whose lease was already lost (dropped from it)."""
        lost = []
        for key, token in list(self._held.items()):
            renewed = self._db.execute(f"UPDATE claims SET expires_at = {NOW} + %s WHERE film = %s AND key = %s AND"
                                       f" holder = %s AND token = %s AND expires_at > {NOW}",
                                       (self.lease_s, self.film, key, self.holder, token)).rowcount
            if not renewed:
                self._held.pop(key, None)
                lost.append(key)
        return lost

    def release(self, key: str) -> None:
        token = self._held.pop(key, None)
        if token is not None:
            self._db.execute("UPDATE claims SET holder = NULL, expires_at = NULL WHERE film = %s AND key = %s AND"
                             " holder = %s AND token = %s", (self.film, key, self.holder, token))

    def holds(self, key: str) -> bool:
        return key in self._held

    def fence(self, key: str) -> None:
        """Inside a write's transaction: lock the shot's claim and refuse the write (LeaseLost) unless this
        machine holds a live lease on it, or nobody does and this machine never claimed it."""
        row = self._db.execute(f"SELECT holder, token, expires_at > {NOW} FROM claims WHERE film = %s AND key = %s"
                               " FOR UPDATE", (self.film, key)).fetchone()
        mine = self._held.get(key)
        holder, token, live = row if row else (None, None, False)
        if mine is not None and (holder, token, live) != (self.holder, mine, True):
            self._held.pop(key, None)
            raise LeaseLost(f"the lease on shot {key[:12]} ran out or was taken over ({holder or 'released'}):"
                            " this machine stops writing about it")
        if mine is None and holder is not None and live:
            raise LeaseLost(f"shot {key[:12]} is held by {holder}: this machine does not write about it")

    def holders(self) -> dict[str, tuple[str, float]]:
        """Each claimed shot's holder and the seconds its lease has left (by the database's clock)."""
        rows = self._db.execute(f"SELECT key, holder, expires_at - {NOW} FROM claims WHERE film = %s AND holder IS"
                                " NOT NULL", (self.film,)).fetchall()
        return {key: (holder, round(left, 1)) for key, holder, left in rows}
