"""`pipeline run --rehearse` (the fake inside the run) and `fake-luma` alone, as real processes: quiet, stopped
after, a port in use said at once, a rehearsal's clips never taken for paid ones, the gate's question visible."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.engine.runner import Progress
from pipeline.fake_luma.inline import stand_in
from pipeline.plan import to_json
from pipeline.storyboard.load import load
from tests.runs import TWO_SHOTS as BOARD
from tests.runs import cli, write_board

REAL_KEY = "luma-a-real-key-that-must-stay-home"
ACCESS_LOG = re.compile(r'"(GET|POST|DELETE) /|HTTP/1\.1"|INFO:')
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
STAND_IN = re.compile(r"a local fake server \((http://127\.0\.0\.1:(\d+))\)")


def offline_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUMAAI_", "LUMA_"))}
    return {**env, **extra}


def pipeline(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), env=env or offline_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def journal(out: Path, query: str) -> list[tuple]:
    with sqlite3.connect(f"file:{out / 'journal.sqlite'}?mode=ro", uri=True) as db:
        return db.execute(query).fetchall()


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory):
    """BOARD rehearsed once with `--rehearse` alone (no --provider, no base URL; a real key in the environment,
    which the fake, accepting only its own, would refuse): (board, out, run)."""
    folder = tmp_path_factory.mktemp("rehearsed")
    board, out = write_board(folder, BOARD), folder / "out"
    done = pipeline("run", str(board), "--rehearse", "--yes", "--out", str(out),
                    env=offline_env(LUMAAI_API_KEY=REAL_KEY))
    assert done.returncode == 0, done.stderr
    return board, out, done


def test_rehearse_alone_runs_luma_against_a_fake_it_starts_and_stops(rehearsed):
    board, out, done = rehearsed
    found = STAND_IN.search(done.stderr)
    assert found, done.stderr
    assert "nothing is charged" in done.stderr and "spending with luma: estimated $" in done.stderr
    assert not listening(int(found[2]))  # stopped with the run
    assert (out / "final.mp4").is_file() and REAL_KEY not in done.stderr + done.stdout
    assert journal(out, "SELECT DISTINCT provider, rehearsal FROM creates") == [("luma", 1)]
    assert journal(out, "SELECT COUNT(*) FROM shots WHERE rehearsal = 1") == [(2,)]


def test_a_rehearsal_is_quiet_no_access_log_through_the_run(rehearsed):
    _, _, done = rehearsed
    assert not ACCESS_LOG.search(done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_a_rehearsal_counts_its_spend_apart_from_money(rehearsed):
    board, out, done = rehearsed
    assert "spent $0.00 in all" in done.stderr and "counted in rehearsals" in done.stderr
    status = pipeline("status", str(board), "--rehearse", "--out", str(out), "--json")
    totals = json.loads(status.stdout)["totals"]
    assert totals["spent_usd"] == 0 and totals["rehearsal_usd"] > 0 and totals["to_generate"] == 0


def test_a_real_run_never_takes_a_rehearsals_clips_for_paid_ones(rehearsed):
    board, out, _ = rehearsed
    status = json.loads(pipeline("status", str(board), "--provider", "luma", "--out", str(out), "--json").stdout)
    assert [s["action"] for s in status["shots"]] == ["generate", "generate"]
    estimate = to_json(load(board, provider="luma").plan())["totals"]["estimated_cost_usd"]
    # A real run (Luma's own address, a key) stops at the gate before any request, asking for every shot.
    real = pipeline("run", str(board), "--provider", "luma", "--out", str(out), "--max-cost", "0",
                    env=offline_env(LUMAAI_API_KEY="not-a-real-key"))
    assert real.returncode == 1, real.stderr
    assert f"estimated ${estimate:.2f} (an estimate, not a quote) exceeds --max-cost" in real.stderr
    assert "rehearsal" not in real.stderr


def test_a_rehearsal_by_hand_and_one_in_the_run_share_their_clips(rehearsed, fake):
    """LUMAAI_BASE_URL pointed at a fake is a rehearsal too: the clips `--rehearse` made are cached for it."""
    board, out, _ = rehearsed
    again = pipeline("run", str(board), "--provider", "luma", "--yes", "--out", str(out), "--json",
                     env={**os.environ})
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[-1])["generated"] == 0
    assert httpx.get(f"{fake.root}/_fake/stats").json()["creates"] == 0


def test_rehearse_with_the_animatic_is_a_clear_error(tmp_path):
    board = write_board(tmp_path, BOARD)
    done = pipeline("run", str(board), "--rehearse", "--provider", "animatic", "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "--rehearse rehearses a paid run" in done.stderr and "drop --rehearse" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_the_stand_in_stops_when_its_block_is_interrupted(tmp_path):
    with pytest.raises(KeyboardInterrupt), stand_in(tmp_path) as fake:
        port = int(fake.root.rsplit(":", 1)[1])
        assert httpx.get(f"{fake.api}/ping", headers={"Authorization": f"Bearer {fake.api_key}"}).status_code == 200
        raise KeyboardInterrupt
    assert not listening(port)


def test_ctrl_c_stops_a_rehearsal_and_says_how_to_resume(tmp_path):
    board = write_board(tmp_path, BOARD)
    proc = subprocess.Popen(cli("run", str(board), "--rehearse", "--yes", "--out", str(tmp_path / "out")),
                            env=offline_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = ""
    while "queued" not in seen:
        line = proc.stderr.readline()
        assert line, f"the run ended first: {seen}"
        seen += line
    port = int(STAND_IN.search(seen)[2])
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, seen + rest
    assert "interrupted" in rest and "resume with" in rest and "Traceback" not in rest
    assert not listening(port)
    # The fake died with the run, and the jobs it held: resuming makes them again, free, with a new fake.
    resumed = pipeline("run", str(board), "--rehearse", "--yes", "--out", str(tmp_path / "out"))
    assert resumed.returncode == 0, resumed.stderr
    assert "dawn left unfinished by a rehearsal whose fake server is gone" in resumed.stderr
    assert journal(tmp_path / "out", "SELECT DISTINCT rehearsal FROM creates") == [(1,)]


def on_a_terminal(args: list[str], env: dict, answer: bytes, timeout: float = 120) -> tuple[str, str, int]:
    """Run `args` on a pseudo-terminal; answer `answer` once "[y/N]" has shown. (what showed before the answer,
    what showed after, the exit status)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**env, "TERM": "xterm", "COLUMNS": "120"})
    os.close(slave)
    before, after, answered = b"", b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other end closed: the process is gone
                    break
                if answered:
                    after += chunk
                else:
                    before += chunk
            if not answered and b"[y/N]" in ANSI.sub("", before.decode(errors="replace")).encode():
                os.write(master, answer)
                answered = True
            if proc.poll() is not None and not ready:
                break
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    return ANSI.sub("", before.decode(errors="replace")), ANSI.sub("", after.decode(errors="replace")), proc.returncode


