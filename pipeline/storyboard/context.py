"""What every whole-storyboard check reads: the storyboard, where its values stand, and the media found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import ffmpeg
from ..errors import Problem
from ..file_facts import IN_THIS_PROCESS, FileFacts, Media
from .model import Shot, Storyboard
from .yamlsource import Located


def is_url(ref: str) -> bool:
    return ref.startswith(("https://", "http://"))


@dataclass
class Context:
    file: str
    base_dir: Path
    located: Located
    board: Storyboard  # settings; its shots may be a subset when some failed to validate
    shots: list[tuple[int, Shot]]  # (index in the file, shot) for every shot that validated
    ids: dict[int, str]  # index -> id, default ids included
    provider: str
    partial: set[int] = field(default_factory=set)  # shots checked without their faulty keys
    media: dict[Path, ffmpeg.MediaInfo] = field(default_factory=dict)
    resolved: dict[str, Path] = field(default_factory=dict)  # file reference -> its path, resolved once
    facts: FileFacts = field(default_factory=lambda: IN_THIS_PROCESS)  # a journal's, or this process's
    found: dict[Path, Media] = field(default_factory=dict)  # what each file named is, asked of `facts` once per load

    def resolve(self, ref: str) -> Path:
        """A file reference as a resolved path, once per load: a long film plays one clip in many shots, and
        resolving walks every folder of the path."""
        if (found := self.resolved.get(ref)) is None:
            found = self.resolved[ref] = (self.base_dir / ref).resolve()
        return found

    def at(self, path: tuple, message: str, *, key: bool = False, severity: str = "error") -> Problem:
        line, col = self.located.where(path, key=key)
        return Problem(self.file, line, col, message, severity)
