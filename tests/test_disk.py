"""The disk refusing a write (full, read-only) is said clearly, never as an internal error, and leaves no
half-written file; temps a killed run left are swept. Real small filesystems (tmpfs), real ffmpeg, SIGKILL."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import stamina

from pipeline import ffmpeg
from pipeline.cli import main
from pipeline.files import TEMP_PREFIX, DiskError, atomic_path, sweep_temps
from pipeline.providers.download import check_video, fetch_video
from tests.runs import assembled_frames, cli, run_args, stats, write_board

MB = 1 << 20
ROCKET = Path(__file__).parents[1] / "storyboards" / "rocket.yaml"


class SmallDisk:
    """A real tmpfs mounted for one test: filled to leave a little room, freed again, or made read-only."""

    def __init__(self, path: Path):
        self.path, self.filler = path, path / "filler"

    def leave_free(self, room: int) -> None:
        free = os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize
        with self.filler.open("wb") as f:
            f.truncate(0)
            for _ in range((free - room) // MB):
                f.write(bytes(MB))
            f.write(bytes((free - room) % MB))

    def free_up(self) -> None:
        self.filler.unlink()

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True, capture_output=True)


@pytest.fixture
def disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True,
                              text=True)
    except OSError as exc:
        pytest.skip(f"no mount command to make a small disk: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield SmallDisk(mount)
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)


def temps_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"{TEMP_PREFIX}*"))


def test_a_run_that_fills_the_disk_stops_clearly_then_finishes_reusing_its_clips(disk, capsys):
    out = disk.path / "rocket"
    disk.leave_free(2 * MB)  # the first clip (about 1 MB) fits, the second does not
    assert main(["run", str(ROCKET), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"no space is left on the disk holding {out / 'clips'}" in err
    assert "free some space" in err and "internal error" not in err and "Traceback" not in err
    assert not (out / "final.mp4").exists() and temps_under(disk.path) == []
    kept = list((out / "clips").glob("*.mp4"))  # each clip has its record beside it
    assert [p.name.split("-")[0] for p in kept] == ["launch"]
    check_video(kept[0], 5 * 24)  # whole, not the start of one
    before = kept[0].stat()

    disk.free_up()
    assert main(["run", str(ROCKET), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "launch: cached" in err and "launch: rendering" not in err
    assert (kept[0].stat().st_ino, kept[0].stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    frames, reported, planned = assembled_frames(out)
    assert frames == reported == planned and len(list((out / "clips").glob("*.mp4"))) == 5

    cut = (out / "final.mp4").stat()
    disk.leave_free(MB)  # less than the cut: assembling again fails, and the cut before stays whole
    assert main(["assemble", str(ROCKET), "--out", str(out)]) == 1
    assert f"cannot write {out / 'final.mp4'}: no space is left" in capsys.readouterr().err
    assert (out / "final.mp4").stat().st_ino == cut.st_ino and temps_under(disk.path) == []
    disk.free_up()

    disk.read_only()
    assert main(["preview", str(ROCKET), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"cannot make the folder {out / 'preview'}: {out} is on a read-only file system" in err


def test_a_run_into_a_read_only_disk_says_so(disk, capsys):
    disk.read_only()
    assert main(["run", str(ROCKET), "--out", str(disk.path / "rocket")]) == 1
    err = capsys.readouterr().err
    assert f"cannot make the folder {disk.path / 'rocket'}: {disk.path} is on a read-only file system" in err
    assert "remount it read-write" in err and "internal error" not in err


def test_a_paid_download_onto_a_full_disk_stops_once_and_resumes_without_paying_again(disk, fake, tmp_path, capsys):
    board, out = write_board(tmp_path, "resolution: 540p\nshots:\n  - id: a\n    prompt: a lighthouse\n"
                                       "  - id: b\n    prompt: the beam sweeps\n"), tmp_path / "film"
    out.mkdir()
    (out / "clips").symlink_to(disk.path)  # the clips on their own small disk, the journal beside them
    disk.leave_free(16 * 1024)  # the fake's clips are about 45 KB
    assert main(run_args(board, out)) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out / 'clips'}/a-" in err and "no space is left" in err and "internal" not in err
    assert (stats(fake)["creates"], stats(fake)["downloads"]) == (1, 1)  # not retried as a network error
    disk.free_up()
    assert main(run_args(board, out)) == 0
    assert (stats(fake)["creates"], stats(fake)["downloads"]) == (2, 3)


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0, reason="needs root and setpriv to run as nobody")
def test_a_folder_without_write_permission_says_so():
    with tempfile.TemporaryDirectory() as place:  # not tmp_path: nobody may not enter pytest's folders
        locked = Path(place) / "locked"
        locked.mkdir()
        os.chmod(place, 0o755)
        os.chmod(locked, 0o555)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        done = subprocess.run([*nobody, *cli("run", str(ROCKET), "--out", str(locked / "film"))], text=True,
                              capture_output=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot make the folder {locked / 'film'}: no permission to write in {locked}" in done.stderr


def test_ffmpeg_filling_the_disk_is_a_disk_error_naming_the_file_it_was_making(disk):
    disk.leave_free(MB // 4)
    dest = disk.path / "cut.mp4"
    with pytest.raises(DiskError) as caught, atomic_path(dest) as tmp:
        ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24", "-frames:v", "48", "-c:v", "libx264",
                    "-preset", "ultrafast", "-qp", "0", str(tmp)], what="a lossless test clip")
    assert str(caught.value).startswith(f"cannot write {dest}: no space is left on the disk holding {disk.path}")
    assert sorted(disk.path.iterdir()) == [disk.filler]


def test_a_download_onto_a_full_disk_says_so_and_is_not_retried(disk):
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=bytes(4 * MB))

    async def fetch():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            await fetch_video("https://cdn.test/v/clip.mp4", disk.path / "clips" / "a.mp4", client=client)

    disk.leave_free(MB)
    with stamina.set_testing(True), pytest.raises(DiskError) as caught:
        asyncio.run(fetch())
    assert str(caught.value).startswith(f"cannot write {disk.path / 'clips' / 'a.mp4'}: no space is left")
    assert len(requests) == 1 and list((disk.path / "clips").iterdir()) == []


def test_a_disk_error_that_misses_the_files_module_is_still_no_internal_error(disk):
    disk.leave_free(0)
    with (disk.path / "schema.json").open("wb") as stdout:  # the schema is printed whole: about 14 KB
        done = subprocess.run(cli("schema"), stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot write the output: no space is left") and "internal" not in done.stderr


KILLED_WRITER = """
import contextlib, sys, time
from pathlib import Path
from pipeline.files import atomic_path, temp_folder, write_atomic

