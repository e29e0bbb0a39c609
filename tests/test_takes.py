"""Takes: each its own generation, ledger row and clip; a pick plays another take with no create; the shots
extending a re-picked parent are generated again only through the money gate; more takes later make only the
new ones. Against the fake Luma server on loopback, through the real client."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import opentimelineio as otio
import pytest
import stamina

from pipeline.cli import main

from .runs import stats

BOARD = """resolution: 540p
shots:
  - id: harbour
    prompt: a harbour at dawn, gulls over the masts
    takes: {takes}
  - id: lamp
    start: none
    prompt: a lamp is lit in a fisherman's window
    takes: 3
  - id: street
    prompt: the street outside fills with morning light
"""


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def write(folder: Path, takes: int = 3) -> Path:
    path = folder / "board.yaml"
    path.write_text(BOARD.format(takes=takes))
    return path


def ledger(out: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(out / "journal.sqlite") as db:
        return db.execute("SELECT shot_id, take FROM creates ORDER BY id").fetchall()


def takes_json(capsys, board: Path, out: Path) -> dict:
    capsys.readouterr()
    assert main(["takes", str(board), "--provider", "luma", "--out", str(out), "--json"]) == 0
    return {s["id"]: s for s in json.loads(capsys.readouterr().out)["shots"]}


def luma(command: str, board: Path, out: Path, *extra: str) -> int:
    return main([command, str(board), "--provider", "luma", "--out", str(out), *extra])


def test_three_takes_on_two_shots_are_six_creates_each_its_own(tmp_path, fake, capsys):
    board, out = write(tmp_path), tmp_path / "out"
    assert luma("run", board, out, "--yes") == 0
    assert stats(fake)["creates"] == 7  # 3 + 3 takes, and one for the shot with one take
    assert sorted(ledger(out)) == sorted([("harbour", 1), ("harbour", 2), ("harbour", 3), ("lamp", 1),
                                          ("lamp", 2), ("lamp", 3), ("street", 1)])
    shown = takes_json(capsys, board, out)
    harbour = shown["harbour"]["takes"]
    assert [t["take"] for t in harbour] == [1, 2, 3] and [t["picked"] for t in harbour] == [True, False, False]
    assert len({t["job_id"] for t in harbour}) == 3 and all(t["state"] == "fetched" for t in harbour)
    assert all(t["cost_usd"] > 0 for t in harbour) and len({t["file"] for t in harbour}) == 3
    assert all((out / t["file"]).is_file() for t in harbour)


def test_a_pick_reassembles_with_that_take_and_creates_nothing(tmp_path, fake, capsys):
    board, out = write(tmp_path), tmp_path / "out"
    assert luma("run", board, out, "--yes") == 0
    take2 = takes_json(capsys, board, out)["harbour"]["takes"][1]
    assert luma("pick", board, out, "harbour", "2") == 0
    assert luma("assemble", board, out) == 0
    assert stats(fake)["creates"] == 7
    assert takes_json(capsys, board, out)["harbour"]["picked"] == 2
    timeline = otio.adapters.read_from_file(str(out / "timeline.otio"))
    clip = next(c for c in timeline.find_clips() if c.name == "harbour")
    assert clip.media_reference.target_url == (out / take2["file"]).resolve().as_uri()
    meta = clip.metadata["pipeline"]
    assert meta["take"] == 2 and meta["generation_id"] == take2["job_id"]
    assert sorted(t["take"] for t in meta["other_takes"]) == [1, 3] and all(t["clip"] for t in meta["other_takes"])
    report = json.loads((out / "assembly.json").read_text())
    assert next(s for s in report["shots"] if s["id"] == "harbour")["take"] == 2
    assert luma("pick", board, out, "harbour", "4") == 1  # only three takes
    assert "from 1 to 3" in capsys.readouterr().err


def test_a_parent_picked_again_regenerates_its_descendant_only_through_the_gate(tmp_path, fake, capsys, monkeypatch):
    board, out = write(tmp_path), tmp_path / "out"
    assert luma("run", board, out, "--yes") == 0
    assert luma("pick", board, out, "lamp", "3") == 0
    capsys.readouterr()
    assert luma("status", board, out, "--json") == 0
    said = json.loads(capsys.readouterr().out)
    status, estimate = {s["id"]: s for s in said["shots"]}, said["totals"]["estimated_cost_usd"]
    assert said["totals"]["to_generate"] == 1 and estimate > 0
    assert status["street"]["action"] == "generate" and "lamp, whose take 3 is now picked" in status["street"]["why"]
    assert status["harbour"]["action"] == status["lamp"]["action"] == "cached"
    assert luma("assemble", board, out) == 1  # the cut cannot be made without the descendant
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert luma("run", board, out) == 1  # not on a terminal and no --yes: refused, nothing created
    said = capsys.readouterr().err
    assert f"estimated ${estimate:.2f}" in said and stats(fake)["creates"] == 7
    assert luma("run", board, out, "--yes") == 0
    assert stats(fake)["creates"] == 8 and ledger(out)[-1] == ("street", 1)
    parent = takes_json(capsys, board, out)["lamp"]["takes"][2]["job_id"]
    with sqlite3.connect(out / "journal.sqlite") as db:
        extended = db.execute("SELECT parent_job FROM shots WHERE shot_id = 'street' ORDER BY updated_at DESC"
                              " LIMIT 1").fetchone()[0]
    assert extended == parent


def test_a_lost_journal_keeps_the_picks_and_pays_for_nothing_again(tmp_path, fake, capsys, monkeypatch):
    board, out = write(tmp_path), tmp_path / "out"
    assert luma("run", board, out, "--yes") == 0
    assert luma("pick", board, out, "lamp", "3") == 0
    assert luma("approve", board, out, "harbour") == 0
    assert luma("run", board, out, "--yes") == 0  # street extends lamp's take 3 now: one create
    assert stats(fake)["creates"] == 8
    kept = json.loads((out / "decisions.json").read_text())
    assert kept["picks"] == {"lamp": 3} and kept["reviews"]["harbour"]["verdict"] == "approved"
    for name in ("journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"):
        (out / name).unlink(missing_ok=True)
    capsys.readouterr()
    assert luma("status", board, out, "--json") == 0  # a look: the picks from the file, nothing to generate
    said = json.loads(capsys.readouterr().out)
    assert said["totals"]["to_generate"] == 0
    listed = takes_json(capsys, board, out)  # a look too
    assert listed["lamp"]["picked"] == 3 and listed["harbour"]["verdict"] == "approved"
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert luma("run", board, out) == 0  # no --yes: had it planned a create, it would be refused
    assert stats(fake)["creates"] == 8
    assert takes_json(capsys, board, out)["lamp"]["picked"] == 3  # back in the journal
    with sqlite3.connect(out / "journal.sqlite") as db:
        assert db.execute("SELECT verdict FROM reviews WHERE shot_id = 'harbour'").fetchone() == ("approved",)
    report = json.loads((out / "assembly.json").read_text())
    assert next(s for s in report["shots"] if s["id"] == "lamp")["take"] == 3


def test_more_takes_later_generate_only_the_new_ones(tmp_path, fake, capsys):
    board, out = write(tmp_path, takes=2), tmp_path / "out"
    assert luma("run", board, out, "--yes") == 0
    assert stats(fake)["creates"] == 6
    write(tmp_path, takes=4)
    assert luma("run", board, out, "--yes") == 0
    assert stats(fake)["creates"] == 8
    assert [t for s, t in ledger(out) if s == "harbour"] == [1, 2, 3, 4]


def test_takes_is_validated_with_the_field_named(tmp_path, capsys):
    path = tmp_path / "board.yaml"
    path.write_text("shots:\n  - id: a\n    prompt: a quiet harbour at dawn\n    takes: 0\n")
    assert main(["validate", str(path)]) == 1
    said = capsys.readouterr().err
    assert "board.yaml:4" in said and "takes" in said
