"""An unchanged assembly finds the cut already made from the same inputs and keeps it; any change remakes it."""

from __future__ import annotations

import json
import os

import av
import pytest

from pipeline.assembly import assemble as assembly
from pipeline.assembly import burn, reuse, verify

from .test_assemble import chain, clip, project_of, shot, small_cut  # noqa: F401 (small_cut: a fixture)


@pytest.fixture
def made(tmp_path, monkeypatch):
    """Two shots assembled once into out/final.mp4; counts what each later assembly verifies."""
    files = [clip(tmp_path / "a.mp4"), clip(tmp_path / "b.mp4", "smptebars")]
    out = tmp_path / "out"
    out.mkdir()
    shots = [shot("a", new=True, caption="Day one"), shot("b", new=True)]
    project, plan = project_of(tmp_path, shots)
    first = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), out / "final.mp4")
    verified = []
    real = verify.verify
    monkeypatch.setattr(verify, "verify", lambda *a, **k: (verified.append(a[0]), real(*a, **k))[1])
    return tmp_path, files, shots, out, first, verified


def again(tmp_path, files, shots, out, burn_captions=False, **settings):
    project, plan = project_of(tmp_path, shots, **settings)
    burning = {"burn_captions": True} if burn_captions else {}  # as a caller that does not burn calls it
    return assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), out / "final.mp4", **burning)


def has_subtitles(cut) -> bool:
    with av.open(str(cut)) as box:
        return bool(box.streams.subtitles)


def test_an_unchanged_assembly_keeps_the_cut_and_verifies_nothing(made):
    tmp_path, files, shots, out, first, verified = made
    cut = out / "final.mp4"
    stat = cut.stat()
    report = again(tmp_path, files, shots, out)
    assert report.reused and not first.reused and verified == []
    assert cut.stat().st_mtime_ns == stat.st_mtime_ns and cut.stat().st_ino == stat.st_ino
    assert (report.runtime_frames, report.copied_frames, [s.id for s in report.shots]) == \
        (first.runtime_frames, first.copied_frames, ["a", "b"])
    assert [c.text for c in report.cues] == ["Day one"] and report.captions.is_file()


@pytest.mark.parametrize("change", ["clip", "setting", "caption", "cut touched", "cut gone", "timeline gone"])
def test_any_change_makes_the_cut_again(made, change):
    tmp_path, files, shots, out, first, verified = made
    settings = {}
    if change == "clip":
        clip(files[1], "rgbtestsrc")  # same name, new pictures
    elif change == "setting":
        settings = {"caption_language": "fra"}
    elif change == "caption":
        shots = [shot("a", new=True, caption="Day two"), shots[1]]
    elif change == "cut touched":
        os.utime(out / "final.mp4", ns=(1, 1))
    elif change == "cut gone":
        (out / "final.mp4").unlink()
    else:
        (out / "timeline.otio").unlink()
    report = again(tmp_path, files, shots, out, **settings)
    assert not report.reused and len(verified) == 1
    assert (out / "final.mp4").is_file() and (out / "timeline.otio").is_file()
    assert again(tmp_path, files, shots, out, **settings).reused  # and the new cut is kept the next time


def test_a_burnt_cut_is_kept_when_burnt_captions_are_asked_for_again_and_only_then(made):
    tmp_path, files, shots, out, first, verified = made
    cut = out / "final.mp4"
    burnt = again(tmp_path, files, shots, out, burn_captions=True)  # the plain cut kept, then burnt
    assert burnt.burnt_captions and not burnt.reused and len(verified) == 1 and not has_subtitles(cut)
    stat = cut.stat()
    assert reuse.earlier(cut)["burnt"] is True and reuse.earlier(cut)["cut"] == [stat.st_size, stat.st_mtime_ns]
    kept = again(tmp_path, files, shots, out, burn_captions=True)
    assert kept.reused and kept.burnt_captions and len(verified) == 1  # neither rebuilt nor burnt again
    assert cut.stat().st_mtime_ns == stat.st_mtime_ns and cut.stat().st_ino == stat.st_ino
    assert (kept.copied_frames, kept.reencoded_frames) == (0, first.runtime_frames)
    plain = again(tmp_path, files, shots, out)  # without them: the cut with a subtitle stream, made again
    assert not plain.reused and not plain.burnt_captions and len(verified) == 2 and has_subtitles(cut)
    assert again(tmp_path, files, shots, out).reused
    assert again(tmp_path, files, shots, out, burn_captions=True).burnt_captions and not has_subtitles(cut)


