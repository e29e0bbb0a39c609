"""`pipeline run` with the gateways that resell Ray 2 (aigateway, crazyrouter), end to end through their real
clients against the fake's dialects on loopback: faults, a refused chain, no credit, and a lost create."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stamina

from pipeline import load
from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.testing import quick_render

from .runs import assembled_frames

SHOTS = 10
# A create the client cannot tell was taken (a dropped connection, a 500/502/504) fails closed on a host that
# cannot list its jobs; these runs inject every other fault, and test_a_lost_create_* the ambiguous ones.
CLEAR_FAULTS = ("429", "503", "failed", "truncate")
PREFIX = {"aigateway": "/aigateway/v1", "crazyrouter": "/crazyrouter"}
KEY = "canary-gateway-key-0123456789"


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):  # keep the configured attempts, skip the waits
        yield


@pytest.fixture
def point(monkeypatch):
    """point(provider, fake): the provider's key and base URL variables aimed at the fake's dialect."""
    def aim(provider: str, fake) -> None:
        monkeypatch.setenv(f"{provider.upper()}_API_KEY", KEY)
        monkeypatch.setenv(f"{provider.upper()}_BASE_URL", fake.root + PREFIX[provider])
    return aim


def independent(folder: Path, shots: int = SHOTS) -> Path:
    """Shots that each start from text alone: what a provider without extension can make."""
    lines = [f"  - id: s{i:02d}\n    prompt: a lighthouse at dusk, view {i}\n    start: none\n"
             for i in range(1, shots + 1)]
    return _board(folder, "independent.yaml", "provider: aigateway\nresolution: 720p\n", lines)


def two_chains(folder: Path, still: Path, provider: str = "crazyrouter") -> Path:
    """Two chains of five: the first starts on a local image, the second from text; the rest extend."""
    (folder / "keys").mkdir(exist_ok=True)
    (folder / "keys" / "first.png").write_bytes(still.read_bytes())
    lines = []
    for i in range(1, SHOTS + 1):
        start = "    start: keys/first.png\n" if i == 1 else "    start: none\n" if i == 6 else ""
        lines.append(f"  - id: s{i:02d}\n    prompt: the beam sweeps the sea, shot {i}\n{start}")
    return _board(folder, "chains.yaml", f"provider: {provider}\nresolution: 540p\n", lines)


def _board(folder: Path, name: str, head: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text(head + "shots:\n" + "".join(lines))
    return path


def run(board: Path, out: Path, *extra: str) -> int:
    return main(["run", str(board), "--yes", "--out", str(out), *extra])


def stats(fake) -> dict:
    return httpx.get(f"{fake.root}/_fake/stats").json()


def everything_written(printed, out: Path) -> str:
    return printed.out + printed.err + "".join(
        p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())


def test_aigateway_ten_independent_shots_with_30_percent_faults_pay_once_each(tmp_path, point, capsys):
    board = independent(tmp_path)
    options = FakeOptions(latency=0.1, fault_rate=0.3, seed=3, faults=CLEAR_FAULTS, retry_after_s=0.01,
                          render=quick_render)
    with running(options) as fake:
        point("aigateway", fake)
        status = run(board, tmp_path / "out", "--concurrency", "1")  # one at a time: the seeded faults repeat
        counted = stats(fake)
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert counted["faults"] > 0 and counted["failed"] > 0
    assert counted["creates"] == SHOTS + counted["failed"]
    frames, reported, planned = assembled_frames(tmp_path / "out")
    assert frames == reported == planned == SHOTS * 120
    assert KEY not in everything_written(printed, tmp_path / "out")


def test_crazyrouter_ten_shot_two_chain_run_with_30_percent_faults_pays_once_per_shot(tmp_path, media, point,
                                                                                      capsys):
    board = two_chains(tmp_path, media["image"])
    options = FakeOptions(latency=0.1, fault_rate=0.3, seed=7, faults=CLEAR_FAULTS, retry_after_s=0.01)
    with running(options) as fake:
        point("crazyrouter", fake)
        status = run(board, tmp_path / "out", "--concurrency", "1")  # no asset store: the keyframe goes inline
        counted = stats(fake)
        inline = [p.read_bytes() for p in fake.fake.work_dir.glob("inline-*")]  # gone with the fake
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert counted["extensions"] >= SHOTS - 2  # each chain's later shots went to its parent's /extend
    assert counted["faults"] > 0 and len(inline) == 1  # the keyframe, sent as base64, decoded by the fake
    assert inline[0] == media["image"].read_bytes()
    assert counted["creates"] == SHOTS + counted["failed"]
    frames, reported, planned = assembled_frames(tmp_path / "out")
    assert frames == reported == planned and SHOTS * 120 - (SHOTS - 1) <= frames <= SHOTS * 120
    assert load(board).plan().runtime_frames == SHOTS * 120
    assert KEY not in everything_written(printed, tmp_path / "out")


def test_a_chained_storyboard_is_refused_for_aigateway_with_the_alternatives(tmp_path, media, capsys):
    board = two_chains(tmp_path, media["image"], provider="aigateway")
    status = main(["validate", str(board)])
    printed = capsys.readouterr()
    err = printed.out + printed.err
    assert status == 1
    assert "chains.yaml:7:5: shots[1]: AIgateway cannot extend a shot, and this one continues `s01`" in err
    assert "set `start: none` to begin it from its prompt alone, or use a provider that can (" in err
    assert "crazyrouter" in err and "luma" in err
    assert "shots[0].start: AIgateway takes no start image (it generates from text alone)" in err
    assert err.count("cannot extend a shot") == SHOTS - 2  # every shot but the two chains' first
    assert main(["validate", str(independent(tmp_path))]) == 0


@pytest.mark.parametrize("provider", ["aigateway", "crazyrouter"])
def test_no_credit_stops_the_creates_and_a_run_after_topping_up_goes_on(tmp_path, point, capsys, provider):
    lines = [f"  - id: s{i}\n    prompt: a paper boat on a puddle, {i}\n    start: none\n" for i in range(1, 4)]
    board = _board(tmp_path, "boats.yaml", f"provider: {provider}\nresolution: 720p\n", lines)
    with running(FakeOptions(latency=0.1, credit_balance=0, render=quick_render)) as fake:
        point(provider, fake)
        refused = run(board, tmp_path / "out", "--concurrency", "1")
        broke = stats(fake)
        fake.fake.balance = 100_000.0  # the user adds credit
        topped_up = run(board, tmp_path / "out")
        after = stats(fake)
    err = capsys.readouterr().err
    assert refused == 1 and broke["creates"] == 0
    assert broke["refused_credits"] == 1  # the first 402 stopped the run's other creates before they were sent
    title = {"aigateway": "AIgateway", "crazyrouter": "Crazyrouter"}[provider]
    assert "3 shot(s) failed" in err and f"shot s1: the {title} account is out of credit: " in err
    assert "this create was not sent, since an earlier one was refused for want of credit" in err
    assert topped_up == 0 and after["creates"] == 3  # refused creates made nothing: nothing "may exist"


@pytest.mark.parametrize(("provider", "fault"), [("aigateway", "drop"), ("aigateway", "accepted_5xx"),
                                                 ("crazyrouter", "drop")])
def test_a_lost_create_fails_closed_until_the_user_forgets_it(tmp_path, point, capsys, provider, fault):
    board = _board(tmp_path, "one.yaml", f"provider: {provider}\nresolution: 720p\n",
                   ["  - id: only\n    prompt: a kite over the dunes\n"])
    options = FakeOptions(latency=0.1, fault_rate=1.0, faults=(fault,), render=quick_render)
    out = tmp_path / "out"
    with running(options) as fake:
        point(provider, fake)
        lost = run(board, out)
        first = capsys.readouterr().err
        fake.fake.faults.rate = 0.0  # the host answers again; the job made by the lost create exists
        again = run(board, out)
        second = capsys.readouterr().err
        creates_before_forget = stats(fake)["creates"]
        assert main(["forget", str(board), "--out", str(out), "only"]) == 0
        forgotten = run(board, out)
        counted = stats(fake)
    assert lost == 1 and "its answer lost" in first and "cannot list its jobs, so it was not sent again" in first
    assert again == 1 and creates_before_forget == 1  # never created twice without the user's word
    assert "cannot list its jobs: the generation may exist" in second and "pipeline forget" in second
    assert forgotten == 0 and counted["creates"] == 2
