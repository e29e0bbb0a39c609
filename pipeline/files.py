"""Writing files so that neither a crash nor the disk leaves one half-written, and saying clearly when the disk
refuses.

A file is written to a temp beside it (named `.tmp-<random>-<name>`, a pattern only this module makes),
fsynced, renamed into place, and its folder fsynced: a power cut leaves the old file or the new one, never a
renamed but empty one. An OSError of the disk while writing (full, read-only, no permission, failing) becomes
a DiskError naming the place, what happened and what to do: `disk_error` is the one translation, and
`disk_error_in` reads the same out of a tool's log (ffmpeg). `sweep_temps` removes what a killed run left.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import PipelineError

TEMP_PREFIX = ".tmp-"
WRITE_ONLY = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})  # only a write raises these, whatever it names
DISK_ERRNOS = WRITE_ONLY | {errno.EACCES, errno.EPERM, errno.EIO}
KEPT = "what is finished is kept"
_NO_PERMISSION = ("no permission to write in {folder}", "change the folder's permissions or choose another folder")
_SAID = {  # errno -> (what happened, what to do); {folder} is where the write went
    errno.ENOSPC: ("no space is left on the disk holding {folder}", f"free some space on it and run again: {KEPT}"),
    errno.EDQUOT: ("the disk quota for {folder} is used up", f"free some space or raise the quota, then run again: "
                                                              f"{KEPT}"),
    errno.EROFS: ("{folder} is on a read-only file system", "remount it read-write or choose another folder"),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.EIO: ("the disk holding {folder} failed to write (input/output error)",
                f"check the disk and its connection, then run again: {KEPT}"),
}


class DiskError(PipelineError):
    """The disk refused a write: `path` is what was being written (as the user knows it), `errno` why."""

    def __init__(self, message: str, path: Path | None, code: int | None):
        self.path, self.errno = path, code
        super().__init__(message)


def disk_error(path: Path | None, exc: OSError, *, doing: str = "write") -> DiskError:
    """`exc`, raised while writing `path` (a file or a folder; None when unknown, e.g. stdout), in words: the
    place, what happened, and what to do."""
    path = _shown(Path(path)) if path is not None else None
    folder = "the output" if path is None else path if path.is_dir() else path.parent
    happened, todo = _SAID.get(exc.errno, (f"{(exc.strerror or str(exc)).lower()} (in {{folder}})",
                                           "check the disk holding it, or choose another folder"))
    return DiskError(f"cannot {doing} {path or 'the output'}: {happened.format(folder=folder)}; {todo}", path,
                     exc.errno)


def as_disk_error(exc: BaseException, where: Path | None = None) -> DiskError | None:
    """`exc` as a DiskError when it is an OSError of the disk (naming its file, else `where`); else None."""
    if not isinstance(exc, OSError) or exc.errno not in DISK_ERRNOS:
        return None
    return disk_error(Path(exc.filename) if exc.filename else where, exc)


def disk_error_in(log: str, path: Path) -> DiskError | None:
    """The DiskError a tool's log reports while writing `path`, else None. ffmpeg prints the C library's
    words ("No space left on device"); permission and I/O errors are left out: they may be about an input."""
    code = next((c for c in sorted(WRITE_ONLY) if os.strerror(c) in log), None)
    return None if code is None else disk_error(path, OSError(code, os.strerror(code)))


def _shown(path: Path) -> Path:
    """The path the user knows: a temp file as the file it becomes, a file in a temp folder as the folder
    holding that temp folder."""
    for n, part in enumerate(path.parts):
        if part.startswith(TEMP_PREFIX):
            final = part[len(TEMP_PREFIX):].partition("-")[2]  # mkstemp's random part has no "-"
            last = n == len(path.parts) - 1
            return Path(*path.parts[:n], final) if final and last else Path(*path.parts[:n])
    return path


@contextlib.contextmanager
def _disk_errors(inside: Path, writing: Path) -> Iterator[None]:
    """OSErrors of the disk in the block become DiskError naming the file they name, else `writing`. Permission
    and I/O errors count only about files `inside` (or unnamed ones, such as a write's): reading an input
    somewhere else is not the disk refusing our write."""
    try:
        yield
    except OSError as exc:
        named = Path(exc.filename) if exc.filename else None
        if exc.errno not in WRITE_ONLY and not (exc.errno in DISK_ERRNOS and _within(named, inside)):
            raise
        raise disk_error(named or writing, exc) from exc


def _within(path: Path | None, folder: Path) -> bool:
    return path is None or path.is_relative_to(folder)


def make_folder(folder: Path, *, hint: str = "choose another place") -> None:
    """`mkdir -p folder`; a PipelineError naming what is in the way (a file, the disk) if it fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker == folder:
            raise PipelineError(f"{folder} is a file, so it cannot be the folder to write into; {hint}") from exc
        if blocker is not None:
            raise PipelineError(f"cannot make the folder {folder}: {blocker} is a file, not a folder; {hint}") from exc
        raise disk_error(folder, exc, doing="make the folder") from exc


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """A temp path beside `dest`; when the block succeeds the file is fsynced and renamed onto `dest` (and the
    folder fsynced), when it fails it is removed. The disk refusing a write raises DiskError naming `dest`."""
    dest = Path(dest)
    make_folder(dest.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=f"-{dest.name}", dir=dest.parent)
    except OSError as exc:
        raise disk_error(dest, exc) from exc
    os.close(fd)
    tmp = Path(name)
    with _disk_errors(dest.parent, dest):
        try:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the finished file gets the usual mode
            yield tmp
            _fsync(tmp)  # the bytes reach the disk before the name does
            os.replace(tmp, dest)
            _fsync(dest.parent)  # and the rename itself survives a power cut
        finally:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def temp_folder(parent: Path) -> Iterator[Path]:
    """A scratch folder inside `parent`, removed after the block (sweep_temps removes one a kill left behind).
    The disk refusing a write in the block raises DiskError naming `parent`."""
    make_folder(parent)
    with _disk_errors(parent, parent), tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=parent) as work:
        yield Path(work)


