"""A slate on several machines: three worker processes on one real PostgreSQL render four storyboards against one
fake Luma account whose limits are tight (3 in flight). One worker is SIGKILLed while a create is in flight,
while a create's answer is not yet journaled, and while polling (three runs): every key is created once, the
fake counts no limit violation, and every film's cut equals a lone `pipeline run` of it."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from pipeline.fake_luma import FakeOptions, running

from .runs import cli, frames_digest, luma_env, run_args, stats

FILMS = {
    f"film{i}": f"""resolution: 540p
shots:
  - id: a
    prompt: harbour {i} at dawn, gulls over the water
  - id: b
    prompt: the ferry {i} leaves the quay
"""
    for i in range(4)
}
SHOTS = 2 * len(FILMS)
IN_FLIGHT = 3  # the account's limit, well under three machines' own (3 each): only the database keeps it
FAST = {"latency": 0.6, "account_in_flight": IN_FLIGHT}
LEASE_S = "1.5"


def boards(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in FILMS.items():
        (path := folder / f"{name}.yaml").write_text(text)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def lone_cuts(tmp_path_factory):
    """Each film's cut from a lone `pipeline run` with its own SQLite journal."""
    folder = tmp_path_factory.mktemp("lone")
    cuts = {}
    with running(FakeOptions(**FAST)) as fake:
        for board in boards(folder):
            out = folder / "out" / board.stem
            subprocess.run(cli(*run_args(board, out)), env=luma_env(fake), check=True, capture_output=True)
            cuts[board.stem] = frames_digest(out / "final.mp4")
    return cuts


def worker(paths, out: Path, env) -> subprocess.Popen:
    args = ["slate", "run", *map(str, paths), "--provider", "luma", "--yes", "--concurrency", str(IN_FLIGHT),
            "--out", str(out), "--json"]
    return subprocess.Popen(cli(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def held(db, pid: int) -> list[str]:
    """The state of each shot the worker `pid` holds (looked at through one open connection: quick)."""
    try:
        return [row[0] for row in db.execute("SELECT s.state FROM claims c JOIN shots s USING (film, key) WHERE"
                                             " c.holder LIKE %s", (f"%:{pid}:%",))]
    except psycopg.errors.UndefinedTable:
        return []


def made_unanswered(db, fake) -> int:
    """Generations the server made whose answer no journal holds yet."""
    try:
        answered = db.execute("SELECT COUNT(*) FROM creates WHERE job_id IS NOT NULL").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        answered = 0
    return fake.fake.snapshot()["creates"] - answered


KILL_POINTS = {
    # the victim journaled its intent; its create is on its way and the server has made nothing for it yet
    "create in flight": ({"create_delay_s": 1.5},
                         lambda states, db, fake: "intent" in states and made_unanswered(db, fake) == 0),
    # the server made the generation and holds its answer: the victim's journal has only the intent
    "answer not journaled": ({"create_answer_delay_s": 1.5},
                             lambda states, db, fake: "intent" in states and made_unanswered(db, fake) > 0),
    "while polling": ({"latency": 3.0}, lambda states, db, fake: {"queued", "dreaming"} & set(states)),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_three_workers_one_killed_create_each_key_once_within_the_limits(point, tmp_path, pg_url, lone_cuts):
    options, reached = KILL_POINTS[point]
    paths = boards(tmp_path / "boards")
    with running(FakeOptions(**{**FAST, **options})) as fake:
        env = {**luma_env(fake), "PIPELINE_JOURNAL": pg_url, "PIPELINE_LEASE_S": LEASE_S}
        victim = worker(paths, tmp_path / "w0", env)
        deadline = time.monotonic() + 120
        with psycopg.connect(pg_url, autocommit=True) as db:
            while not held(db, victim.pid):  # it has work before the others start (it may start slowest)
                assert victim.poll() is None and time.monotonic() < deadline, "the worker never claimed a shot"
                time.sleep(0.005)
            workers = [victim, *(worker(paths, tmp_path / f"w{i}", env) for i in (1, 2))]
            while not reached(held(db, victim.pid), db, fake):
                assert victim.poll() is None, "the worker finished before it could be killed"
                assert time.monotonic() < deadline, "the worker never reached the point to kill it"
                time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        outputs = [w.communicate(timeout=300) for w in workers[1:]]
        for w, (_, err) in zip(workers[1:], outputs, strict=True):
            assert w.returncode == 0, err
        seen = stats(fake)
        keys = _created_keys(pg_url)
    assert seen["limit_violations"] == 0, seen
    assert seen["creates"] == SHOTS and len(keys) == SHOTS  # every key created once
    made = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    made = [(r["film"], Path(r["cut"])) for r in made if "cut" in r and r["assembled_here"]]
    assert sorted(film for film, _ in made) == sorted(FILMS)  # each film assembled once, by a surviving worker
    made = dict(made)
    assert {film: frames_digest(cut) for film, cut in made.items()} == lone_cuts


def _created_keys(pg_url) -> list[str]:
    with psycopg.connect(pg_url) as db:
        return [row[0] for row in db.execute("SELECT DISTINCT film || '/' || key FROM creates WHERE outcome IN"
                                             " ('accepted', 'recovered')")]
