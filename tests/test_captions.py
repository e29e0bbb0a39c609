"""Captions in the film, read back with PyAV and ffmpeg: the cut's mov_text stream, final.srt beside it,
sanitised caption text, and --burn-captions through the CLI."""

from __future__ import annotations

import json
import re
import shutil

import av
import numpy as np
import pytest
import yaml

from pipeline import ffmpeg
from pipeline.assembly import assemble as assembly
from pipeline.assembly import captions, verify
from pipeline.cli import main
from pipeline.errors import MediaError

from .test_assemble import clip, frames_of, project_of, shot, small_cut  # noqa: F401 (fixture)
from .test_export import film

CUE = re.compile(r"(\d+)\n(\S+) --> (\S+)\n((?:.+\n)+)")


def cues_of(srt: str) -> list[tuple[str, str, str]]:
    return [(a, b, text.rstrip("\n")) for _, a, b, text in CUE.findall(srt.replace("\r\n", "\n"))]


def stream_cues(cut, tmp_path) -> list[tuple[str, str, str]]:
    """The cut's subtitle stream as ffmpeg decodes it, written back out as SRT."""
    out = tmp_path / "decoded.srt"
    ffmpeg.run(["-i", str(cut), "-map", "0:s:0", str(out)], what="decoding the subtitle stream")
    return cues_of(out.read_text(encoding="utf-8"))


def clock(frame: int) -> str:
    ms = round(frame * 1000 / 24)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def test_the_cut_has_one_mov_text_stream_with_the_cues_of_final_srt(tmp_path):
    plan, report = film(tmp_path)
    with av.open(str(report.cut)) as box:
        (text,) = box.streams.subtitles
        assert (text.codec_context.name, text.language) == ("mov_text", "eng")
        assert text.disposition & av.stream.Disposition.default
        assert len(box.chapters()) == 4 and len(box.streams.video) == len(box.streams.audio) == 1
    saved = json.loads((tmp_path / "out" / "assembly.json").read_text())
    starts = [s["start_frame"] for s in saved["shots"]]
    expected = [(clock(starts[0]), clock(starts[1]), "A = B; said #1"), (clock(starts[1]), clock(starts[2]), "First"),
                (clock(starts[2]), clock(starts[3]), "Second")]
    assert cues_of((tmp_path / "out" / "final.srt").read_text(encoding="utf-8")) == expected
    assert stream_cues(report.cut, tmp_path) == expected
    assert saved["captions"] == "final.srt" and not (tmp_path / "out" / "captions.srt").exists()


def test_a_caption_with_a_blank_line_and_an_arrow_is_one_clean_cue(tmp_path):
    files = [clip(tmp_path / f"{n}.mp4", src, frames=48) for n, src in enumerate(["testsrc2", "smptebars"])]
    caption = "  The end\n\n2\n00:00:01,000 --> 00:00:02,000\n\tis near  "
    project, plan = project_of(tmp_path, [shot("a", new=True, caption=caption), shot("b", new=True)])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "out" / "final.mp4")
    clean = "The end\n2\n00:00:01,000 → 00:00:02,000\nis near"
    assert cues_of(report.captions.read_text(encoding="utf-8")) == [("00:00:00,000", "00:00:05,000", clean)]
    assert stream_cues(report.cut, tmp_path) == [("00:00:00,000", "00:00:05,000", clean)]
    with av.open(str(report.cut)) as box:
        assert [c["metadata"]["title"] for c in box.chapters()] == [" ".join(clean.split("\n")), "b"]


def test_caption_text_loses_controls_and_shows_a_lone_surrogate():
    assert captions.clean("a\x07b\x1b[31m\r\nc\u2028d\x00") == "ab[31m\nc\nd"
    assert captions.clean("bad \ud800 text") == "bad \ufffd text"
    assert captions.clean(" \n\t\n ") == ""
    found = captions.cues([(0, " \n "), (24, "x-->y"), (48, None)], 72)
    assert found == [captions.Cue(24, 48, "x→y")]  # a caption that is only blank makes no cue
    assert captions.srt(found) == "1\n00:00:01,000 --> 00:00:02,000\nx→y\n\n"
    captions.srt(captions.cues([(0, "\udfff")], 24)).encode("utf-8")  # encodable: no UnicodeEncodeError


def test_a_cut_without_captions_has_no_subtitle_stream_and_no_srt(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for stale in ("final.srt", "captions.srt"):  # from an earlier cut, and from versions before final.srt
        (out / stale).write_text("1\n00:00:00,000 --> 00:00:01,000\nstale\n")
    files = [clip(tmp_path / f"{n}.mp4", src, frames=48) for n, src in enumerate(["testsrc2", "smptebars"])]
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True)])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), out / "final.mp4")
    with av.open(str(report.cut)) as box:
        assert not box.streams.subtitles and len(box.chapters()) == 2
    assert report.captions is None and not (out / "final.srt").exists() and not (out / "captions.srt").exists()


