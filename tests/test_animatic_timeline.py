"""The plan is the timeline: an animatic cut, made the way `pipeline run` makes it, starts every shot on the
plan's frame and lasts exactly the plan's frames (no join frame repeated, none trimmed). A provider that
repeats the join frame (the fake Luma server, told to) still has the repeat found and trimmed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import pytest
import stamina

from pipeline import ffmpeg, load
from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running
from pipeline.formats import FPS

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "storyboards").glob("*.yaml"))


def packets(cut: Path) -> int:
    """Video frames in the cut, counted from its packets (no decoding)."""
    with av.open(str(cut)) as box:
        return sum(1 for p in box.demux(video=0) if p.size)


def placed(out: Path) -> dict[str, dict]:
    return {s["id"]: s for s in json.loads((out / "assembly.json").read_text())["shots"]}


def srt_starts(out: Path) -> list[float]:
    text = next(out.glob("*.srt")).read_text()
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
            for h, m, s, ms in re.findall(r"^(\d+):(\d+):(\d+),(\d+) -->", text, re.MULTILINE)]


def assert_cut_is_the_plan(board: Path, out: Path) -> None:
    plan = load(board).plan()
    shots = placed(out)
    for p in plan.shots:
        assert round(shots[p.id]["start_s"] * FPS) == p.start_frame, f"{p.id} starts where the plan says"
        assert (shots[p.id]["frames"], shots[p.id]["trimmed_frames"]) == (p.frames, 0)
    assert packets(out / "final.mp4") == plan.runtime_frames
    assert ffmpeg.count_frames(out / "final.mp4") == plan.runtime_frames
    if list(out.glob("*.srt")):  # captions start on the plan's frames too (SRT keeps milliseconds)
        captioned = [p for p in plan.shots if p.shot.caption]
        assert srt_starts(out) == pytest.approx([p.start_s for p in captioned], abs=0.0015)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_examples_animatic_cut_is_its_plan_to_the_frame(tmp_path, example):
    out = tmp_path / "out"
    assert main(["run", str(example), "--yes", "--out", str(out)]) == 0
    assert_cut_is_the_plan(example, out)


TWO_CHAINS = """title: Two chains
resolution: 540p
duration: 5s
shots:
  - id: opening
    clip: footage.mp4
    caption: Footage first
  - id: harbour
    prompt: a harbour at night, boats rocking
    camera: push_in
    transition: {type: fade, duration: 0.5}
    caption: The harbour
  - id: quay
    prompt: along the quay, nets and lamps
    camera: pan_left
    caption: The quay
  - id: ridge
    prompt: a ridge above the town
    start: key.png
    camera: pull_out
    transition: {type: dissolve, duration: 1.0}
    caption: The ridge
  - id: summit
    prompt: the summit at dawn
    camera: tilt_up
    caption: The summit
  - id: still
    prompt: the view holds
    camera: static
    caption: The view
"""


def test_two_chains_with_transitions_and_footage_cut_to_the_plan(tmp_path):
    """A held extension too: its join looks like a repeated frame, and is not one."""
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=2", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", str(tmp_path / "footage.mp4")], what="footage")
    ffmpeg.run(["-f", "lavfi", "-i", "mandelbrot=size=1280x720", "-frames:v", "1", str(tmp_path / "key.png")],
               what="keyframe")
    board = tmp_path / "two.yaml"
    board.write_text(TWO_CHAINS)
    out = tmp_path / "out"
    assert main(["run", str(board), "--yes", "--out", str(out)]) == 0
    plan = load(board).plan()
    assert [p.transition for p in plan.shots] == ["cut", "fade", "cut", "dissolve", "cut", "cut"]
    assert [p.parent for p in plan.shots] == [None, None, "harbour", None, "ridge", "summit"]
    assert_cut_is_the_plan(board, out)


CHAIN = """resolution: 540p
shots:
  - id: one
    prompt: a lighthouse at dusk
    start: key.png
    camera: push_in
  - id: two
    prompt: the beam sweeps the sea
    camera: pan_left
  - id: three
    prompt: a ship turns for home
    camera: pull_out
"""


@pytest.fixture
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def test_a_provider_that_repeats_the_join_frame_has_it_trimmed(tmp_path, point_at_fake, no_backoff, capsys):
    ffmpeg.run(["-f", "lavfi", "-i", "mandelbrot=size=1280x720", "-frames:v", "1", str(tmp_path / "key.png")],
               what="keyframe")
    board = tmp_path / "chain.yaml"
    board.write_text(CHAIN)
    out = tmp_path / "out"
    with running(FakeOptions(latency=0.1, repeat_join_frame=True, cdn_dir=tmp_path)) as fake:
        point_at_fake(fake)
        assert main(["run", str(board), "--provider", "luma", "--yes", "--out", str(out),
                     "--asset-base-url", f"{fake.root}/cdn"]) == 0
    plan = load(board, provider="luma", asset_base_url=f"{fake.root}/cdn").plan()
    shots = placed(out)
    assert [shots[p.id]["trimmed_frames"] for p in plan.shots] == [0, 1, 1] or \
        [shots[p.id]["trimmed_frames"] for p in plan.shots] == [1, 1, 0]
    assert [round(shots[p.id]["start_s"] * FPS) for p in plan.shots] == [0, 119, 238]
    assert packets(out / "final.mp4") == plan.runtime_frames - 2 == 358
    capsys.readouterr()
    assert main(["status", str(board), "--provider", "luma", "--out", str(out), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)  # status says the cut's real times beside the plan's
    assert [s["start_s"] for s in status["shots"]] == [0.0, 5.0, 10.0]
    assert [round(s["cut_start_s"] * FPS) for s in status["shots"]] == [0, 119, 238]
    assert round(status["totals"]["cut_runtime_s"] * FPS) == 358 and status["totals"]["runtime_s"] == 15.0


def test_a_changed_renderer_renders_the_animatic_again_but_never_a_paid_provider(monkeypatch):
    from dataclasses import replace

    from pipeline.providers import PROVIDERS

    board, base = ROOT / "storyboards" / "rocket.yaml", "https://cdn.example.com/film"

    def keys(provider: str) -> list[str]:
        return [p.key for p in load(board, provider=provider, asset_base_url=base).plan().shots]

    before = {name: keys(name) for name in ("animatic", "luma")}
    for name in ("animatic", "luma"):
        spec = PROVIDERS[name]
        bumped = (spec.capabilities.renderer_version or 0) + 1 if spec.capabilities.renderer_version else None
        monkeypatch.setitem(PROVIDERS, name, replace(spec, capabilities=replace(spec.capabilities,
                                                                                renderer_version=bumped)))
    assert not set(keys("animatic")) & set(before["animatic"]), "a new renderer's clips are new clips"
    assert keys("luma") == before["luma"], "a paid provider declares no renderer: its keys stay"
