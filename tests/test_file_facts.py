"""The journal remembers each clip's sha256 by (path, size, mtime_ns): a clip found as it was is not read
again, in this process or the next; a clip that changed is."""

from __future__ import annotations

import hashlib
import os

from pipeline import file_facts
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


def test_one_clip_played_by_many_shots_is_hashed_once_and_again_when_it_changes(tmp_path, monkeypatch, media):
    import shutil

    from pipeline.storyboard.load import load

    read = counting(monkeypatch)
    shutil.copy(media["video"], tmp_path / "title.mp4")
    board = tmp_path / "board.yaml"
    board.write_text("shots:\n" + "".join(f"  - id: s{i}\n    clip: title.mp4\n" for i in range(200)))
    keys = {p.key for p in load(board).plan().shots}
    assert read == ["title.mp4"]
    load(board)
    assert read == ["title.mp4"]  # the same version of the file: known
    with (tmp_path / "title.mp4").open("ab") as f:
        f.write(b"\0")
    changed = {p.key for p in load(board).plan().shots}
    assert read == ["title.mp4"] * 2 and not changed & keys


def test_a_run_keeps_what_its_footage_is_and_the_next_commands_read_none_of_it_again(tmp_path, monkeypatch, media):
    import shutil
    import sqlite3

    from pipeline import ffmpeg
    from pipeline.cli import main

    examined, read = [], counting(monkeypatch)
    real = ffmpeg.examined
    monkeypatch.setattr(ffmpeg, "examined", lambda path: examined.append(path.name) or real(path))
    monkeypatch.chdir(tmp_path)
    shutil.copy(media["video"], tmp_path / "title.mp4")
    shutil.copy(media["video"], tmp_path / "copy.mp4")  # the same content under another name
    board = tmp_path / "board.yaml"
    board.write_text("resolution: 540p\nshots:\n  - id: a\n    clip: title.mp4\n  - id: b\n    clip: title.mp4\n"
                     "  - id: c\n    clip: copy.mp4\n")
    assert main(["run", str(board)]) == 0
    assert examined == ["title.mp4"] and sorted(read) == ["copy.mp4", "title.mp4"]  # the copy: by its digest
    journal = tmp_path / "output" / "board" / "journal.sqlite"
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT count(*) FROM contents WHERE what = 'media/1'").fetchone()[0] == 1
        assert {row[0] for row in db.execute("SELECT path FROM files")} >= {str(tmp_path / "title.mp4"),
                                                                           str(tmp_path / "copy.mp4")}
    examined.clear(), read.clear()
    before = journal.read_bytes()
    for command in (["validate", str(board)], ["plan", str(board), "--json"], ["status", str(board)]):
        assert main(command) == 0
    assert examined == [] and read == []  # every fact from the journal
    with (tmp_path / "title.mp4").open("ab") as f:
        f.write(b"\0")  # a new version: read again, and a look writes nothing
    assert main(["validate", str(board)]) == 0
    assert examined == ["title.mp4"] and read == ["title.mp4"] and journal.read_bytes() == before


def test_media_facts_read_back_from_the_journal_are_the_probes(media):
    import json

    from pipeline import ffmpeg
    from pipeline.file_facts import Media

    for kind in ("video", "audio", "image"):
        info, packets = ffmpeg.examined(media[kind])
        assert info == ffmpeg.probe(media[kind])
        assert Media.from_plain(json.loads(json.dumps(Media(info, packets).to_plain()))) == Media(info, packets)
        if kind != "image":
            assert packets[kind] == ffmpeg.packets_missing(media[kind], kind)


def test_assembly_demuxes_only_the_clips_the_journal_does_not_know_as_they_are(tmp_path, monkeypatch, media):
    import shutil

    from pipeline.assembly import gate
    from pipeline.cli import main

    demuxed = []
    real = gate.inspect
    monkeypatch.setattr(gate, "inspect", lambda path, shared=None: demuxed.append(path.name) or real(path, shared))
    monkeypatch.chdir(tmp_path)
    clips = {"a.mp4", "b.mp4", "c.mp4"}  # (the pieces assembly re-encodes them into are checked as they are made)
    for name in "abc":
        shutil.copy(media["video"], tmp_path / f"{name}.mp4")
        with (tmp_path / f"{name}.mp4").open("ab") as f:
            f.write(name.encode())  # each its own content
    board = tmp_path / "board.yaml"
    board.write_text("shots:\n" + "".join(f"  - id: s{i}\n    clip: {n}.mp4\n" for i, n in enumerate("abca")))
    assert main(["run", str(board), "--quiet"]) == 0
    assert sorted(n for n in demuxed if n in clips) == ["a.mp4", "b.mp4", "c.mp4"]  # a, played twice, once
    cut = tmp_path / "output" / "board" / "final.mp4"
    first = cut.stat().st_ino, cut.stat().st_mtime_ns
    demuxed.clear()
    with (tmp_path / "b.mp4").open("ab") as f:
        f.write(b"\0")  # a new version of b: the cut is made again, from the journal's facts of a and c
    assert main(["run", str(board), "--quiet"]) == 0
    assert [n for n in demuxed if n in clips] == ["b.mp4"]
    assert (cut.stat().st_ino, cut.stat().st_mtime_ns) != first  # made again
    demuxed.clear()
    assert main(["assemble", str(board)]) == 0  # asked for by name: made again, no clip demuxed
    assert [n for n in demuxed if n in clips] == []


def test_facts_kept_in_a_form_this_code_cannot_read_are_learnt_again(tmp_path, monkeypatch, media):
    import shutil
    import sqlite3

    from pipeline import ffmpeg
    from pipeline.cli import main

    monkeypatch.chdir(tmp_path)
    shutil.copy(media["video"], tmp_path / "title.mp4")
    board = tmp_path / "board.yaml"
    board.write_text("resolution: 540p\nshots:\n  - id: a\n    clip: title.mp4\n")
    assert main(["run", str(board), "--quiet"]) == 0
    journal = tmp_path / "output" / "board" / "journal.sqlite"
    with sqlite3.connect(journal) as db:  # as another version might have kept them
        db.execute("UPDATE contents SET facts = CASE what WHEN 'media/1' THEN '{\"info\": 3}' ELSE 'not json' END")
    examined = []
    real = ffmpeg.examined
    monkeypatch.setattr(ffmpeg, "examined", lambda path: examined.append(path.name) or real(path))
    assert main(["validate", str(board)]) == 0
    assert main(["assemble", str(board)]) == 0  # the gate's facts too
    assert examined == ["title.mp4", "title.mp4"]  # the look keeps nothing; the assembly's load learns it again
