"""Load a storyboard file: parse, validate every value, check the whole, and report all problems at once."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from .. import formats
from ..errors import PipelineError, Problem, StoryboardError
from ..ffmpeg import MediaInfo
from ..file_facts import IN_THIS_PROCESS, FileFacts
from ..music import grid
from ..music.grid import Grid
from ..plan import UNDECIDED, Choices, Plan, make_plan
from . import checks
from .context import Context, is_url
from .cuts import uses_beats
from .diagnose import describe, yaml_path
from .model import NONE, Shot, Storyboard
from .yamlsource import Located, SourceError, parse


@dataclass(frozen=True)
class Project:
    """A valid storyboard, where it lives, and what its media files are."""

    board: Storyboard
    path: Path
    provider: str
    notes: tuple[Problem, ...] = ()
    media: Mapping[Path, MediaInfo] = field(default_factory=dict)
    digests: Mapping[str, str] = field(default_factory=dict)  # file reference -> sha256 of its content
    resolved: dict[str, Path] = field(default_factory=dict, compare=False, repr=False)  # filled by file()
    facts: FileFacts = field(default_factory=lambda: IN_THIS_PROCESS, compare=False, repr=False)  # of its files

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        return self.board.title or self.name.replace("-", " ").replace("_", " ").title()

    def file(self, ref: str) -> Path:
        """A file reference from the storyboard as a path (references are relative to the storyboard); resolved
        once per reference, as the checks resolved it."""
        if (found := self.resolved.get(ref)) is None:
            found = self.resolved[ref] = (self.base_dir / ref).resolve()
        return found

    def plan(self, render_options: Mapping[str, object] | None = None, choices: Choices = UNDECIDED, *,
             cache: Path | None = None) -> Plan:
        """The plan; choices: the picked takes and tiers; cache: where the music bed's beats are kept (the
        output folder's cache), if anywhere."""
        clip_frames = {s.clip: formats.frames_for(self.media[self.file(s.clip)].duration_s)
                       for s in self.board.shots if s.clip}
        return make_plan(self.board, provider=self.provider, title=self.title, digests=self.digests,
                         clip_frames=clip_frames, render_options=render_options, choices=choices,
                         beats=self._beats(cache))

    def _beats(self, cache: Path | None) -> Grid | None:
        """The bed's beats in the cut, up to the longest the cut can be, where the storyboard cuts to them."""
        board, music = self.board, self.board.audio
        if music is None or not uses_beats(board):
            return None
        longest = sum(formats.frames_for(self.media[self.file(s.clip)].duration_s) if s.clip
                      else formats.frames_for(s.duration or board.duration) for s in board.shots)
        from ..music import beats  # librosa is imported only by films that cut to the beats

        analysis = beats.analyse(self.file(music.path), cache=cache)
        return grid.in_cut(analysis, offset=music.offset, loop=music.loop, until=longest / formats.FPS)


def load(path: str | Path, *, provider: str | None = None, asset_base_url: str | None = None,
         assets: str | None = None, default_assets: str | None = None, facts: FileFacts | None = None) -> Project:
    """Load and check a storyboard; raise StoryboardError listing every problem found.

    assets: the asset store given on the command line, over the storyboard's; default_assets (the
    environment's) applies only where the storyboard names none. facts: what an output folder's journal knows
    of files (their digests, probes and packet counts), so files found as they were are not read again."""
    shown = str(path)
    located = _parse(Path(path), shown)
    if not isinstance(located.data, dict):
        raise StoryboardError([Problem(shown, 1, 1, "the storyboard must be a mapping with `shots:` "
                                                    "(run `pipeline init` for a starter)")])
    data = located.data
    if asset_base_url:
        data = {**data, "asset_base_url": asset_base_url}
    if assets or (default_assets and "assets" not in data):
        data = {**data, "assets": assets or default_assets}
    board, problems = _validate(data, located, shown)
    ctx = _context(board, data, located, shown, Path(path).resolve().parent, provider)
    ctx.facts = facts if facts is not None else IN_THIS_PROCESS
    for check in checks.ALL:
        problems += list(check(ctx))
    if any(p.severity == "error" for p in problems) or board is None:
        raise StoryboardError(problems)
    return Project(board, Path(path).resolve(), ctx.provider, tuple(problems), dict(ctx.media),
                   _digests(board, ctx), dict(ctx.resolved), ctx.facts)


