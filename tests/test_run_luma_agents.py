"""`pipeline run --provider luma-agents` end to end through the real client, against the fake's Agents dialect on
loopback: a faulty run that pays once per shot, a local keyframe through the Files API, and an ambiguous create
that fails closed (this API cannot list generations, so nothing is created again until the shot is forgotten)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stamina

from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.agents import PREFIX

from .runs import assembled_frames, journal_states

SHOTS = 10
# Faults after which it is certain whether a generation was made (429 and 503 before it, a failed generation,
# a cut download). A 500, a dropped connection or a 5xx after an accepted create leave it in doubt: those fail
# closed (test_an_ambiguous_create_fails_closed_until_the_shot_is_forgotten).
CERTAIN_FAULTS = ("429", "503", "failed", "truncate")


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def point_at_agents(monkeypatch):
    def point(fake, key: str = "agents-key-0123456789"):
        monkeypatch.setenv("LUMA_BASE_URL", fake.root + PREFIX)
        monkeypatch.setenv("LUMA_AGENTS_API_KEY", key)
        return fake
    return point


def two_chains(folder: Path, still: Path) -> Path:
    """Ten 5 s shots in two chains of five; both chains start from the same local keyframe."""
    (folder / "keys").mkdir()
    (folder / "keys" / "first.png").write_bytes(still.read_bytes())
    shots = []
    for chain in ("a", "b"):
        shots.append(f"  - id: {chain}1\n    prompt: a lighthouse at dusk, chain {chain}\n    start: keys/first.png\n")
        shots += [f"  - id: {chain}{i}\n    prompt: the beam sweeps the sea, {chain} {i}\n" for i in range(2, 6)]
    path = folder / "board.yaml"
    path.write_text("provider: luma-agents\nmodel: ray-3.2\nresolution: 360p\nshots:\n" + "".join(shots))
    return path


def stats(fake) -> dict:
    return httpx.get(f"{fake.root}/_fake/stats").json()


def test_ten_shots_in_two_chains_with_30_percent_faults_pay_once_per_shot(tmp_path, media, point_at_agents, capsys):
    board = two_chains(tmp_path, media["image"])
    options = FakeOptions(latency=0.1, fault_rate=0.3, seed=3, faults=CERTAIN_FAULTS, retry_after_s=0.01)
    with running(options) as fake:
        point_at_agents(fake)
        status = main(["run", str(board), "--yes", "--out", str(tmp_path / "out"), "--concurrency", "1"])
        counted = stats(fake)
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert counted["faults"] > 0 and counted["failed"] > 0
    assert counted["creates"] == SHOTS + counted["failed"]
    assert (counted["files"], counted["uploads"]) == (1, 1)  # one keyframe, uploaded once for both chains
    frames, reported, planned = assembled_frames(tmp_path / "out")
    assert frames == reported == planned and SHOTS * 120 - SHOTS <= frames <= SHOTS * 120
    everything = printed.out + printed.err + "".join(
        p.read_bytes().decode("latin-1") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "agents-key-0123456789" not in everything


@pytest.mark.parametrize("fault", ["drop", "accepted_5xx"])
def test_an_ambiguous_create_fails_closed_until_the_shot_is_forgotten(tmp_path, point_at_agents, capsys, fault):
    board = tmp_path / "board.yaml"
    board.write_text("provider: luma-agents\nmodel: ray-3.2\nresolution: 360p\nshots:\n"
                     "  - id: only\n    prompt: a lighthouse at dusk\n")
    out = tmp_path / "out"
    with running(FakeOptions(latency=0.1, fault_rate=1.0, faults=(fault,))) as fake:
        point_at_agents(fake)
        first = main(["run", str(board), "--yes", "--out", str(out)])
        made_first = stats(fake)["creates"]
    said_first = capsys.readouterr().err
    assert first == 1 and made_first == 1  # it reached the server once, and was never sent again
    assert "may exist" in said_first and "pipeline forget" in said_first and "dashboard" in said_first
    assert journal_states(out) == ["intent"]

    with running(FakeOptions(latency=0.1)) as fake:
        point_at_agents(fake)
        again = main(["run", str(board), "--yes", "--out", str(out)])
        made_again = stats(fake)["creates"]
        said_again = capsys.readouterr().err
        assert again == 1 and made_again == 0  # a resumed run does not pay again either
        assert "may exist" in said_again and f"pipeline forget {board} --out {out} only" in said_again
        assert main(["forget", str(board), "only", "--out", str(out)]) == 0
        assert main(["run", str(board), "--yes", "--out", str(out)]) == 0
        assert stats(fake)["creates"] == 1
    assert (out / "final.mp4").exists()


def test_a_create_refused_for_certain_leaves_nothing_to_resolve(tmp_path, point_at_agents, capsys):
    board = tmp_path / "board.yaml"
    board.write_text("provider: luma-agents\nmodel: ray-3.2\nresolution: 360p\nshots:\n"
                     "  - id: only\n    prompt: a lighthouse at dusk\n")
    out = tmp_path / "out"
    with running(FakeOptions(latency=0.1, fault_rate=1.0, faults=("503",))) as fake:  # answered before creating
        point_at_agents(fake)
        assert main(["run", str(board), "--yes", "--out", str(out)]) == 1
        assert stats(fake)["creates"] == 0
    assert "may exist" not in capsys.readouterr().err
    assert journal_states(out) == ["failed"]  # journaled as a failed attempt: not an intent, and not spend
    with running(FakeOptions(latency=0.1)) as fake:
        point_at_agents(fake)
        assert main(["run", str(board), "--yes", "--out", str(out)]) == 0  # no forget needed
        assert stats(fake)["creates"] == 1