@pytest.mark.parametrize("change", ["caption", "cut touched"])
def test_a_change_makes_a_burnt_cut_again_and_burns_it(made, change):
    tmp_path, files, shots, out, first, verified = made
    again(tmp_path, files, shots, out, burn_captions=True)
    if change == "caption":
        shots = [shot("a", new=True, caption="Day two"), shots[1]]
    else:
        os.utime(out / "final.mp4", ns=(1, 1))
    verified.clear()
    report = again(tmp_path, files, shots, out, burn_captions=True)
    assert not report.reused and report.burnt_captions and len(verified) == 2  # the cut made, then burnt
    assert [c.text for c in report.cues] == ["Day two" if change == "caption" else "Day one"]


def test_a_burn_stopped_before_its_record_leaves_a_cut_that_is_made_again(made, monkeypatch):
    tmp_path, files, shots, out, first, verified = made

    def stopped(*args):
        raise KeyboardInterrupt  # the burnt cut is in place; its record is not written

    with monkeypatch.context() as m:
        m.setattr(burn, "write_atomic", stopped)
        with pytest.raises(KeyboardInterrupt):
            again(tmp_path, files, shots, out, burn_captions=True)
    assert not reuse.earlier(out / "final.mp4").get("burnt") and not has_subtitles(out / "final.mp4")
    plain = again(tmp_path, files, shots, out)  # the record names the replaced cut: not kept for a plain one
    assert not plain.reused and has_subtitles(out / "final.mp4")


def test_new_music_makes_the_cut_again(tmp_path, media):
    import shutil

    files = chain(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(media["audio"], tmp_path / "score.wav")
    shots = [shot("a"), shot("b")]
    project, plan = project_of(tmp_path, shots, audio={"path": "score.wav"})
    clips = dict(zip("ab", files, strict=True))
    assert not assembly.assemble(project, plan, clips, out / "final.mp4").reused
    assert assembly.assemble(project, plan, clips, out / "final.mp4").reused
    (tmp_path / "score.wav").write_bytes((tmp_path / "score.wav").read_bytes())  # same bytes, new mtime: hashed
    assert assembly.assemble(project, plan, clips, out / "final.mp4").reused
    with (tmp_path / "score.wav").open("r+b") as f:
        f.seek(-200, os.SEEK_END)
        f.write(bytes(200))  # other samples
    assert not assembly.assemble(project, plan, clips, out / "final.mp4").reused


def test_assembly_json_records_what_the_cut_was_made_from(made):
    tmp_path, files, shots, out, first, _ = made
    record = json.loads((out / "assembly.json").read_text())["inputs"]
    assert record == reuse.earlier(out / "final.mp4")
    stat = (out / "final.mp4").stat()
    assert record["cut"] == [stat.st_size, stat.st_mtime_ns]
    for path in files:
        size, mtime, digest = record["files"][str(path)]
        assert (size, len(digest)) == (path.stat().st_size, 64)


def test_an_unchanged_run_says_it_keeps_the_cut_and_assemble_makes_it_again(tmp_path, media, capsys):
    import shutil

    from pipeline.cli.app import main

    shutil.copy(media["video"], tmp_path / "title.mp4")
    board = tmp_path / "board.yaml"
    board.write_text("resolution: 540p\nshots:\n  - id: a\n    clip: title.mp4\n  - id: b\n    clip: title.mp4\n")
    out = tmp_path / "out"
    assert main(["run", str(board), "--out", str(out), "--quiet"]) == 0
    assert "assembled" in capsys.readouterr().err
    made = (out / "final.mp4").stat().st_mtime_ns
    assert main(["run", str(board), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "already made from these clips and settings" in err and "assembled" not in err
    assert (out / "final.mp4").stat().st_mtime_ns == made
    assert main(["assemble", str(board), "--out", str(out)]) == 0  # asked for by name: made again
    assert "assembled" in capsys.readouterr().err and (out / "final.mp4").stat().st_mtime_ns != made
