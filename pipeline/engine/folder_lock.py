"""One writer per output folder: an OS lock that the kernel releases when its process dies.

`flock` on `<out>/.lock`: a run killed with SIGKILL leaves no stale lock, and the next run goes on at once. The
holder writes who it is (pid, since, command) into the file so that a second run can say who it waits for.
Read-only commands (status, plan, preview) never take it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import PipelineError
from ..files import make_folder

POLL_S = 0.1


class FolderBusy(PipelineError):
    """Another process writes into the output folder and the caller chose not to wait (--no-wait)."""


@contextlib.contextmanager
def holding(lock_path: Path, *, wait: bool = True, waiting: Callable[[str], None] = lambda text: None,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
    """Hold the folder's lock for the block; wait for it (telling `waiting` once, who holds it) unless not `wait`."""
    make_folder(lock_path.parent, hint="choose another output folder with --out")
    fd = _open(lock_path)
    try:
        if not _try_lock(fd):
            holder = f"{lock_path.parent} is in use by {_holder(lock_path)}"
            if not wait:
                raise FolderBusy(f"{holder}; wait for it to finish, or choose another folder with --out")
            waiting(f"waiting: {holder} (Ctrl-C stops waiting; --no-wait exits instead)")
            while not _try_lock(fd):
                sleep(POLL_S)
        _write_holder(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open(lock_path: Path) -> int:
    try:
        return os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PipelineError(f"cannot open the lock file {lock_path} ({(exc.strerror or str(exc)).lower()}); "
                            "check that the output folder is writable, or choose another with --out") from exc


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _write_holder(fd: int) -> None:
    os.ftruncate(fd, 0)
    record = {"pid": os.getpid(), "since": time.time(), "command": " ".join(["pipeline", *sys.argv[1:]])}
    os.pwrite(fd, json.dumps(record).encode(), 0)


def _holder(lock_path: Path) -> str:
    try:
        record = json.loads(lock_path.read_text(encoding="utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(record["since"]))
        return f"process {record['pid']} since {since} ({record['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
