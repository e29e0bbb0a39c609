"""plan, validate and status read the output folder's journal: what a run would generate now, why, and what it
would cost; a look never creates or changes anything in the folder. Real animatic runs, the fake Luma for money."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess

import pytest
from PIL import Image

from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running

from .runs import cli, luma_env, run_args, write_board

SIX = """resolution: 540p
shots:
  - id: boat
    prompt: a fishing boat leaves the harbour at dawn
    start: pad.png
  - id: sea
    prompt: the boat crosses a grey sea
    camera: pan_left
  - id: storm
    prompt: waves rise over the bow
  - id: kitchen
    start: none
    prompt: a kettle boils on an iron stove
  - id: window
    prompt: steam curls past the window
  - id: letter
    prompt: a letter lies open on the table
"""


def picture(path, colour):
    Image.new("RGB", (320, 180), colour).save(path)


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # validate reads the default folder, output/board
    picture(tmp_path / "pad.png", (40, 90, 160))
    return write_board(tmp_path, SIX)


def cmd(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def animatic_run(capsys, board, out):
    code, _, err = cmd(capsys, "run", str(board), "--out", str(out), "--quiet")
    assert code == 0, err
    return err


def plan_json(capsys, board, out, *extra: str) -> dict:
    code, text, err = cmd(capsys, "plan", str(board), "--out", str(out), "--json", *extra)
    assert code == 0, err
    return json.loads(text)


def whys(plan: dict) -> dict[str, tuple[str, str]]:
    return {s["id"]: (s["action"], s["why"]) for s in plan["shots"]}


def edit(board, old: str, new: str) -> None:
    text = board.read_text()
    assert old in text
    board.write_text(text.replace(old, new))


def snapshot(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_and_validate_count_what_the_journal_has(board, tmp_path, capsys):
    out = tmp_path / "output" / "board"  # the default folder
    before = plan_json(capsys, board, out)
    assert {s["action"] for s in before["shots"]} == {"generate"} and before["totals"]["to_generate"] == 6
    assert "6 shots, 6 to generate with animatic" in cmd(capsys, "validate", str(board))[1]
    assert not (tmp_path / "output").exists()  # a look at a folder nothing has run into creates nothing
    animatic_run(capsys, board, out)
    edit(board, "a kettle boils on an iron stove", "a kettle sings on an iron stove")
    code, text, _ = cmd(capsys, "validate", str(board))
    assert code == 0 and "6 shots: 3 to generate, 3 cached with animatic" in text
    code, text, _ = cmd(capsys, "plan", str(board))
    assert code == 0 and "6 shots: 3 to generate, 3 cached" in " ".join(text.split())
    assert whys(plan_json(capsys, board, out)) == {
        "boat": ("cached", "clip on disk, unchanged"), "sea": ("cached", "clip on disk, unchanged"),
        "storm": ("cached", "clip on disk, unchanged"), "kitchen": ("generate", "prompt changed"),
        "window": ("generate", "extends kitchen, which changed"),
        "letter": ("generate", "extends window, which changed")}


def test_status_and_plan_name_what_changed(board, tmp_path, capsys):
    out = tmp_path / "out"
    animatic_run(capsys, board, out)
    edit(board, "camera: pan_left", "camera: pan_right")
    edit(board, "  - id: letter\n", "  - id: letter\n    duration: 9s\n")
    picture(tmp_path / "pad.png", (200, 60, 30))
    edit(board, "  - id: kitchen\n", "  - id: gull\n    prompt: a gull rides the wind\n  - id: kitchen\n")
    said = whys(plan_json(capsys, board, out))
    assert said["boat"] == ("generate", "keyframe image changed")
    assert said["sea"] == ("generate", "camera changed, extends boat, which changed")
    assert said["storm"] == ("generate", "extends sea, which changed")
    assert said["gull"] == ("generate", "new")
    assert said["kitchen"][0] == "cached" and said["letter"] == ("generate", "duration changed")
    code, text, _ = cmd(capsys, "status", str(board), "--out", str(out), "--json")
    assert code == 0 and {s["id"]: (s["action"], s["why"]) for s in json.loads(text)["shots"]} == said
    next(out.glob("clips/kitchen-*.mp4")).unlink()
    assert whys(plan_json(capsys, board, out))["kitchen"][0] == "fetch again"


def test_the_run_says_why_it_generates(board, tmp_path, capsys):
    out = tmp_path / "out"
    animatic_run(capsys, board, out)
    edit(board, "waves rise over the bow", "waves break over the bow")
    code, _, err = cmd(capsys, "run", str(board), "--out", str(out))  # off a terminal: one line per event
    assert code == 0, err
    assert "storm: waiting to generate: prompt changed" in err
    assert "boat: waiting" not in err and "kitchen: cached" in err


def test_a_journal_from_before_requests_were_kept_says_settings_changed(board, tmp_path, capsys):
    out = tmp_path / "out"
    animatic_run(capsys, board, out)
    with sqlite3.connect(out / "journal.sqlite") as db:
        db.execute("DROP TABLE requests")
    db.close()
    edit(board, "steam curls past the window", "steam fogs the window")
    said = whys(plan_json(capsys, board, out))
    assert said["window"] == ("generate", "settings changed") and said["kitchen"][0] == "cached"
    (out / "journal.sqlite").unlink()  # the clips' records stand in for a lost journal
    said = whys(plan_json(capsys, board, out))
    assert said["window"] == ("generate", "settings changed") and said["kitchen"][0] == "cached"


def test_plan_validate_and_status_change_nothing_in_the_folder(board, tmp_path, capsys):
    out = tmp_path / "output" / "board"  # the default folder, which validate reads
    animatic_run(capsys, board, out)
    edit(board, "a letter lies open on the table", "a letter burns in the grate")
    before = snapshot(out)
    for args in (["plan", str(board), "--out", str(out)], ["plan", str(board), "--out", str(out), "--json"],
                 ["status", str(board), "--out", str(out)], ["validate", str(board)]):
        assert cmd(capsys, *args)[0] == 0
    assert snapshot(out) == before


def test_the_estimate_counts_only_what_is_to_generate(tmp_path):
    board, out = write_board(tmp_path), tmp_path / "out"  # two chains of two shots
    with running(FakeOptions(latency=0.3)) as fake:
        env = luma_env(fake)
        done = subprocess.run(cli(*run_args(board, out)), env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        edit(board, "the beam sweeps across the sea", "the beam sweeps across the fog")
        shown = subprocess.run(cli("plan", str(board), "--provider", "luma", "--out", str(out), "--json"),
                               env=env, capture_output=True, text=True)
        plan = json.loads(shown.stdout)
        cost = {s["id"]: s["estimated_cost_usd"] for s in plan["shots"]}
        assert plan["totals"]["to_generate"] == 1 and plan["totals"]["cached"] == 3
        assert plan["totals"]["estimated_cost_usd"] == pytest.approx(cost["b"]) and cost["b"] > 0
        checked = subprocess.run(cli("validate", str(board), "--provider", "luma"), env=env, capture_output=True,
                                 text=True, cwd=tmp_path)
        assert checked.returncode == 0 and "4 shots, 4 to generate" in checked.stdout  # output/board: no journal


def test_a_film_wide_setting_is_named_for_every_shot(board, tmp_path, capsys):
    out = tmp_path / "out"
    animatic_run(capsys, board, out)
    board.write_text("aspect_ratio: \"9:16\"\n" + board.read_text().replace("resolution: 540p", "resolution: 720p"))
    said = whys(plan_json(capsys, board, out))
    assert said["boat"] == said["kitchen"] == ("generate", "resolution changed, aspect ratio changed")
    assert said["sea"] == ("generate", "resolution changed, aspect ratio changed, extends boat, which changed")
    assert whys(plan_json(capsys, board, out, "--no-burn-in"))["boat"] == (
        "generate", "resolution changed, aspect ratio changed, burn-in changed")
