"""Mistakes a user makes get a clear error and exit 1 (never the internal-error notice), and write nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ffmpeg
from pipeline.cli import main
from pipeline.storyboard import starter

STARTER = Path(starter.__file__).parent / "templates" / "starter.yaml"
LUMA_CLOSED = "http://127.0.0.1:9/dream-machine/v1"  # loopback, nothing listens: no request may reach it


def fails(argv: list[str], capsys) -> str:
    """Run the command; it must exit 1 with an error (no internal error); return its stderr."""
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    return err


@pytest.fixture
def board(tmp_path) -> Path:
    path = tmp_path / "film.yaml"
    shutil.copy(STARTER, path)
    return path


@pytest.mark.parametrize("command", ["run", "preview"])
@pytest.mark.parametrize("under", ["file", "below a file"])
def test_out_that_is_a_file_or_under_one_is_refused(command, under, board, tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("mine\n")
    out = blocker if under == "file" else blocker / "x"
    err = fails([command, str(board), "--out", str(out)], capsys)
    assert f"{blocker} is a file" in err and "--out" in err
    assert blocker.read_text() == "mine\n"


@pytest.mark.parametrize("name", ["", ".", "folder"])
def test_init_given_a_folder_or_nothing_asks_for_a_name(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    err = fails(["init", name], capsys)
    assert "give the storyboard's name, e.g. `pipeline init " in err
    assert not list(tmp_path.glob("*.yaml"))


def test_init_below_a_file_says_so(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert "afile is a file" in fails(["init", str(tmp_path / "afile" / "film")], capsys)


def test_init_quotes_the_next_command_for_a_name_with_spaces(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "my film"]) == 0
    assert "next: pipeline plan 'my film.yaml'" in capsys.readouterr().err


@pytest.mark.parametrize("unreadable", ["missing.yaml", "folder"])
def test_validate_goes_on_past_a_path_it_cannot_read(unreadable, board, tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    assert main(["validate", str(tmp_path / unreadable), str(board)]) == 1
    captured = capsys.readouterr()
    assert f"{unreadable}: cannot read the storyboard" in captured.err
    assert f"{board}: ok: 3 shots" in captured.out


@pytest.mark.parametrize("option", [["--concurrency", "0"], ["--concurrency", "-3"]])
def test_run_refuses_a_concurrency_below_one(option, board, tmp_path, capsys):
    err = fails(["run", str(board), "--out", str(tmp_path / "out"), *option], capsys)
    assert f"--concurrency {option[1]}: give at least 1" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", [["--creates-per-minute", "0"], ["--creates-per-minute", "nan"],
                                    ["--max-cost", "-1"], ["--max-cost", "nan"]])
def test_luma_limits_that_mean_nothing_are_refused_before_any_request(option, board, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("LUMAAI_API_KEY", "test-key-not-secret")
    monkeypatch.setenv("LUMAAI_BASE_URL", LUMA_CLOSED)
    err = fails(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out"), *option], capsys)
    assert f"{option[0]} {option[1]}: give" in err
    assert "could not reach Luma" not in err


@pytest.mark.parametrize("url", ["not-a-url", "ftp://127.0.0.1:9/x", "http://"])
def test_a_base_url_that_is_no_http_url_is_named(url, board, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUMAAI_API_KEY", "test-key-not-secret")
    monkeypatch.setenv("LUMAAI_BASE_URL", url)
    err = fails(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out")], capsys)
    assert f"LUMAAI_BASE_URL `{url}` is not an http(s) URL" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["fake-luma", "--port", "99999"], ["fake-luma", "--port", "-1"],
                                  ["preview", str(STARTER), "--serve", "--port", "70000"]])
def test_a_port_out_of_range_is_refused(argv, tmp_path, capsys):
    argv = [*argv, "--out", str(tmp_path / "out")] if argv[0] == "preview" else argv
    assert "give a --port from 1 to 65535" in fails(argv, capsys)


def test_fake_luma_cdn_must_be_a_folder(tmp_path, capsys):
    assert f"--cdn {tmp_path / 'none'}: no such folder" in fails(["fake-luma", "--cdn", str(tmp_path / "none")],
                                                                   capsys)


def _cut_short(source: Path, dest: Path) -> Path:
    """A copy of `source` with its index first and the second half of its data missing."""
    whole = dest.with_name("whole" + source.suffix)
    ffmpeg.run(["-i", str(source), "-c", "copy", "-movflags", "+faststart", str(whole)], what="faststart")
    data = whole.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


def test_footage_and_music_cut_short_are_caught_by_validation(media, tmp_path, capsys):
    shutil.copy(media["image"], tmp_path / "still.png")
    clip = _cut_short(media["video"], tmp_path / "clip.mp4")
    bed = tmp_path / "bed.m4a"
    ffmpeg.run(["-i", str(media["audio"]), "-c:a", "aac", str(tmp_path / "full.m4a")], what="aac")
    _cut_short(tmp_path / "full.m4a", bed)
    board = tmp_path / "film.yaml"
    board.write_text("audio:\n  path: bed.m4a\nshots:\n  - prompt: a quiet harbour at dawn\n    start: still.png\n"
                     "  - clip: clip.mp4\n")
    err = fails(["validate", str(board)], capsys)
    assert f"{board}:6:11: shots[1].clip: `clip.mp4` is cut short: it holds" in err
    assert f"{board}:2:9: audio.path: `bed.m4a` is cut short" in err
    assert clip.exists()


def test_whole_footage_still_validates(media, tmp_path, capsys):
    shutil.copy(media["video"], tmp_path / "clip.mp4")
    board = tmp_path / "film.yaml"
    board.write_text("shots:\n  - clip: clip.mp4\n")
    assert main(["validate", str(board)]) == 0


def test_fake_luma_prints_its_address_and_stops_cleanly_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "fake-luma", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if "fake Luma API on" in line:  # said once it listens (uvicorn's own lines are quiet)
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=20)[1]
    finally:
        proc.kill()
    assert any("fake Luma API on http://127.0.0.1:" in line for line in seen), seen
    assert proc.returncode == 0 and "Traceback" not in rest


def test_a_journal_that_cannot_be_opened_is_a_clear_error(tmp_path):
    from pipeline.engine.journal import Journal
    from pipeline.errors import PipelineError
    from pipeline.layout import Layout

    (tmp_path / "journal.sqlite").mkdir()  # a folder where the database file should be
    with pytest.raises(PipelineError, match="cannot open the run journal .* choose another with --out"):
        Journal.open(Layout(tmp_path))
