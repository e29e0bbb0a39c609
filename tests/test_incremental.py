"""Incremental runs: only what changed is generated again, counted as creates on the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from pipeline.cli import main
from pipeline.providers.prices import PER_SECOND_USD

from .runs import TWO_CHAINS, run_args, stats, write_board

CALLS = ("creates", "gets", "lists", "downloads")


def calls(fake) -> dict[str, int]:
    now = stats(fake)
    return {name: now.get(name, 0) for name in CALLS}


def delta(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in CALLS}


def run(board: Path, out: Path, capsys) -> str:
    assert main(run_args(board, out)) == 0
    return capsys.readouterr().err


def test_an_unchanged_storyboard_makes_no_provider_calls(tmp_path, fake, capsys):
    board, out = write_board(tmp_path), tmp_path / "out"
    run(board, out, capsys)
    first = calls(fake)
    assert first["creates"] == 4
    (out / "final.mp4").unlink()
    err = run(board, out, capsys)
    assert delta(first, calls(fake)) == dict.fromkeys(CALLS, 0)
    assert err.count(": cached") == 4 and (out / "final.mp4").exists()


def test_editing_a_shot_regenerates_it_and_what_extends_it(tmp_path, fake, capsys):
    board, out = write_board(tmp_path), tmp_path / "out"
    run(board, out, capsys)
    before = calls(fake)
    board.write_text(TWO_CHAINS.replace("inside, a kettle boils", "inside, a kettle sings"))
    err = run(board, out, capsys)
    assert delta(before, calls(fake))["creates"] == 2  # c and d, which extends c
    assert "a: cached" in err and "b: cached" in err


def test_a_missing_clip_is_fetched_again_from_its_generation(tmp_path, fake, capsys):
    board, out = write_board(tmp_path), tmp_path / "out"
    run(board, out, capsys)
    before = calls(fake)
    next((out / "clips").glob("b-*.mp4")).unlink()
    run(board, out, capsys)
    # no URL is kept in the journal (they expire, and may be signed): one GET asks the generation for it
    assert delta(before, calls(fake)) == {"creates": 0, "gets": 1, "lists": 0, "downloads": 1}


def test_a_missing_clip_whose_generation_is_gone_is_planned_as_a_create_and_gated(tmp_path, fake, capsys):
    board, out = write_board(tmp_path), tmp_path / "out"
    run(board, out, capsys)
    status = json.loads(_status(board, out, capsys))
    job = next(s["job_id"] for s in status["shots"] if s["id"] == "d")
    assert httpx.delete(f"{fake.api}/generations/{job}", headers={"Authorization": "Bearer k"}).status_code == 204
    next((out / "clips").glob("d-*.mp4")).unlink()
    after = json.loads(_status(board, out, capsys))
    d = next(s for s in after["shots"] if s["id"] == "d")
    assert d["action"] == "fetch again"  # status asks no provider: the run finds the generation gone
    before = calls(fake)
    err = run(board, out, capsys)
    assert delta(before, calls(fake))["creates"] == 1
    estimated = next(line for line in err.splitlines() if "estimated $" in line)
    assert f"estimated ${d_cost(after):.2f}" in estimated and d_cost(after) > 0


def test_status_says_what_a_run_would_do(tmp_path, fake, capsys):
    board, out = write_board(tmp_path), tmp_path / "out"
    before = json.loads(_status(board, out, capsys))
    assert [s["action"] for s in before["shots"]] == ["generate"] * 4
    cost = round(PER_SECOND_USD[("luma", "ray-2", "540p")] * 4 * 5, 2)  # four 5 s shots at 540p
    estimate = before["totals"]["estimated_cost_usd"]
    assert estimate == cost and not (out / "journal.sqlite").exists()
    run(board, out, capsys)
    next((out / "clips").glob("a-*.mp4")).unlink()
    after = json.loads(_status(board, out, capsys))
    assert [s["action"] for s in after["shots"]] == ["fetch again", "cached", "cached", "cached"]
    # spent against the fake server: a rehearsal, counted apart from money
    assert after["totals"] == {"spent_usd": 0.0, "rehearsal_usd": estimate, "to_generate": 0,
                               "estimated_cost_usd": 0.0, "runtime_s": 20.0, "cut_runtime_s": 20.0}
    assert "cut_runtime_s" not in before["totals"]  # no cut yet: only the plan's length


def d_cost(status: dict) -> float:
    """What shot d cost when it was generated (the estimate the ledger holds for it)."""
    return next(s for s in status["shots"] if s["id"] == "d")["cost_usd"]


def _plan(board: Path, capsys) -> str:
    assert main(["plan", str(board), "--provider", "luma", "--json"]) == 0
    return capsys.readouterr().out


def _status(board: Path, out: Path, capsys) -> str:
    assert main(["status", str(board), "--provider", "luma", "--out", str(out), "--json"]) == 0
    return capsys.readouterr().out
