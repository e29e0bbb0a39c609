"""Writing files so that a crash never leaves one half-written: temp file in the same folder, then rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import PipelineError


def make_folder(folder: Path, *, hint: str = "choose another place") -> None:
    """`mkdir -p folder`; a PipelineError naming what is in the way (a file, a missing permission) if it fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker == folder:
            raise PipelineError(f"{folder} is a file, so it cannot be the folder to write into; {hint}") from exc
        why = f"{blocker} is a file, not a folder" if blocker else (exc.strerror or str(exc)).lower()
        raise PipelineError(f"cannot make the folder {folder}: {why}; {hint}") from exc


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """A temp path beside `dest`; renamed onto `dest` when the block succeeds, removed when it fails."""
    make_folder(dest.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix or ".tmp", dir=dest.parent)
    except OSError as exc:
        raise PipelineError(f"cannot write {dest} ({(exc.strerror or str(exc)).lower()}); choose another place "
                            "or check the folder's permissions") from exc
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the finished file gets the usual mode
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(dest: Path, data: bytes) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
