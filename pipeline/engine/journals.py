"""Which journal a command uses: the output folder's SQLite file (the default), or a PostgreSQL database shared
by the machines of a slate (`--journal postgresql://...` or PIPELINE_JOURNAL). One place decides."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from ..errors import PipelineError
from ..layout import Layout
from .journal import Journal, reading
from .ledger import Ledger

ENV = "PIPELINE_JOURNAL"
SCHEMES = ("postgresql://", "postgres://")


def where(given: str | None = None) -> str | None:
    """The journal's database URL (`given`, else PIPELINE_JOURNAL), or None for the folder's SQLite file."""
    url = (given if given is not None else os.environ.get(ENV, "")).strip()
    if not url:
        return None
    if not url.startswith(SCHEMES):
        source = "--journal" if given is not None else ENV
        raise PipelineError(f"{source} {url!r} is not a PostgreSQL URL: give postgresql://USER@HOST:PORT/DATABASE,"
                            " or leave it out to keep the journal in the output folder")
    return url


def shared(given: str | None = None) -> bool:
    return where(given) is not None


def open_journal(layout: Layout, film: str, url: str | None = None) -> Ledger:
    """The journal to write: SQLite in the folder unless `url` names a database (then the film's rows in it)."""
    if url is None:
        return Journal.open(layout)
    try:
        from .journal_pg import PgJournal
    except ImportError as exc:
        raise PipelineError("a PostgreSQL journal needs psycopg: pip install 'storyboard-pipeline[postgres]'") from exc
    return PgJournal.open(url, layout, film)


@contextlib.contextmanager
def reading_journal(layout: Layout, film: str, url: str | None = None) -> Iterator[Ledger | None]:
    """The journal for a look (never changed by it): the folder's, or the film's rows in the database."""
    if url is None:
        with reading(layout) as journal:
            yield journal
        return
    journal = open_journal(layout, film, url)
    try:
        yield journal
    finally:
        journal.close()
