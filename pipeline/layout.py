"""The output folder of one storyboard: the one place that knows where each thing in it lives.

    output/<name>/
      journal.sqlite       the ledger of creates and each shot's state (engine.journal)
      .lock                held by the one process writing here (engine.folder_lock)
      clips/<id>-<key12>.mp4    a shot's verified clip, named by its key so an edit never reuses stale pixels
      clips/<id>-<key12>.json   what the clip is (key, job, lineage, checksum): a lost journal is rebuilt from it
      decisions.json       the picks, verdicts, notes and tiers, as the journal holds them: a lost journal keeps them
      final.mp4            the cut; final.<provider>.mp4 a paid cut kept when a free run replaced final.mp4
      assembly.json, final.srt, timeline.otio   what travels with the cut (final.srt: the captions)
      preview/             the contact sheet and its thumbnails; preview/takes/ the review page's take frames
      .assembly-cache/     join pictures, sound beds and the beats of music beds, by content

Everything the journal stores is relative to this folder, so a folder can be moved, copied or run from any
working directory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def journal(self) -> Path:
        return self.root / "journal.sqlite"

    @property
    def decisions(self) -> Path:
        return self.root / "decisions.json"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def clips(self) -> Path:
        return self.root / "clips"

    def clip(self, shot_id: str, key: str) -> Path:
        return self.clips / f"{shot_id}-{key[:12]}.mp4"

    def clip_record(self, shot_id: str, key: str) -> Path:
        return self.clip(shot_id, key).with_suffix(".json")

    @property
    def cut(self) -> Path:
        return self.root / "final.mp4"

    def kept_cut(self, provider: str) -> Path:
        """Where a paid provider's cut is kept when a run of another provider writes final.mp4."""
        return self.root / f"final.{provider}.mp4"

    @property
    def assembly_report(self) -> Path:
        return self.root / "assembly.json"

    @property
    def captions(self) -> Path:
        return self.root / "final.srt"  # the cut's captions, the same cues as its subtitle stream

    @property
    def old_captions(self) -> Path:
        """Where versions before the subtitle stream wrote the captions; removed, as it would contradict the cut."""
        return self.root / "captions.srt"

    @property
    def timeline(self) -> Path:
        return self.root / "timeline.otio"

    @property
    def preview(self) -> Path:
        return self.root / "preview"

    @property
    def preview_page(self) -> Path:
        return self.preview / "index.html"

    @property
    def side_files(self) -> tuple[Path, ...]:
        """What travels with the cut, for the page to link to."""
        return self.cut, self.captions, self.timeline, self.assembly_report

    @property
    def assembly_cache(self) -> Path:
        return self.root / ".assembly-cache"

    def set_aside(self, path: Path) -> Path:
        """A new name for a damaged file that is kept, never deleted: `journal.sqlite.corrupt-20261201-213000`."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        candidate, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
        while candidate.exists():
            candidate, n = path.with_name(f"{path.name}.corrupt-{stamp}-{n}"), n + 1
        return candidate

    def relative(self, path: Path) -> str:
        """How the journal stores a path inside this folder (not resolved: clips/ may be a link to another disk)."""
        return path.relative_to(self.root).as_posix()

    def resolve(self, stored: str) -> Path:
        """A stored path (relative to this folder) back to a path."""
        return self.root / stored
