"""Each clip's record beside it (`clips/<id>-<key12>.json`): what the clip is, so a lost journal loses no money.

The record holds the shot's full key, take, provider, job id, the generations it extends, its cost and the
clip's sha256. A journal that is deleted, emptied or set aside is rebuilt from these records (each clip
verified against its checksum) before anything is created.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from ..files import write_atomic
from ..layout import Layout
from .journal import COLUMNS, Entry
from .states import JobState

KEPT = ("key", "shot_id", "take", "provider", "job_id", "parent_job", "end_job", "checksum", "cost_usd",
        "rehearsal", "created_at")


def write(layout: Layout, entry: Entry) -> None:
    record = {name: value for name, value in asdict(entry).items() if name in KEPT}
    write_atomic(layout.clip_record(entry.shot_id, entry.key), json.dumps(record, indent=1).encode())


def read(layout: Layout, shot_id: str, key: str) -> Entry | None:
    """The fetched entry that the record beside the shot's clip describes, if both are there."""
    path, clip = layout.clip_record(shot_id, key), layout.clip(shot_id, key)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key or not clip.is_file():
        return None
    known = {name: record[name] for name in KEPT if name in record and name in COLUMNS}
    entry = Entry(**{"shot_id": shot_id, "take": 1, "provider": "", **known, "key": key,
                     "state": JobState.FETCHED, "file": layout.relative(clip)})
    return entry if entry.checksum else None  # the clip is checked against it where it is used (work.intact)


def remove(layout: Layout, shot_id: str, key: str) -> None:
    layout.clip_record(shot_id, key).unlink(missing_ok=True)
