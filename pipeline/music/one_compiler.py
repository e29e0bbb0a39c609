"""One process at a time in librosa's compiled code, across the machine.

librosa's beat tracker is numba code cached on disk (`guvectorize(cache=True)`), and numba writes a function's
two cache files separately: when two processes compile it at once, each may keep the other's half, and the
next call jumps to a function that is not there (a segmentation fault; numba issue 10128). Two runs cutting
to the beats on a fresh install did so in 5 of 12 processes. An OS lock around the analysis makes the first
one compile and write the cache whole, the others load it after; the kernel drops the lock of a killed
process. Analyses are cached by the bed's digest, so waiting here is rare and short.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import PipelineError

NAME = "storyboard-pipeline-numba.lock"


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold the machine's compile lock for the block (waits for another process's analysis to end)."""
    fd = _open()
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open() -> int:
    # One file for every user: a shared virtual environment is one cache. Where another user's file cannot
    # be opened, a lock of one's own still orders this user's processes.
    shared = Path(tempfile.gettempdir()) / NAME
    own = shared.with_name(f"{os.getuid()}-{NAME}")
    try:
        return os.open(shared, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError:
        pass
    try:
        return os.open(own, os.O_RDONLY | os.O_CREAT, 0o600)
    except OSError as exc:
        raise PipelineError(f"cannot make the lock file {own} that beat analyses take turns by "
                            f"({(exc.strerror or str(exc)).lower()}); point TMPDIR at a writable folder") from exc