out = Path(sys.argv[1])
write_atomic(out / "clips" / "done.mp4", b"finished" * 1000)
with contextlib.ExitStack() as stack:
    work = stack.enter_context(temp_folder(out))
    (work / "piece-0000.mp4").write_bytes(b"a piece")
    for dest in ("preview/thumbs/a.jpg", ".assembly-cache/p.npz"):
        stack.enter_context(atomic_path(out / dest)).write_bytes(b"half")
    with stack.enter_context(atomic_path(out / "clips" / "big.mp4")).open("wb") as f:
        f.write(bytes(1 << 20))
        f.flush()
        print("writing", flush=True)
        while True:
            f.write(bytes(1 << 16))
            time.sleep(0.01)
"""


def test_temps_left_by_a_killed_writer_are_swept_and_finished_files_kept(tmp_path):
    out = tmp_path / "out"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    left = temps_under(out)
    assert len(left) == 4  # the scratch folder (with its piece) and three temp files
    assert sorted(sweep_temps(out, older_than_s=0)) == left
    assert temps_under(out) == [] and not (out / "clips" / "big.mp4").exists()
    assert (out / "clips" / "done.mp4").read_bytes() == b"finished" * 1000


def test_a_sweep_leaves_fresh_temps_and_everything_else_alone(tmp_path):
    old, fresh = tmp_path / "clips" / f"{TEMP_PREFIX}abc-a.mp4", tmp_path / f"{TEMP_PREFIX}def-final.mp4"
    others = [tmp_path / "clips" / "a.mp4", tmp_path / ".assembly-cache" / "pictures.npz",
              tmp_path / "a" / "b" / "c" / f"{TEMP_PREFIX}deep-x.mp4"]  # three levels down: not ours to sweep
    for path in (old, fresh, *others):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert sweep_temps(tmp_path) == [old]
    assert fresh.exists() and all(p.exists() for p in others)
