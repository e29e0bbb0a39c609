"""The provider account's limits kept across machines, counted in the PostgreSQL journal (Luma's Build tier: 10
generations in flight, 20 creates a minute). In flight: the account's shots in intent, queued or dreaming, of
every film. Creates: the account's ledger rows sent in the last minute and a margin for network jitter (a
create is recorded before it leaves, and reaches the provider a little later). Both are counted and the intent
written under one advisory lock per account, so two machines never both take the last place.

The account is the provider, its host and a digest of the key (providers.account): never the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import PipelineError
from .journal_pg_schema import NOW

if TYPE_CHECKING:  # psycopg is the postgres extra's: the engine imports this module without it
    import psycopg

JITTER_S = 2.0
WINDOW_S = 60.0
FLYING = ["intent", "queued", "dreaming"]


@dataclass(frozen=True)
class AccountLimits:
    account: str
    in_flight: int = 10
    per_minute: float | None = 20
    margin_s: float = JITTER_S
    busy_poll_s: float = 0.5  # how soon a create that found the account full asks again


class AccountBusy(PipelineError):
    """The account is at a limit now: try again after `wait_s` (nothing was written)."""

    def __init__(self, why: str, wait_s: float):
        self.wait_s = wait_s
        super().__init__(why)


def admit(db: psycopg.Connection, limits: AccountLimits, *, film: str, key: str) -> None:
    """Inside the intent's transaction: take the account's lock and raise AccountBusy if a create now would pass
    a limit. The lock is held until the transaction ends, so the intent is counted before anyone else looks."""
    db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (limits.account,))
    flying = db.execute("SELECT COUNT(*) FROM shots WHERE account = %s AND state = ANY(%s) AND NOT (film = %s AND"
                        " key = %s)", (limits.account, FLYING, film, key)).fetchone()[0]
    if flying >= limits.in_flight:
        raise AccountBusy(f"{flying} generations in flight on the account (limit {limits.in_flight})",
                          limits.busy_poll_s)
    if limits.per_minute is None:
        return
    window = WINDOW_S + limits.margin_s
    sent, now = db.execute(f"SELECT COALESCE(array_agg(sent_at ORDER BY sent_at DESC), '{{}}'), {NOW} FROM creates"
                           f" WHERE account = %s AND sent_at > {NOW} - %s", (limits.account, window)).fetchone()
    allowed = int(limits.per_minute)
    if len(sent) >= allowed:
        # the create that leaves the window first is the allowed-th newest
        raise AccountBusy(f"{len(sent)} creates on the account in the last minute (limit {allowed})",
                          max(sent[allowed - 1] + window - now, 0.05))


def in_flight(db: psycopg.Connection, account: str) -> int:
    return db.execute("SELECT COUNT(*) FROM shots WHERE account = %s AND state = ANY(%s)",
                      (account, FLYING)).fetchone()[0]
