"""What the user decided about each shot, kept in the folder's journal: the picked take, the verdict
(approved or rejected) and a note, and the tier each shot was last made at. `pipeline pick`, `approve`,
`reject` and the review page write them under the folder lock, as `pipeline forget` does; every plan reads them
(plan.Choices), so a pick changes which clip the cut plays and which generation later shots extend.

Every change is also written to decisions.json beside the journal (after the journal's transaction, atomically),
as clip records are: a journal that is lost, emptied or set aside would otherwise play every first take again,
and make the shots extending a picked take again (money). Where the journal holds no decision, the file's are
the folder's, and the next run puts them back in the journal."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import PipelineError
from ..files import write_atomic
from ..layout import Layout
from ..plan import Choices, Plan
from . import folder_lock
from .journal import Journal, reading

VERDICTS = ("approved", "rejected")


@dataclass(frozen=True)
class Review:
    verdict: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Decided:
    """Everything decided in one folder (empty where nothing has run)."""

    picks: Mapping[str, int]
    reviews: Mapping[str, Review]
    tiers: Mapping[str, str]

    @property
    def empty(self) -> bool:
        return not (self.picks or self.reviews or self.tiers)

    def to_json(self) -> dict:
        return {"picks": dict(self.picks), "tiers": dict(self.tiers),
                "reviews": {i: {"verdict": r.verdict, "note": r.note} for i, r in self.reviews.items()}}

    def choices(self, tier: str | None = None) -> Choices:
        approved = frozenset(i for i, r in self.reviews.items() if r.verdict == "approved")
        return Choices(picks=self.picks, approved=approved, made_tier=self.tiers, tier=tier)


NOTHING = Decided({}, {}, {})


def of(db: sqlite3.Connection) -> Decided:
    try:
        picks = dict(db.execute("SELECT shot_id, take FROM picks").fetchall())
        reviews = {i: Review(v, n) for i, v, n in db.execute("SELECT shot_id, verdict, note FROM reviews")}
        tiers = dict(db.execute("SELECT shot_id, tier FROM tiers").fetchall())
    except sqlite3.DatabaseError:  # older than the decisions, or damaged (the next run sets it aside): none
        return NOTHING
    return Decided(picks, reviews, tiers)


def read(out_dir: Path) -> Decided:
    """The folder's decisions, for a look (never takes the lock, never creates a journal): the journal's, or
    decisions.json's where the journal holds none (it was lost)."""
    layout = Layout(out_dir)
    with reading(layout) as journal:
        return in_folder(journal, layout)


def in_folder(journal: Journal | None, layout: Layout) -> Decided:
    """The decisions of an open journal (or none), or decisions.json's where it holds none."""
    decided = of(journal.db) if journal else NOTHING
    return decided if not decided.empty else kept(layout)


