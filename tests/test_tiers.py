"""Tiers: every shot at the draft tier; `--tier final` after approving some renders only those (and the shots
extending them) at the final model and resolution, with the estimate said before and matching what was charged;
the rest stay at the tier they were made at, marked in assembly.json and the OTIO timeline."""

from __future__ import annotations

import json

import httpx
import opentimelineio as otio
import pytest
import stamina

from pipeline.cli import main

from .runs import stats

BOARD = """resolution: 540p
tiers:
  draft: {model: ray-flash-2, resolution: 540p}
  final: {model: ray-2, resolution: 720p}
shots:
  - id: a
    prompt: a harbour at dawn, gulls over the masts
  - id: b
    prompt: the boats rock as the tide comes in
  - id: c
    start: none
    prompt: a lamp is lit in a fisherman's window
  - id: d
    start: none
    prompt: the street outside fills with morning light
  - id: e
    start: none
    prompt: a baker opens the shutters of the shop
  - id: f
    start: none
    prompt: children run down to the beach
"""


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def luma(board, out, *args: str) -> int:
    command, *rest = args
    return main([command, str(board), "--provider", "luma", "--out", str(out), *rest])


def generations(fake) -> list[dict]:
    return httpx.get(f"{fake.api}/generations", params={"limit": 100},
                     headers={"Authorization": "Bearer test-key-not-secret"}).json()["generations"]


def test_final_tier_renders_only_the_approved_shots_and_their_descendants(tmp_path, fake, capsys):
    board, out = tmp_path / "board.yaml", tmp_path / "out"
    board.write_text(BOARD)
    assert luma(board, out, "run", "--yes") == 0
    drafts = generations(fake)
    assert len(drafts) == 6 and {(g["request"]["model"], g["request"]["resolution"]) for g in drafts} == \
        {("ray-flash-2", "540p")}
    assert luma(board, out, "approve", "a", "c", "e") == 0
    capsys.readouterr()
    assert luma(board, out, "plan", "--tier", "final", "--json") == 0
    planned = json.loads(capsys.readouterr().out)
    estimate = planned["totals"]["estimated_cost_usd"]
    assert planned["totals"]["by_tier"] == {"final": {"generations": 4, "estimated_cost_usd": estimate}}
    charged = stats(fake)["charged_cents"]
    assert luma(board, out, "run", "--tier", "final", "--yes") == 0
    said = capsys.readouterr().err
    assert f"estimated ${estimate:.2f}" in said and f"final ${estimate:.2f} (4 generations)" in said
    finals = [g for g in generations(fake) if g["id"] not in {d["id"] for d in drafts}]
    assert len(finals) == 4  # a, c, e, and b, which extends a
    assert {(g["request"]["model"], g["request"]["resolution"]) for g in finals} == {("ray-2", "720p")}
    assert round((stats(fake)["charged_cents"] - charged) / 100, 2) == estimate
    report = {s["id"]: s for s in json.loads((out / "assembly.json").read_text())["shots"]}
    assert {i: s["tier"] for i, s in report.items()} == {"a": "final", "b": "final", "c": "final", "d": "draft",
                                                          "e": "final", "f": "draft"}
    timeline = otio.adapters.read_from_file(str(out / "timeline.otio"))
    assert {c.name: c.metadata["pipeline"]["resolution"] for c in timeline.find_clips()}["d"] == "540p"
    assert luma(board, out, "preview") == 0
    page = (out / "preview" / "index.html").read_text()
    assert page.count("final · 720p") == 4 and page.count("draft · 540p") == 2
    assert luma(board, out, "run", "--yes") == 0  # a plain run keeps each shot at the tier it was made at
    assert len(generations(fake)) == 10


def test_a_tier_the_provider_does_not_offer_is_refused_with_the_field(tmp_path, capsys):
    board = tmp_path / "board.yaml"
    board.write_text(BOARD.replace("{model: ray-2, resolution: 720p}", "{model: ray-2, resolution: 360p}"))
    assert main(["validate", str(board), "--provider", "luma"]) == 1
    said = capsys.readouterr().err
    assert "board.yaml:4" in said and "tiers.final.resolution" in said and "540p" in said


UPSCALED = BOARD.replace("  final: {model: ray-2, resolution: 720p}", "  final: {resolution: 1080p, upscale: true}")


def test_an_upscaled_final_tier_upscales_only_the_approved_drafts(tmp_path, fake, capsys):
    board, out = tmp_path / "board.yaml", tmp_path / "out"
    board.write_text(UPSCALED)
    assert luma(board, out, "approve", "a") == 1  # nothing made yet: nothing to approve
    assert luma(board, out, "run", "--yes") == 0
    drafts = {g["id"] for g in generations(fake)}
    assert luma(board, out, "approve", "a", "c") == 0
    capsys.readouterr()
    assert luma(board, out, "plan", "--tier", "final", "--json") == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["totals"]["to_generate"] == 2  # b extends a's draft, which an upscale leaves as it was
    charged = stats(fake)["charged_cents"]
    assert luma(board, out, "run", "--tier", "final", "--yes") == 0
    made = [g for g in generations(fake) if g["id"] not in drafts]
    assert len(made) == 2 and stats(fake)["upscales"] == 2
    assert {g["request"]["generation_type"] for g in made} == {"upscale_video"}
    assert {g["request"]["keyframes"]["frame0"]["id"] for g in made} <= drafts
    estimate = planned["totals"]["estimated_cost_usd"]
    assert round((stats(fake)["charged_cents"] - charged) / 100, 2) <= estimate
    report = {s["id"]: s for s in json.loads((out / "assembly.json").read_text())["shots"]}
    assert {i for i, s in report.items() if s["tier"] == "final"} == {"a", "c"}
    assert report["a"]["resolution"] == "1080p" and report["b"]["resolution"] == "540p"
    assert luma(board, out, "run", "--yes") == 0 and len(generations(fake)) == 8  # nothing more


def test_an_upscale_tier_is_refused_where_it_cannot_be(tmp_path, capsys):
    board = tmp_path / "board.yaml"
    board.write_text(UPSCALED.replace("resolution: 1080p, upscale", "resolution: 540p, upscale"))
    assert main(["validate", str(board), "--provider", "luma"]) == 1
    assert "tiers.final.upscale: an upscale must be to a larger resolution" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "plan", "status"])
def test_a_tier_asked_of_a_storyboard_without_tiers_is_refused_not_ignored(tmp_path, capsys, command):
    board = tmp_path / "plain.yaml"
    board.write_text("shots:\n  - id: a\n    prompt: a quiet harbour\n")
    assert main([command, str(board), "--tier", "final", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "--tier final needs `tiers:`" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "final.mp4").exists()
