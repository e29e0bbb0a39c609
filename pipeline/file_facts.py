"""What the pipeline knows of a file it has read, learnt once per version of the file (path, size, mtime_ns):
its sha256, and for media its probe and packet counts, learnt together at first sight (one read of the bytes,
one opening and demux of the container).

Facts of a content (the probe and packet counts, `media/1`; the assembly gate's facts of a clip, `clip/1`) are
kept by its sha256, so a copy or a moved file is hashed again but not probed or demuxed again. A journal keeps
both for the next command (engine.file_facts); a command with no journal keeps them for the process (`watch`
loads the same files again and again). A file whose size or mtime moved is read again: a file rewritten in
place always changes its mtime.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from . import ffmpeg
from .errors import MediaError
from .files import sha256_of

Version = tuple[int, int, str]  # size, mtime_ns, sha256


@dataclass(frozen=True)
class Media:
    """A file as ffmpeg reads it: its probe (None when ffmpeg cannot read it) and, per kind of stream it has,
    (whole packets found, packets its index lists)."""

    info: ffmpeg.MediaInfo | None
    packets: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_plain(self) -> dict:
        return {"info": None if self.info is None else info_to_plain(self.info), "packets": self.packets}

    @classmethod
    def from_plain(cls, data: dict) -> Media:
        info = None if data["info"] is None else info_from_plain(data["info"])
        return cls(info, {kind: tuple(counts) for kind, counts in data["packets"].items()})

    @classmethod
    def examine(cls, path: Path) -> dict:
        """What ffmpeg makes of the file, as kept: one opening and one demux."""
        try:
            return cls(*ffmpeg.examined(path)).to_plain()
        except MediaError:
            return cls(None).to_plain()


def info_to_plain(info: ffmpeg.MediaInfo) -> dict:
    return {k: str(v) if isinstance(v, Fraction) else v for k, v in asdict(info).items()}


def info_from_plain(data: dict) -> ffmpeg.MediaInfo:
    return ffmpeg.MediaInfo(**{k: Fraction(v) if k in ("fps", "time_base") and v else v for k, v in data.items()})


MEDIA = "media/1"  # what the probe and packet counts are kept as; a new number when their form changes


Key = tuple[str, str]  # (sha256, what)


@dataclass
class FileFacts:
    """Facts of files by their name (relative to `root` where they lie inside it, so a moved output folder
    keeps its clips' facts), and facts of their content by (sha256, what they are), held as JSON text (a
    long film's clip facts parsed would cost kilobytes a shot) and looked up in `lookup` (a journal's table)
    when not held; what was learnt since reading is in `new_*`."""

    root: Path | None = None
    versions: dict[str, Version] = field(default_factory=dict)
    contents: dict[Key, str] = field(default_factory=dict)
    lookup: Callable[[Key], str | None] = lambda key: None
    new_versions: dict[str, Version] = field(default_factory=dict)
    new_contents: dict[Key, str] = field(default_factory=dict)

    def __post_init__(self):
        self.root = self.root.resolve() if self.root is not None else None
        self._names: dict[Path, str] = {}  # resolving a path walks every folder in it: once per path

    def sha256(self, path: Path) -> str | None:
        """The file's sha256 (None when it is not a file), read from its bytes only when unknown or changed."""
        try:
            stat = path.stat()
        except OSError:
            return None
        name = self._name(path)
        fact = self.versions.get(name)
        if fact is None or fact[:2] != (stat.st_size, stat.st_mtime_ns):
            fact = self.versions[name] = self.new_versions[name] = (stat.st_size, stat.st_mtime_ns, sha256_of(path))
        return fact[2]

    def about(self, path: Path, what: str, learn: Callable[[Path], object],
              read: Callable[[object], object] = lambda data: data) -> object:
        """read(learn(path)) (learn gives plain JSON data), kept by the file's content: learnt once per
        content, whatever its name, and again where what is kept cannot be read (written by other code).
        FileNotFoundError when it is not a file."""
        digest = self.sha256(path)
        if digest is None:
            raise FileNotFoundError(path)
        key = (digest, what)
        if (text := self.contents.get(key) or self.lookup(key)) is not None:
            try:
                return read(json.loads(text))
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
        learnt = learn(path)
        self.contents[key] = self.new_contents[key] = json.dumps(learnt)
        return read(learnt)

    def media(self, path: Path) -> Media:
        """The file's probe and packet counts; OSError when it is not a readable file."""
        return self.about(path, MEDIA, Media.examine, Media.from_plain)

    def learn(self, other: FileFacts) -> None:
        """Take in what `other` learnt (a storyboard's load, before this journal was open for writing)."""
        for name, version in other.new_versions.items():
            name = name if other.root == self.root else self._name(other.root / name if other.root else Path(name))
            self.versions[name] = self.new_versions[name] = version
        self.contents.update(other.new_contents)
        self.new_contents.update(other.new_contents)

    def saved(self) -> None:
        self.new_versions, self.new_contents = {}, {}

    def _name(self, path: Path) -> str:
        if (name := self._names.get(path)) is None:
            name = self._names[path] = self._named(path.resolve())
        return name

    def _named(self, resolved: Path) -> str:
        if self.root is not None:
            try:
                return str(resolved.relative_to(self.root))
            except ValueError:
                pass
        return str(resolved)


IN_THIS_PROCESS = FileFacts()  # for loads with no journal to read
