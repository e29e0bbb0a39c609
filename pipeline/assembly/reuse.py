"""Whether the cut on disk was already made from the same inputs and is still whole, so that an unchanged run
neither rebuilds nor re-verifies it.

assembly.json records what the cut was made from: a digest of the storyboard's settings, the plan (each
shot's key, place, length, transition) and the sha256 of every clip and of the music; each file's (size,
mtime_ns) beside its sha256, so a later run hashes only files that changed on disk; and the cut's own (size,
mtime_ns) as it was written, and its side files. A changed clip, setting, caption or music changes the digest;
a cut rewritten, touched or removed since does not match its record: either way the cut is made again.
A cut with its captions burnt in (assembly.burn) says so, with its own (size, mtime_ns): it is kept when they
are asked for again, and not when they are not (that cut has a subtitle stream instead).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..files import sha256_once
from ..layout import Layout
from ..plan import Plan
from ..storyboard.load import Project
from . import captions
from .report import AssemblyReport, Footage, ShotReport

FORMAT = 1  # of the record; a new one means every cut is made again once


def earlier(dest: Path) -> dict:
    """The inputs the cut at `dest` was made from, as its assembly.json recorded them ({} when unknown)."""
    try:
        recorded = json.loads(Layout(dest.parent).assembly_report.read_text())["inputs"]
        return recorded if recorded.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def inputs(project: Project, plan: Plan, clips: dict[str, Path], generations: dict[str, str],
           before: dict, facts=None) -> dict:
    """What this assembly is made from: {"format", "digest", "files": {path: [size, mtime_ns, sha256]}}
    (generations: the job ids the timeline records). A file whose size and mtime are as recorded keeps its
    recorded sha256 instead of being read again; `facts` (the journal's file facts) know the others' where they can."""
    music = project.file(project.board.audio.path) if project.board.audio else None
    paths = [*(str(clips[p.id]) for p in plan.shots), *([str(music)] if music else [])]
    hashed = facts.sha256 if facts is not None else sha256_once
    files = {path: _fact(Path(path), before.get("files", {}).get(path), hashed) for path in dict.fromkeys(paths)}
    material = {"version": __version__, "title": project.title, "provider": project.provider,
                "board": project.board.model_dump(mode="json"), "generations": generations,
                "plan": [(p.id, p.key, p.start_frame, p.frames, p.transition, p.transition_frames)
                         for p in plan.shots],
                "clips": [files[str(clips[p.id])][2] for p in plan.shots],
                "music": files[str(music)][2] if music else None}
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()
    return {"format": FORMAT, "digest": digest, "files": files}


def _fact(path: Path, recorded: list | None, hashed) -> list:
    try:
        stat = path.stat()
    except OSError:
        return [None, None, None]  # assembly says which clip is missing
    if recorded and recorded[:2] == [stat.st_size, stat.st_mtime_ns]:
        return recorded
    return [stat.st_size, stat.st_mtime_ns, hashed(path)]  # the run's checks may have read it already


def written(made: dict, report: AssemblyReport) -> dict:
    """The record of a cut just put in place: its inputs, the cut's (size, mtime_ns), whether its captions are
    burnt in, and what each shot took from its clip (so a kept cut's report is whole)."""
    stat = report.cut.stat()
    footage = [[f.first, f.count, f.clip_frames, f.sound, f.normalised] for f in (s.footage for s in report.shots)]
    return {**made, "cut": [stat.st_size, stat.st_mtime_ns], "burnt": report.burnt_captions, "footage": footage}


def made_already(before: dict, now: dict, plan: Plan, clips: dict[str, Path], dest: Path, *,
                 burnt: bool = False) -> AssemblyReport | None:
    """The report of the cut on disk when it was made from `now`'s inputs and is whole; else None. A cut with
    burnt captions is kept only when `burnt` asks for them; a plain one is kept either way (burning it is the
    caller's next step)."""
    if not before or before.get("digest") != now["digest"] or (before.get("burnt", False) and not burnt):
        return None
    layout = Layout(dest.parent)
    try:
        stat = dest.stat()
        report = json.loads(layout.assembly_report.read_text())
    except (OSError, ValueError):
        return None
    if before.get("cut") != [stat.st_size, stat.st_mtime_ns] or not layout.timeline.is_file():
        return None
    if report.get("captions") and not layout.captions.is_file():
        return None
    try:
        return _report(report, before, plan, clips, dest)
    except (KeyError, TypeError, ValueError):  # a record this code did not write: make the cut again
        return None


def _report(made: dict, record: dict, plan: Plan, clips: dict[str, Path], dest: Path) -> AssemblyReport:
    """The AssemblyReport assembly.json and its record describe."""
    layout = Layout(dest.parent)
    shots = tuple(ShotReport(s["id"], s["start_frame"], s["frames"], s["planned_frames"], s["trimmed_frames"],
                             s["normalised"], s["reencoded_frames"], tuple(s["notes"]), Footage(clips[s["id"]], *f))
                  for s, f in zip(made["shots"], record["footage"], strict=True))
    cues = captions.cues([(s.start_frame, p.shot.caption) for s, p in zip(shots, plan.shots, strict=True)],
                         made["runtime_frames"])
    return AssemblyReport(dest, made["runtime_frames"], made["planned_frames"], shots, tuple(made["warnings"]),
                          made["copied_frames"], made["reencoded_frames"], made["seconds"],
                          layout.captions if made.get("captions") else None, layout.timeline,
                          layout.assembly_report, tuple(cues), made.get("burnt_captions", False), record, True)
