"""`pipeline run --provider luma` end to end through the real client, against the fake on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stamina

from pipeline import load
from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running
from pipeline.providers.prices import PER_SECOND_USD

from .runs import assembled_frames

SHOTS = 10


def chain_storyboard(folder: Path, still: Path) -> Path:
    (folder / "keys").mkdir()
    (folder / "keys" / "first.png").write_bytes(still.read_bytes())
    shots = ["  - id: s01\n    prompt: a lighthouse at dusk, shot 1\n    start: keys/first.png\n"]
    shots += [f"  - id: s{i:02d}\n    prompt: the beam sweeps the sea, shot {i}\n" for i in range(2, SHOTS + 1)]
    path = folder / "chain.yaml"
    path.write_text("resolution: 540p\nshots:\n" + "".join(shots))
    return path


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):  # keep the configured attempts, skip the waits
        yield


def test_ten_shot_chain_with_30_percent_faults_pays_once_per_shot(tmp_path, media, point_at_fake, capsys):
    board = chain_storyboard(tmp_path, media["image"])
    options = FakeOptions(latency=0.1, fault_rate=0.3, seed=7, cdn_dir=tmp_path, retry_after_s=0.01)
    with running(options) as fake:
        point_at_fake(fake, key="canary-key-0123456789")
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out"),
                       "--asset-base-url", f"{fake.root}/cdn"])
        stats = httpx.get(f"{fake.root}/_fake/stats").json()
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert stats["faults"] > 0
    assert stats["creates"] == SHOTS + stats["failed"]
    frames, reported, planned = assembled_frames(tmp_path / "out")
    assert frames == reported == planned and SHOTS * 120 - (SHOTS - 1) <= frames <= SHOTS * 120
    assert load(board).plan().runtime_frames == SHOTS * 120
    everything = printed.out + printed.err + "".join(
        p.read_bytes().decode("latin-1") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "canary-key-0123456789" not in everything


def test_luma_refuses_to_spend_without_yes_off_a_terminal(tmp_path, media, point_at_fake, capsys):
    board = chain_storyboard(tmp_path, media["image"])
    with running(FakeOptions(latency=0.1, cdn_dir=tmp_path)) as fake:
        point_at_fake(fake, key="canary-key-0123456789")
        status = main(["run", str(board), "--provider", "luma", "--asset-base-url", f"{fake.root}/cdn",
                       "--out", str(tmp_path / "out")])
        creates = httpx.get(f"{fake.root}/_fake/stats").json()["creates"]
    assert status == 1 and creates == 0
    cost = PER_SECOND_USD[("luma", "ray-2", "540p")] * SHOTS * 5  # 5 s shots at 540p
    assert f"spending with luma: estimated ${cost:.2f}" in capsys.readouterr().err