@pytest.mark.parametrize(("extra", "env", "question"), [
    (["--rehearse"], {}, "Rehearse it? Nothing is charged. [y/N]"),
    # Luma's own address and a key that is never sent: the question comes before any request
    (["--provider", "luma"], {"LUMAAI_API_KEY": "not-a-real-key"}, "Spend it? [y/N]"),
], ids=["rehearsal", "real"])
def test_the_gates_question_shows_whole_over_the_live_table(tmp_path, extra, env, question):
    board = write_board(tmp_path, BOARD)
    before, after, status = on_a_terminal(cli("run", str(board), *extra, "--out", str(tmp_path / "out")),
                                          offline_env(**env), b"n\n")
    assert question in before, before
    assert status == 1 and "nothing was spent" in after, after
    if (tmp_path / "out" / "journal.sqlite").exists():
        assert journal(tmp_path / "out", "SELECT * FROM creates") == []


ENTRY_POINTS = {"pipeline fake-luma": cli("fake-luma"), "python -m pipeline.fake_luma": [sys.executable, "-m",
                                                                                          "pipeline.fake_luma"]}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("access_log", [False, True], ids=["quiet", "access-log"])
def test_fake_luma_alone_is_quiet_unless_asked_for_its_access_log(entry, access_log):
    args = [*ENTRY_POINTS[entry], "--port", "0", *(["--access-log"] if access_log else [])]
    proc = subprocess.Popen(args, env=offline_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen, api = "", None
        while not api:  # with --access-log, uvicorn's own lines come first
            line = proc.stderr.readline()
            assert line, f"the fake ended before saying where it listens: {seen}"
            seen += line
            api = re.search(r"fake Luma API on (http://127\.0\.0\.1:\d+/dream-machine/v1)", line)
        assert httpx.get(f"{api[1]}/ping", headers={"Authorization": "Bearer anything"}).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    assert ("GET /dream-machine/v1/ping" in out + rest) is access_log, out + rest
    assert "Traceback" not in rest


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_fake_luma_on_a_port_in_use_exits_at_once_saying_so(entry):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run([*ENTRY_POINTS[entry], "--port", str(port)], env=offline_env(), capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=30)  # at once, or it fails here
    assert done.returncode == 1, done.stderr
    assert f"cannot listen on 127.0.0.1:{port} (another program is listening there)" in done.stderr
    assert "choose another --port" in done.stderr and "Traceback" not in done.stderr


def test_the_live_table_counts_one_shot_left_in_the_singular(tmp_path):
    import io

    from rich.console import Console

    from pipeline.cli.progress import LiveView

    plan = load(write_board(tmp_path, BOARD), provider="luma").plan()
    screen = io.StringIO()
    with LiveView(plan, Console(file=screen, force_terminal=True, width=200)) as view:
        view(Progress("dawn", "done", "", 0.0, 0.0))
    shown = " ".join(ANSI.sub("", screen.getvalue()).split())  # the caption may wrap
    assert "1 shot left" in shown and "1 shots left" not in shown
