"""What the pipeline knows of a file it has read, learnt once per version of the file (path, size, mtime_ns):
its sha256, and for media its probe and packet counts, learnt together at first sight (one read of the bytes,
one opening and demux of the container).

The media facts are kept by the content's sha256, so a copy or a moved file is hashed again but not probed or
demuxed again. A journal keeps both tables for the next command (engine.file_facts); a command with no journal
keeps them for the process (`watch` loads the same files again and again). A file whose size or mtime moved is
read again: a file rewritten in place always changes its mtime.
"""

from __future__ import annotations

import json
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

    def to_json(self) -> str:
        info = None if self.info is None else {k: _plain(v) for k, v in asdict(self.info).items()}
        return json.dumps({"info": info, "packets": self.packets})

    @classmethod
    def from_json(cls, text: str) -> Media:
        data = json.loads(text)
        info = data["info"]
        if info is not None:
            info = ffmpeg.MediaInfo(**{k: Fraction(v) if k in ("fps", "time_base") and v else v
                                       for k, v in info.items()})
        return cls(info, {kind: tuple(counts) for kind, counts in data["packets"].items()})


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Fraction) else value


@dataclass
class FileFacts:
    """Facts of files by their name (relative to `root` where they lie inside it, so a moved output folder
    keeps its clips' facts), and media facts by content; what was learnt since reading is in `new_*`."""

    root: Path | None = None
    versions: dict[str, Version] = field(default_factory=dict)
    media_of: dict[str, Media] = field(default_factory=dict)  # sha256 -> Media
    new_versions: dict[str, Version] = field(default_factory=dict)
    new_media: dict[str, Media] = field(default_factory=dict)

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

    def media(self, path: Path) -> Media:
        """The file's probe and packet counts; OSError when it is not a readable file."""
        digest = self.sha256(path)
        if digest is None:
            raise FileNotFoundError(path)
        if (known := self.media_of.get(digest)) is None:
            try:
                known = Media(*ffmpeg.examined(path))
            except MediaError:
                known = Media(None)
            self.media_of[digest] = self.new_media[digest] = known
        return known

    def __post_init__(self):
        self.root = self.root.resolve() if self.root is not None else None

    def learn(self, other: FileFacts) -> None:
        """Take in what `other` learnt (a storyboard's load, before this journal was open for writing)."""
        for name, version in other.new_versions.items():
            name = name if other.root == self.root else self._name(other.root / name if other.root else Path(name))
            self.versions[name] = self.new_versions[name] = version
        self.media_of.update(other.new_media)
        self.new_media.update(other.new_media)

    def saved(self) -> None:
        self.new_versions, self.new_media = {}, {}

    def _name(self, path: Path) -> str:
        resolved = path.resolve()
        if self.root is not None:
            try:
                return str(resolved.relative_to(self.root))
            except ValueError:
                pass
        return str(resolved)


IN_THIS_PROCESS = FileFacts()  # for loads with no journal to read
