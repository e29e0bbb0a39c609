"""Never pay twice, in every way people really run it: real processes, the fake Luma server on loopback."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time

import httpx
import pytest

from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.testing import ManualClock

from .runs import TWO_CHAINS, cli, frames_digest, luma_env, run_args, stats, write_board

SHOTS = 4
FAST = {"latency": 0.3}


def journal_rows(out) -> list[dict]:
    with sqlite3.connect(f"file:{out / 'journal.sqlite'}?mode=ro", uri=True, timeout=5) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM shots")]


def lineages_hold(out, parents: dict[str, str]) -> bool:
    """Every shot's journaled generation extends the generation its parent holds now."""
    rows = {r["shot_id"]: r for r in journal_rows(out)}
    return all(rows[child]["parent_job"] == rows[parent]["job_id"] for child, parent in parents.items())


def run(board, out, fake, *extra: str, cwd=None, yes: bool = True) -> subprocess.CompletedProcess:
    args = run_args(board, out) if yes else [a for a in run_args(board, out) if a != "--yes"]
    return subprocess.run(cli(*args, *extra), env=luma_env(fake), capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def finished(tmp_path):
    """A two-chain board run to the end against a fresh fake: (board, out, fake, the cut's frames digest)."""
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(**FAST)) as fake:
        done = run(board, out, fake)
        assert done.returncode == 0, done.stderr
        assert stats(fake)["creates"] == SHOTS
        yield board, out, fake, frames_digest(out / "final.mp4")


