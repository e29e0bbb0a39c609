"""`pipeline forget`: the way out for a shot the journal cannot act on (an unknown state, a job the provider no
longer knows). Its row goes; its ledger rows stay (what was paid stays paid), and the next run plans it as a
create, counted in the estimate and gated like any other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import PipelineError
from ..layout import Layout
from ..plan import Plan
from . import clip_records, folder_lock
from .journals import open_journal


def forget(plan: Plan, out_dir: Path, shot_ids: list[str], *, wait: bool = True,
           tell: Callable[[str], None] = lambda text: None, film: str = "",
           journal_url: str | None = None) -> list[str]:
    """Forget each shot's current generation in out_dir (or film `film` of the database at `journal_url`); the
    ids that had one."""
    unknown = [i for i in shot_ids if i not in {p.id for p in plan.shots}]
    if unknown:
        raise PipelineError(f"no shot {', '.join(unknown)} in the storyboard; `pipeline plan` lists the shot ids")
    layout = Layout(out_dir)
    if journal_url is None and not layout.journal.exists():
        raise PipelineError(f"nothing has been generated into {out_dir} yet, so there is nothing to forget")
    with folder_lock.holding(layout.lock, wait=wait, waiting=tell):
        journal = open_journal(layout, film, journal_url)
        try:
            forgotten = []
            for planned in (plan.by_id(i) for i in shot_ids):
                clip_records.remove(layout, planned.id, planned.key)
                if journal.forget(planned.key):
                    forgotten.append(planned.id)
            return forgotten
        finally:
            journal.close()
