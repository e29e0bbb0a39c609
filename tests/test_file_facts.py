"""The journal remembers each clip's sha256 by (path, size, mtime_ns): a clip found as it was is not read
again, in this process or the next; a clip that changed is."""

from __future__ import annotations

import hashlib
import os

from pipeline.engine import file_facts
from pipeline.engine.journal import Journal, reading
from pipeline.layout import Layout


def counting(monkeypatch) -> list:
    read = []
    real = file_facts.sha256_of
    monkeypatch.setattr(file_facts, "sha256_of", lambda path: read.append(path.name) or real(path))
    return read


def test_a_clip_is_hashed_once_per_version_across_runs(tmp_path, monkeypatch):
    read = counting(monkeypatch)
    layout = Layout(tmp_path)
    clip = tmp_path / "clips" / "a.mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"first take")
    journal = Journal.open(layout)
    assert journal.files.sha256(clip) == hashlib.sha256(b"first take").hexdigest()
    assert journal.files.sha256(clip) == hashlib.sha256(b"first take").hexdigest()
    journal.close()
    assert read == ["a.mp4"]
    journal = Journal.open(layout)  # the next run: from the table
    assert journal.files.sha256(clip) == hashlib.sha256(b"first take").hexdigest() and read == ["a.mp4"]
    clip.write_bytes(b"other take")  # same size, new bytes and mtime
    assert journal.files.sha256(clip) == hashlib.sha256(b"other take").hexdigest() and read == ["a.mp4"] * 2
    stat = clip.stat()
    os.utime(clip, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # touched: read again, to be sure
    assert journal.files.sha256(clip) == hashlib.sha256(b"other take").hexdigest() and len(read) == 3
    journal.close()
    assert journal.files.sha256(tmp_path / "gone.mp4") is None


def test_a_look_reads_the_facts_and_writes_nothing(tmp_path, monkeypatch):
    read = counting(monkeypatch)
    layout = Layout(tmp_path)
    (tmp_path / "a.mp4").write_bytes(b"a")
    (tmp_path / "b.mp4").write_bytes(b"b")
    journal = Journal.open(layout)
    journal.files.sha256(tmp_path / "a.mp4")
    journal.close()
    before = layout.journal.read_bytes()
    with reading(layout) as look:
        look.files.sha256(tmp_path / "a.mp4")
        look.files.sha256(tmp_path / "b.mp4")
    assert read == ["a.mp4", "b.mp4"] and layout.journal.read_bytes() == before