def _parse(path: Path, shown: str) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StoryboardError([Problem(shown, 1, 1, f"is not UTF-8 text ({exc.reason}); save it as UTF-8")]) from exc
    except OSError as exc:
        raise PipelineError(f"{shown}: cannot read the storyboard ({exc.strerror}); check the path") from exc
    try:
        return parse(text)
    except SourceError as exc:
        raise StoryboardError([Problem(shown, exc.line, exc.col, exc.message)]) from exc


def _validate(data: dict, located: Located, shown: str) -> tuple[Storyboard | None, list[Problem]]:
    try:
        return Storyboard.model_validate(data), []
    except ValidationError as exc:
        errors = _without_echoes(exc.errors())
    problems = []
    for error in errors:
        error = {**error, "loc": _as_in_file(yaml_path(error["loc"]), data)}
        line, col = located.where(error["loc"], key=error["type"] in ("extra_forbidden", "missing"))
        problems.append(Problem(shown, line, col, describe(error, Storyboard)))
    return None, problems


def _as_in_file(path: tuple, data: object) -> tuple:
    """The location cut where the file holds no list: a scalar `camera: x` is validated as the list [x], and
    its error belongs to `camera`, not to `camera[0]`."""
    node = data
    for depth, part in enumerate(path):
        if isinstance(part, int) and not isinstance(node, list):
            return path[:depth]
        node = node[part] if isinstance(node, list | dict) and _has(node, part) else None
    return path


def _has(node: list | dict, part: object) -> bool:
    return part in node if isinstance(node, dict) else isinstance(part, int) and 0 <= part < len(node)


def _without_echoes(errors: list[dict]) -> list[dict]:
    """Drop 'X is required' where the same mapping has a misspelt X (the 'did you mean' says it already)."""
    misspelt = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            parent = yaml_path(e["loc"])[:-1]
            for name in difflib.get_close_matches(str(e["loc"][-1]), _missing_at(errors, parent), n=1, cutoff=0.6):
                misspelt.add((*parent, name))
    return [e for e in errors if not (e["type"] == "missing" and yaml_path(e["loc"]) in misspelt)]


def _missing_at(errors: list[dict], parent: tuple) -> list[str]:
    return [str(p[-1]) for e in errors if e["type"] == "missing" and (p := yaml_path(e["loc"]))[:-1] == parent]


def _context(board: Storyboard | None, data: dict, located: Located, shown: str, base_dir: Path,
             provider: str | None) -> Context:
    """The checks' view: the whole storyboard if it validated, else its settings and the shots that did."""
    partial: set[int] = set()
    if board is not None:
        shots = list(enumerate(board.shots))
    else:
        raw = data.get("shots")
        parsed = [(i, s, _shot(s)) for i, s in enumerate(raw if isinstance(raw, list) else [])]
        shots = [(i, s) for i, _, s in parsed if s is not None]
        partial = {i for i, r, s in parsed if s is not None and len(s.model_fields_set) < len(r)}
        board = _settings(data)
    ids = {i: s.id if s.id is not None else f"shot-{i + 1:02d}" for i, s in shots}
    return Context(shown, base_dir, located, board, shots, ids, provider or board.provider,
                          partial=partial)


def _shot(raw: object) -> Shot | None:
    """The shot, or what is valid of it (its faulty keys dropped) so its other keys still get checked."""
    try:
        return Shot.model_validate(raw)
    except ValidationError as exc:
        if not isinstance(raw, dict):
            return None
        faulty = {e["loc"][0] for e in exc.errors() if e["loc"]}
        try:
            return Shot.model_validate({k: v for k, v in raw.items() if k not in faulty})
        except ValidationError:
            return None


def _settings(data: dict) -> Storyboard:
    """The top-level settings that are valid on their own, defaults for the rest."""
    good = {}
    for name, value in data.items():
        if name in Storyboard.model_fields and name != "shots":
            try:
                Storyboard.model_validate({name: value, "shots": [{}]})
                good[name] = value
            except ValidationError:
                pass
    return Storyboard.model_validate({**good, "shots": [{}]})


def _digests(board: Storyboard, ctx: Context) -> dict[str, str]:
    refs = [r for s in board.shots for r in (s.start, s.end, s.clip) if isinstance(r, str) and r != NONE]
    refs += [k.image for s in board.shots for k in s.keyframes or ()]
    refs += [board.audio.path] if board.audio else []
    return {ref: ref if is_url(ref) else ctx.facts.sha256(ctx.resolve(ref)) for ref in dict.fromkeys(refs)}
