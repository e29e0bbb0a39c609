"""A run killed at any instant (SIGKILL, or Ctrl-C) resumes without paying twice and makes the same cut."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import pytest

from pipeline.fake_luma import FakeOptions, running

from .runs import assembled_frames, cli, frames_digest, journal_states, luma_env, run_args, stats, write_board

SHOTS = 4
FAST = {"latency": 0.3}


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the run never reached the point to interrupt"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def reference_cut(tmp_path_factory):
    """The cut of an uninterrupted run, to compare resumed runs with."""
    folder = tmp_path_factory.mktemp("reference")
    board = write_board(folder)
    with running(FakeOptions(**FAST)) as fake:
        subprocess.run(cli(*run_args(board, folder / "out")), env=luma_env(fake), check=True, capture_output=True)
        assert stats(fake)["creates"] == SHOTS
    return frames_digest(folder / "out" / "final.mp4")


KILL_POINTS = {
    # the create reached the server, which holds its answer: the journal has only the intent
    "during create": ({"create_answer_delay_s": 3.0}, lambda out, fake: "intent" in journal_states(out)
                      and stats(fake)["creates"] >= 1),
    "while polling": ({"latency": 3.0}, lambda out, fake: {"queued", "dreaming"} & set(journal_states(out))),
    "mid-download": ({"download_pause_s": 3.0}, lambda out, fake: "completed" in journal_states(out)
                     and stats(fake).get("downloads", 0) >= 1),
    "during assembly": ({}, lambda out, fake: journal_states(out).count("fetched") == SHOTS),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_then_resume_pays_once_per_shot(point, tmp_path, reference_cut):
    options, reached = KILL_POINTS[point]
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(**{**FAST, **options})) as fake:
        env = luma_env(fake)
        victim = subprocess.Popen(cli(*run_args(board, out)), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: reached(out, fake) or victim.poll() is not None)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        assert victim.returncode == -signal.SIGKILL, "the run finished before it could be killed"
        resumed = subprocess.run(cli(*run_args(board, out)), env=env, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert stats(fake)["creates"] == SHOTS
    frames, reported, planned = assembled_frames(out)
    assert frames == reported == planned and SHOTS * 120 - 2 <= frames <= SHOTS * 120  # 2 extension joins
    assert frames_digest(out / "final.mp4") == reference_cut


def test_ctrl_c_leaves_a_consistent_journal_and_says_how_to_resume(tmp_path, reference_cut):
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(latency=3.0)) as fake:
        env = luma_env(fake)
        victim = subprocess.Popen(cli(*run_args(board, out)), env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        wait_until(lambda: {"queued", "dreaming"} & set(journal_states(out)))
        victim.send_signal(signal.SIGINT)
        _, err = victim.communicate(timeout=30)
        assert victim.returncode == 130
        assert f"resume with: pipeline run {board}" in err
        assert "Traceback" not in err
        resumed = subprocess.run(cli(*run_args(board, out)), env=env, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert stats(fake)["creates"] == SHOTS
    assert frames_digest(out / "final.mp4") == reference_cut


def holds_the_folder(out, pid: int) -> bool:
    """The run `pid` has taken the output folder's lock (its holder record names it)."""
    try:
        return json.loads((out / ".lock").read_text())["pid"] == pid
    except (OSError, ValueError, KeyError):
        return False


@pytest.mark.slow
def test_sigkill_at_twenty_random_moments_pays_once_per_shot(tmp_path, reference_cut):
    """Kill the run again and again wherever it happens to be (create, poll, download, assembly), then let it
    finish: every shot is paid for once and the cut is the uninterrupted run's."""
    chance = random.Random(20261201)
    board, out = write_board(tmp_path), tmp_path / "out"
    with running(FakeOptions(latency=1.5, create_answer_delay_s=0.3, download_pause_s=0.3)) as fake:
        env, kills, states = luma_env(fake), 0, set()
        while kills < 20:
            victim = subprocess.Popen(cli(*run_args(board, out)), env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            wait_until(lambda v=victim: holds_the_folder(out, v.pid) or v.poll() is not None)  # past start-up
            time.sleep(chance.uniform(0.0, 1.0))  # about as long as a finished film's re-run
            states.update(journal_states(out))
            victim.send_signal(signal.SIGKILL)
            kills += victim.poll() is None
            victim.wait()
        resumed = subprocess.run(cli(*run_args(board, out)), env=env, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert stats(fake)["creates"] == SHOTS
    assert len(states) >= 2  # the kills fell at different steps of the run
    assert frames_digest(out / "final.mp4") == reference_cut
