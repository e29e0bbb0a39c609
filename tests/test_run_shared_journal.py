"""`pipeline run --journal postgresql://...` from several machines (processes, each with its own output folder)
on one real PostgreSQL and one fake Luma account: every shot is created once, a killed machine's shots are taken
over when its lease runs out and resumed by their job ids, and every machine's cut equals a lone run's."""

from __future__ import annotations

import signal
import subprocess
import time

import psycopg
import pytest

from pipeline.fake_luma import FakeOptions, running

from .runs import cli, frames_digest, luma_env, run_args, stats, write_board

SHOTS = 4
FAST = {"latency": 0.6}
LEASE_S = "1.5"


@pytest.fixture(scope="module")
def lone_cut(tmp_path_factory):
    """The cut of one uninterrupted run with the folder's own SQLite journal."""
    folder = tmp_path_factory.mktemp("lone")
    board = write_board(folder)
    with running(FakeOptions(**FAST)) as fake:
        subprocess.run(cli(*run_args(board, folder / "out")), env=luma_env(fake), check=True, capture_output=True)
    return frames_digest(folder / "out" / "final.mp4")


def shared_env(fake, pg_url) -> dict[str, str]:
    return {**luma_env(fake), "PIPELINE_JOURNAL": pg_url, "PIPELINE_LEASE_S": LEASE_S}


def states(pg_url) -> list[str]:
    with psycopg.connect(pg_url) as db:
        try:
            return [row[0] for row in db.execute("SELECT state FROM shots")]
        except psycopg.errors.UndefinedTable:
            return []


def test_two_machines_at_once_create_each_shot_once_and_make_the_same_cut(tmp_path, pg_url, lone_cut):
    board = write_board(tmp_path)
    with running(FakeOptions(**FAST)) as fake:
        env = shared_env(fake, pg_url)
        machines = [subprocess.Popen(cli(*run_args(board, tmp_path / f"out{i}")), env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for i in range(2)]
        for m in machines:
            _, err = m.communicate(timeout=240)
            assert m.returncode == 0, err
        seen = stats(fake)
    assert seen["creates"] == SHOTS and seen["limit_violations"] == 0
    assert frames_digest(tmp_path / "out0" / "final.mp4") == frames_digest(tmp_path / "out1" / "final.mp4") == lone_cut


def test_a_killed_machines_shots_are_taken_over_and_resumed_by_id(tmp_path, pg_url, lone_cut):
    board = write_board(tmp_path)
    with running(FakeOptions(latency=4.0)) as fake:
        env = shared_env(fake, pg_url)
        victim = subprocess.Popen(cli(*run_args(board, tmp_path / "dead")), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not {"queued", "dreaming"} & set(states(pg_url)) and victim.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert victim.returncode == -signal.SIGKILL
        created = stats(fake)["creates"]
        assert created >= 1
        taker = subprocess.run(cli(*run_args(board, tmp_path / "taker")), env=env, capture_output=True, text=True,
                               timeout=240)
        assert taker.returncode == 0, taker.stderr
        seen = stats(fake)
    assert seen["creates"] == SHOTS and seen["limit_violations"] == 0
    assert frames_digest(tmp_path / "taker" / "final.mp4") == lone_cut