def kept(layout: Layout) -> Decided:
    """The decisions as decisions.json keeps them (NOTHING when there is none, or it cannot be read)."""
    try:
        data = json.loads(layout.decisions.read_text())
        return Decided({str(i): int(t) for i, t in data["picks"].items()},
                       {str(i): Review(r["verdict"], r["note"]) for i, r in data["reviews"].items()},
                       {str(i): str(t) for i, t in data["tiers"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return NOTHING


def restore(journal: Journal) -> None:
    """Put decisions.json's decisions back into a journal that holds none (a lost one, rebuilt by this run)."""
    if not of(journal.db).empty or (decided := kept(journal.layout)).empty:
        return
    now = time.time()
    with journal.db:
        journal.db.executemany("INSERT INTO picks (shot_id, take, at) VALUES (?, ?, ?)",
                               [(i, t, now) for i, t in decided.picks.items()])
        journal.db.executemany("INSERT INTO reviews (shot_id, verdict, note, at) VALUES (?, ?, ?, ?)",
                               [(i, r.verdict, r.note, now) for i, r in decided.reviews.items()])
        journal.db.executemany("INSERT INTO tiers (shot_id, tier, at) VALUES (?, ?, ?)",
                               [(i, t, now) for i, t in decided.tiers.items()])


def _mirror(journal: Journal) -> None:
    """decisions.json made to say what the journal now holds."""
    write_atomic(journal.layout.decisions, (json.dumps(of(journal.db).to_json(), indent=2) + "\n").encode())


def pick(plan: Plan, out_dir: Path, shot_id: str, take: int, **held) -> None:
    """Play take `take` of `shot_id` (the first is played where none is picked)."""
    takes = planned_shots(plan, [shot_id])[0].takes
    if not 1 <= take <= takes:
        raise PipelineError(f"{shot_id} has {takes} take{'s' * (takes != 1)}; pick one from 1 to {takes} (or raise "
                            "its `takes:` in the storyboard and run again)")
    _write(out_dir, lambda db: db.execute("INSERT INTO picks (shot_id, take, at) VALUES (?, ?, ?) ON CONFLICT"
                                          "(shot_id) DO UPDATE SET take = excluded.take, at = excluded.at",
                                          (shot_id, take, time.time())), **held)


def review(plan: Plan, out_dir: Path, shot_ids: Iterable[str], verdict: str | None, **held) -> None:
    """Approve or reject shots (None clears the verdict); a note is kept."""
    if verdict is not None and verdict not in VERDICTS:
        raise PipelineError(f"{verdict!r} is not a verdict; give one of {', '.join(VERDICTS)}")
    rows = [(p.id, verdict, time.time()) for p in planned_shots(plan, list(shot_ids))]
    _write(out_dir, lambda db: db.executemany(
        "INSERT INTO reviews (shot_id, verdict, at) VALUES (?, ?, ?) ON CONFLICT(shot_id) DO UPDATE SET"
        " verdict = excluded.verdict, at = excluded.at", rows), **held)


def note(plan: Plan, out_dir: Path, shot_id: str, text: str, **held) -> None:
    row = (planned_shots(plan, [shot_id])[0].id, text.strip() or None, time.time())
    _write(out_dir, lambda db: db.execute("INSERT INTO reviews (shot_id, note, at) VALUES (?, ?, ?) ON CONFLICT"
                                          "(shot_id) DO UPDATE SET note = excluded.note, at = excluded.at", row),
           **held)


def made_at(journal: Journal, tiers: Mapping[str, str]) -> None:
    """Note the tier each shot's clip was made at (by the run that holds the folder)."""
    before = of(journal.db)
    if all(before.tiers.get(i) == t for i, t in tiers.items()):
        return  # as they were: nothing to write
    with journal.db:
        journal.db.executemany("INSERT INTO tiers (shot_id, tier, at) VALUES (?, ?, ?) ON CONFLICT(shot_id) DO"
                               " UPDATE SET tier = excluded.tier, at = excluded.at",
                               [(i, t, time.time()) for i, t in tiers.items()])
    _mirror(journal)


def planned_shots(plan: Plan, shot_ids: list[str]):
    known = {p.id for p in plan.shots}
    unknown = [i for i in shot_ids if i not in known]
    if unknown or not shot_ids:
        raise PipelineError(f"no shot {', '.join(unknown) or '(none given)'} in the storyboard; `pipeline plan` "
                            "lists the shot ids")
    return [plan.by_id(i) for i in shot_ids]


def _write(out_dir: Path, change: Callable[[sqlite3.Connection], object], *, wait: bool = True,
           tell: Callable[[str], None] = lambda text: None) -> None:
    layout = Layout(out_dir)
    if not layout.journal.exists():
        raise PipelineError(f"nothing has been generated into {out_dir} yet; `pipeline run` first, then decide")
    with folder_lock.holding(layout.lock, wait=wait, waiting=tell):
        journal = Journal.open(layout)
        try:
            restore(journal)  # a journal rebuilt since: the decisions it lost first, then this one
            with journal.db:
                change(journal.db)
            _mirror(journal)
        finally:
            journal.close()