@pytest.mark.parametrize("runs", [2, 3])
def test_runs_started_at_once_on_one_folder_pay_once_per_shot(runs, tmp_path):
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(latency=1.0)) as fake:
        started = [subprocess.Popen(cli(*run_args(board, out)), env=luma_env(fake), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(runs)]
        results = [(p.wait(timeout=240), p.stderr.read()) for p in started]
        for p in started:
            p.stdout.close()
            p.stderr.close()
        assert all(code == 0 for code, _ in results), results
        assert stats(fake)["creates"] == SHOTS
    assert any("waiting:" in err and "is in use by process" in err for _, err in results)
    assert lineages_hold(out, {"b": "a", "d": "c"})


def test_a_second_run_with_no_wait_says_who_holds_the_folder(tmp_path):
    board, out = write_board(tmp_path), tmp_path / "out"
    # The fake's clock stands still, so the first run holds the folder however slowly the second one starts.
    with running(FakeOptions(latency=3.0, clock=ManualClock())) as fake:
        first = subprocess.Popen(cli(*run_args(board, out)), env=luma_env(fake), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while stats(fake)["creates"] == 0:
                assert time.monotonic() < deadline and first.poll() is None
                time.sleep(0.05)
            second = run(board, out, fake, "--no-wait")
            status = subprocess.run(cli("status", str(board), "--provider", "luma", "--out", str(out)),
                                    env=luma_env(fake), capture_output=True, text=True, timeout=30)
            assert first.poll() is None  # still at work: the second run met a held folder
        finally:
            first.kill()
            first.wait()
    assert second.returncode == 1
    assert f"is in use by process {first.pid}" in second.stderr and "Traceback" not in second.stderr
    assert status.returncode == 0  # looking never takes the lock


def test_a_finished_folder_run_from_elsewhere_and_after_a_move_costs_nothing(finished, tmp_path):
    board, out, fake, cut = finished
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = stats(fake)
    again = run(board.resolve(), out.resolve(), fake, cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    moved = shutil.move(out, tmp_path / "moved")
    again = run(board, moved, fake)
    assert again.returncode == 0, again.stderr
    after = stats(fake)
    assert (after["creates"], after["downloads"]) == (before["creates"], before["downloads"])
    assert frames_digest(moved / "final.mp4") == cut


def test_a_copied_folder_uses_its_own_clips(finished, tmp_path):
    board, out, fake, _ = finished
    copy = shutil.copytree(out, tmp_path / "copy")
    shutil.rmtree(out)  # the original is gone: the copy must not have pointed at it
    again = run(board, copy, fake)
    assert again.returncode == 0, again.stderr
    assert stats(fake)["creates"] == SHOTS and stats(fake)["downloads"] == SHOTS


def test_lost_clips_whose_generations_are_gone_pass_the_gate(finished):
    board, out, fake, _ = finished
    rows = {r["shot_id"]: r for r in journal_rows(out)}
    for shot in ("a", "c"):  # a's clip and generation gone: a and b (which extends it) must be generated
        (out / rows[shot]["file"]).unlink()
        assert httpx.delete(f"{fake.api}/generations/{rows[shot]['job_id']}",
                            headers={"Authorization": "Bearer x"}).status_code == 204
    refused = run(board, out, fake, "--max-cost", "0", yes=False)
    assert refused.returncode == 1 and stats(fake)["creates"] == SHOTS
    assert "--max-cost" in refused.stderr and "$0.00" in refused.stderr and "Traceback" not in refused.stderr
    estimate = [line for line in refused.stderr.splitlines() if "estimated $" in line][0]
    assert float(estimate.split("estimated $")[1].split()[0]) > 0
    paid = run(board, out, fake)
    assert paid.returncode == 0, paid.stderr
    assert stats(fake)["creates"] == SHOTS + 4  # a, b (extends a), c, d (extends c)
    assert lineages_hold(out, {"b": "a", "d": "c"})


def test_a_lost_clip_still_online_is_fetched_again_without_a_create(finished):
    board, out, fake, cut = finished
    rows = {r["shot_id"]: r for r in journal_rows(out)}
    (out / rows["b"]["file"]).unlink()
    again = run(board, out, fake, "--max-cost", "0", yes=False)
    assert again.returncode == 0, again.stderr
    assert stats(fake)["creates"] == SHOTS
    assert frames_digest(out / "final.mp4") == cut


@pytest.mark.parametrize("damage", ["deleted", "emptied", "garbled", "garbled inside"])
def test_a_lost_or_damaged_journal_costs_nothing(damage, finished):
    board, out, fake, cut = finished
    path = out / "journal.sqlite"
    if damage == "deleted":
        path.unlink()
    elif damage == "emptied":
        path.write_bytes(b"")
    elif damage == "garbled":
        path.write_bytes(os.urandom(path.stat().st_size))
    else:
        data = bytearray(path.read_bytes())
        data[len(data) // 2:len(data) // 2 + 2048] = os.urandom(2048)
        path.write_bytes(bytes(data))
    again = run(board, out, fake, "--max-cost", "0", yes=False)
    assert again.returncode == 0, again.stderr
    assert stats(fake)["creates"] == SHOTS
    assert frames_digest(out / "final.mp4") == cut
    if damage.startswith("garbled"):
        assert "kept as" in again.stderr and list(out.glob("journal.sqlite.corrupt-*"))
    status = subprocess.run(cli("status", str(board), "--provider", "luma", "--out", str(out), "--json"),
                            env=luma_env(fake), capture_output=True, text=True)
    assert json.loads(status.stdout)["totals"]["rehearsal_usd"] > 0  # the spend survived the loss


def test_a_lost_journal_and_clips_are_recovered_from_the_providers_list(finished):
    board, out, fake, cut = finished
    (out / "journal.sqlite").unlink()
    shutil.rmtree(out / "clips")
    again = run(board, out, fake, "--max-cost", "0", yes=False)  # only adoptions: the gate must not be asked
    assert stats(fake)["creates"] == SHOTS
    assert again.returncode == 1 and "--max-cost" in again.stderr  # every shot could pay: the gate refuses
    again = run(board, out, fake)
    assert again.returncode == 0, again.stderr
    assert stats(fake)["creates"] == SHOTS  # every generation adopted by its request echo
    assert frames_digest(out / "final.mp4") == cut


SAME_WORDS = """resolution: 540p
shots:
  - id: one
    prompt: a red door in a white wall
  - id: two
    start: none
    prompt: a red door in a white wall
  - id: three
    start: none
    prompt: a red door in a white wall
"""


def test_three_shots_with_the_same_words_are_three_generations(tmp_path):
    board, out = write_board(tmp_path, SAME_WORDS), tmp_path / "out"
    with running(FakeOptions(**FAST)) as fake:
        done = run(board, out, fake)
        assert done.returncode == 0, done.stderr
        assert stats(fake)["creates"] == 3
        again = run(board, out, fake)
        assert again.returncode == 0 and stats(fake)["creates"] == 3
        status = subprocess.run(cli("status", str(board), "--provider", "luma", "--out", str(out), "--json"),
                                env=luma_env(fake), capture_output=True, text=True)
    rows = journal_rows(out)
    assert len({r["job_id"] for r in rows}) == 3 and len({r["file"] for r in rows}) == 3
    shots = json.loads(status.stdout)
    assert shots["totals"]["rehearsal_usd"] == pytest.approx(3 * shots["shots"][0]["cost_usd"])
    assert shots["shots"][0]["cost_usd"] > 0


def test_a_parent_generated_again_makes_its_descendants_stale(finished):
    board, out, fake, _ = finished
    edited = board.read_text().replace("a lighthouse at dusk", "a lighthouse at dawn")
    board.write_text(edited)
    plan = subprocess.run(cli("status", str(board), "--provider", "luma", "--out", str(out), "--json"),
                          env=luma_env(fake), capture_output=True, text=True)
    why = {s["id"]: (s["action"], s["why"]) for s in json.loads(plan.stdout)["shots"]}
    assert why["a"] == ("generate", "prompt changed") and why["c"][0] == why["d"][0] == "cached"
    assert why["b"] == ("generate", "extends a, which changed")
    again = run(board, out, fake)
    assert again.returncode == 0, again.stderr
    assert stats(fake)["creates"] == SHOTS + 2
    assert lineages_hold(out, {"b": "a", "d": "c"})


def test_an_unknown_state_stops_the_shot_and_forget_lets_the_gate_decide(finished):
    board, out, fake, _ = finished
    with sqlite3.connect(out / "journal.sqlite") as db:
        db.execute("UPDATE shots SET state = 'upscaling' WHERE shot_id = 'c'")
    stopped = run(board, out, fake)
    assert stopped.returncode == 1 and stats(fake)["creates"] == SHOTS
    assert "shot c" in stopped.stderr and "'upscaling'" in stopped.stderr and "pipeline forget" in stopped.stderr
    forgot = subprocess.run(cli("forget", str(board), "c", "--provider", "luma", "--out", str(out)),
                            env=luma_env(fake), capture_output=True, text=True)
    assert forgot.returncode == 0, forgot.stderr
    refused = run(board, out, fake, "--max-cost", "0", yes=False)
    assert refused.returncode == 1 and stats(fake)["creates"] == SHOTS
    again = run(board, out, fake)
    assert again.returncode == 0, again.stderr


def test_a_job_the_provider_no_longer_knows_names_the_shot_and_the_way_out(tmp_path):
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(latency=4.0)) as fake:  # long enough to kill the run while a and c dream
        first = subprocess.Popen(cli(*run_args(board, out)), env=luma_env(fake), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while stats(fake)["creates"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)  # the answers are journaled
        first.kill()
        first.wait()
        rows = {r["shot_id"]: r for r in journal_rows(out)}
        assert httpx.delete(f"{fake.api}/generations/{rows['a']['job_id']}",
                            headers={"Authorization": "Bearer x"}).status_code == 204
        stopped = run(board, out, fake)
        creates = stats(fake)["creates"]
    assert stopped.returncode == 1 and creates == 3  # a and c before the kill, d after: nothing for a or b
    assert "shot a" in stopped.stderr and "pipeline forget" in stopped.stderr
    assert "Traceback" not in stopped.stderr and "internal error" not in stopped.stderr


def test_a_paid_cut_is_kept_when_an_animatic_run_writes_final_mp4(finished):
    board, out, fake, cut = finished
    animatic = subprocess.run(cli("run", str(board), "--out", str(out)), capture_output=True, text=True)
    assert animatic.returncode == 0, animatic.stderr
    assert frames_digest(out / "final.luma.mp4") == cut
    assert "final.luma.mp4" in animatic.stderr and "final.mp4 is now the animatic cut" in animatic.stderr


def test_rehearsal_spend_is_labelled_apart_from_money(finished):
    board, out, fake, _ = finished
    again = run(board, out, fake)
    assert "spent $0.00 in all" in again.stderr and "rehearsals against a fake server (not money)" in again.stderr
    status = subprocess.run(cli("status", str(board), "--provider", "luma", "--out", str(out), "--json"),
                            env=luma_env(fake), capture_output=True, text=True)
    totals = json.loads(status.stdout)["totals"]
    assert totals["spent_usd"] == 0 and totals["rehearsal_usd"] > 0


def test_an_unchanged_rerun_makes_no_provider_calls(finished):
    board, out, fake, _ = finished
    before = stats(fake)
    again = run(board, out, fake)
    assert again.returncode == 0, again.stderr
    after = stats(fake)
    calls = ("creates", "gets", "lists", "downloads")
    assert {k: after[k] for k in calls} == {k: before[k] for k in calls}


def test_two_chains_board_is_the_one_these_tests_assume():
    assert TWO_CHAINS.count("- id:") == SHOTS


@pytest.mark.parametrize(("cents_per_s", "warned"), [(None, False), (20.0, True)])
def test_a_run_reports_what_the_balance_says_it_spent(cents_per_s, warned, tmp_path):
    board, out = write_board(tmp_path), tmp_path / "out"
    options = {**FAST, **({"prices_cents_per_s": cents_per_s} if cents_per_s else {})}
    with running(FakeOptions(**options)) as fake:
        done = run(board, out, fake)
        charged = stats(fake)["charged_cents"] / 100
    assert done.returncode == 0, done.stderr
    said = next(line for line in done.stderr.splitlines() if "the provider's balance says" in line)
    assert f"this run spent ${charged:.2f}" in said
    assert said.startswith("warning:") == warned  # 20 cents a second is far from the price table's figure