def test_verification_refuses_a_cut_whose_captions_are_missing_or_misplaced(tmp_path):
    plan, report = film(tmp_path)
    starts = [(s.start_frame, s.id) for s in report.shots]
    verify.verify(report.cut, report.runtime_frames, None, starts, sound=True, cues=report.cues)
    moved = [captions.Cue(c.start + 1, c.end, c.text) for c in report.cues]
    with pytest.raises(MediaError, match="subtitle stream shows cues at frames"):
        verify.verify(report.cut, report.runtime_frames, None, starts, sound=True, cues=moved)
    with pytest.raises(MediaError, match="subtitle stream but no shot has a caption"):
        verify.verify(report.cut, report.runtime_frames, None, starts, sound=True)
    plain = clip(tmp_path / "plain.mp4", frames=24)
    with pytest.raises(MediaError, match="not one mov_text subtitle stream tagged eng"):
        verify.verify(plain, 24, None, [(0, "a")], sound=False, cues=[captions.Cue(0, 24, "x")])


def test_burn_captions_draws_them_in_the_captioned_span_only_and_keeps_frames_and_sound(tmp_path):
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=12", str(tmp_path / "m.wav")],
               what="music")
    board = tmp_path / "board.yaml"
    board.write_text(yaml.safe_dump({"resolution": "540p", "audio": {"path": "m.wav"}, "shots": [
        {"id": "first", "prompt": "a quiet grey morning", "caption": "WWWW MMMM"},
        {"id": "second", "start": "none", "prompt": "a quiet grey evening"}]}))
    out = tmp_path / "out"
    assert main(["run", str(board), "--out", str(out), "--no-burn-in"]) == 0
    shutil.copy(out / "final.mp4", tmp_path / "plain.mp4")
    assert main(["assemble", str(board), "--out", str(out), "--no-burn-in", "--burn-captions"]) == 0
    plain, burnt = frames_of(tmp_path / "plain.mp4"), frames_of(out / "final.mp4")
    assert len(burnt) == len(plain) == 240
    bottom = slice(int(burnt[0].shape[0] * 0.75), None)

    def diff(n: int) -> float:
        return float(np.abs(plain[n][bottom].astype(int) - burnt[n][bottom].astype(int)).mean())

    for inside, outside in ((60, 180), (119, 120)):  # mid-cue, and either side of where the cue ends
        assert diff(inside) > 4 * max(diff(outside), 0.5), f"the caption shows at frame {inside}"
        assert diff(outside) < 2, f"at frame {outside}, outside the cue, the picture is the plain cut's"
    with av.open(str(out / "final.mp4")) as box:
        assert not box.streams.subtitles and len(box.chapters()) == 2
        audio = box.streams.audio[0]
        assert abs(float(audio.duration * audio.time_base) - 10) < 0.05
    saved = json.loads((out / "assembly.json").read_text())
    assert saved["burnt_captions"] is True and saved["reencoded_frames"] == 240
    assert cues_of((out / "final.srt").read_text()) == [("00:00:00,000", "00:00:05,000", "WWWW MMMM")]


def test_an_unchanged_run_with_burnt_captions_keeps_the_burnt_cut(tmp_path, capsys):
    board = tmp_path / "board.yaml"
    board.write_text(yaml.safe_dump({"resolution": "540p", "shots": [
        {"id": "only", "prompt": "a quiet grey morning", "caption": "Good morning"}]}))
    out, cut = tmp_path / "out", tmp_path / "out" / "final.mp4"

    def run(*flags: str) -> str:
        assert main(["run", str(board), "--out", str(out), "--no-burn-in", "--quiet", *flags]) == 0
        return capsys.readouterr().err

    def subtitles() -> int:
        with av.open(str(cut)) as box:
            return len(box.streams.subtitles)

    assert "the captions burnt in" in run("--burn-captions") and subtitles() == 0
    stat = cut.stat()
    err = run("--burn-captions")
    assert "already made from these clips and settings" in err and "assembled" not in err
    assert (cut.stat().st_mtime_ns, cut.stat().st_ino) == (stat.st_mtime_ns, stat.st_ino)
    err = run()  # the burnt cut is not the one asked for: the plain cut, with its subtitle stream
    assert "assembled" in err and "burnt" not in err and subtitles() == 1
    assert "the captions burnt in" in run("--burn-captions") and subtitles() == 0
    assert main(["assemble", str(board), "--out", str(out), "--no-burn-in", "--burn-captions"]) == 0
    assert "the captions burnt in" in capsys.readouterr().err and subtitles() == 0  # asked for by name: made again
    assert "already made" in run("--burn-captions") and json.loads((out / "assembly.json").read_text())[
        "burnt_captions"] is True