def _fsync(path: Path) -> None:
    if os.name == "nt" and path.is_dir():
        return  # Windows cannot open a folder to flush it; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _umask() -> int:
    # read once: setting and restoring it is not thread-safe, and renders write from several threads
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(dest: Path, data: bytes) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def write_atomic_text(dest: Path, chunks: Iterable[str]) -> None:
    """`chunks` into `dest` as UTF-8, atomically, a chunk at a time: a long film's side files are never one
    string."""
    with atomic_path(dest) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)


def is_temp(path: Path) -> bool:
    """Whether `path` is a temp made here (a file not finished yet, or a scratch folder): never a result."""
    return Path(path).name.startswith(TEMP_PREFIX)


def sweep_temps(folder: Path, *, older_than_s: float = 2.0) -> list[Path]:
    """Remove the temps (files and scratch folders) that a killed run left in the output folder `folder` and
    two levels below it (clips/, .assembly-cache/, preview/thumbs/); return those removed.

    Call it only while holding the output folder's exclusive lock: then no run is writing there, so every
    temp is stale. Previews write without the lock, so a temp touched in the last `older_than_s` seconds is
    left alone (a preview's temps live for milliseconds). One that cannot be removed is left for next time:
    tidying never stops a run.
    """
    cutoff = time.time() - older_than_s
    found = [p for depth in ("", "*/", "*/*/") for p in Path(folder).glob(f"{depth}{TEMP_PREFIX}*")]
    stale = [p for p in found if _modified_before(p, cutoff)]
    for path in stale:
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    return [p for p in stale if not p.exists()]


def _modified_before(path: Path, cutoff: float) -> bool:
    try:
        return path.lstat().st_mtime < cutoff
    except OSError:
        return False  # gone already


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_once(path: Path) -> str:
    """sha256_of, read once per version (size, mtime_ns) of the file in this process: a storyboard that plays
    one clip in 5,000 shots hashes it once."""
    stat = path.stat()
    return _sha256_of_version(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _sha256_of_version(path: Path, size: int, mtime_ns: int) -> str:
    return sha256_of(path)
