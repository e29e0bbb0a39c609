"""Local keyframes with Luma and no public URL: plan and validate still estimate (with a warning that says how
to publish them); a paid run refuses before its money gate asks or anything reaches the provider."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running

ROCKET = Path(__file__).parent.parent / "storyboards/rocket.yaml"
WARNING = ("rocket.yaml:17:12: warning: shots[0].start: Luma fetches keyframes from public URLs, and "
           "`assets/rocket/pad.jpg` is a local file; a run refuses it before spending: set `assets: "
           "s3://BUCKET/PREFIX/` (or --assets, or PIPELINE_ASSETS) to publish keyframes to a bucket, or publish "
           "the storyboard's folder and set `asset_base_url:`, or use an https URL")


def test_the_readmes_plan_with_luma_shows_the_estimate_and_a_warning(capsys):
    status = main(["plan", str(ROCKET), "--provider", "luma"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert "estimated cost $2.32" in " ".join(printed.out.split())
    assert printed.err.strip() == str(ROCKET.parent) + "/" + WARNING


def test_validate_with_luma_passes_and_warns(capsys):
    status = main(["validate", str(ROCKET), "--provider", "luma"])
    printed = capsys.readouterr()
    assert status == 0
    assert WARNING in printed.err and "5 to generate with luma" in printed.out


def test_a_paid_run_refuses_before_any_create(tmp_path, point_at_fake, capsys):
    shutil.copytree(ROCKET.parent / "assets/rocket", tmp_path / "assets/rocket")
    board = shutil.copy(ROCKET, tmp_path / "rocket.yaml")
    with running(FakeOptions(latency=0.1)) as fake:
        point_at_fake(fake)
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out")])
        stats = httpx.get(f"{fake.root}/_fake/stats").json()
    err = capsys.readouterr().err
    assert status == 1 and stats["creates"] == 0
    assert WARNING.replace("warning: ", "") in err and "1 problem found; nothing was generated" in err
    assert "spending with luma" not in err  # refused before the money gate asked
