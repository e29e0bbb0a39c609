"""Keyframes pinned inside one shot (`keyframes: [{at: 2.5s, image: ...}]`): a Ray 3.2 shot run through the fake's
Agents dialect on loopback shows each pinned picture at its frame; the animatic renders them alike; the fake
refuses what the API refuses; and validation refuses, with file, line and the way out, what no provider makes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
import stamina
from PIL import Image

from pipeline import ffmpeg, preview
from pipeline.cli import main
from pipeline.engine import changes
from pipeline.errors import StoryboardError
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.agents import PREFIX
from pipeline.layout import Layout
from pipeline.preview import model
from pipeline.providers.base import ImageKeyframe, PinnedKeyframe, ShotRequest
from pipeline.providers.luma_agents.request import request_body
from pipeline.storyboard.load import load

COLOURS = {"red.png": (220, 30, 30), "green.png": (30, 200, 40), "blue.png": (40, 60, 230)}
PINS = (("0s", "red.png", 0), ("2.5s", "green.png", 60), ("4.5s", "blue.png", 108))  # at, image, frame


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def pictures(folder: Path) -> Path:
    """Three solid pictures, distinct in colour, in folder/keys."""
    (folder / "keys").mkdir(parents=True, exist_ok=True)
    for name, colour in COLOURS.items():
        Image.new("RGB", (640, 360), colour).save(folder / "keys" / name)
    return folder


def board(folder: Path, header: str, shots: str) -> Path:
    path = pictures(folder) / "board.yaml"
    path.write_text(header + "shots:\n" + shots)
    return path


def pinned_shot(pins=PINS, extra: str = "") -> str:
    listed = "".join(f"      - {{at: {at}, image: keys/{image}}}\n" for at, image, _ in pins)
    return f"  - id: colours\n    prompt: the light turns from red to green to blue\n{extra}    keyframes:\n{listed}"


AGENTS = "provider: luma-agents\nmodel: ray-3.2\nresolution: 360p\n"


def mean_colour(video: Path, frame: int) -> np.ndarray:
    return ffmpeg.frame_at(video, frame).reshape(-1, 3).mean(axis=0)


def assert_shows(video: Path, pins=PINS) -> None:
    """Each pinned picture is the frame it is pinned to (its mean colour within a few levels of the image's)."""
    for _, image, frame in pins:
        found, wanted = mean_colour(video, frame), np.array(COLOURS[image])
        assert np.abs(found - wanted).max() < 8, (image, frame, found)
    between = mean_colour(video, (pins[0][2] + pins[1][2]) // 2)  # a dissolve, neither picture alone
    assert all(np.abs(between - np.array(COLOURS[p[1]])).max() > 30 for p in pins)


def test_three_pinned_keyframes_in_a_ray_3_2_shot_show_at_their_frames_through_the_fake(tmp_path, monkeypatch,
                                                                                         capsys):
    path = board(tmp_path, AGENTS, pinned_shot())
    out = tmp_path / "out"
    with running(FakeOptions(latency=0.1)) as fake:
        monkeypatch.setenv("LUMA_BASE_URL", fake.root + PREFIX)
        monkeypatch.setenv("LUMA_AGENTS_API_KEY", "agents-key-0123456789")
        status = main(["run", str(path), "--yes", "--out", str(out)])
        counted = httpx.get(f"{fake.root}/_fake/stats").json()
        (generation,) = fake.fake.generations.values()
    assert status == 0, capsys.readouterr().err
    assert counted["creates"] == 1 and (counted["files"], counted["uploads"]) == (3, 3)  # through the Files API
    assert [p["index"] for p in generation.request["pinned"]] == [frame for *_, frame in PINS]
    assert generation.request["keyframes"] is None  # no start or end frame beside them
    (clip,) = Layout(out).clips.glob("colours*.mp4")
    assert_shows(clip)
    assert_shows(out / "final.mp4")  # the cut plays the shot from its first frame


def test_the_animatic_shows_pinned_pictures_at_their_frames_with_the_caption_off_at_each(tmp_path):
    pins = (("0.5s", "green.png", 12), ("2s", "red.png", 48), ("5s", "blue.png", 120))  # 5s: the grid's end
    path = board(tmp_path, "resolution: 360p\n", pinned_shot(pins))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    (clip,) = Layout(tmp_path / "out").clips.glob("colours*.mp4")
    assert ffmpeg.probe(clip).frames == 120
    assert_shows(clip, (*pins[:2], ("5s", "blue.png", 119)))  # the grid's end is the clip's last frame
    assert np.abs(mean_colour(clip, 0) - np.array(COLOURS["green.png"])).max() < 8  # held before the first pin


def test_the_body_sends_keyframes_with_their_indexes():
    request = ShotRequest(shot_id="s", key="k", model="ray-3.2", resolution="720p", aspect_ratio="16:9",
                          duration_s=10, prompt="three pictures", keyframes=(
                              PinnedKeyframe(0, ImageKeyframe(url="https://example.com/a.png")),
                              PinnedKeyframe(240, ImageKeyframe(path=Path("b.png")))))
    body = request_body(request, {}, [{"url": "https://example.com/a.png"}, {"file_id": "file-b"}])
    assert body["video"] == {"duration": "10s", "resolution": "720p", "loop": False,
                             "keyframes": [{"url": "https://example.com/a.png"}, {"file_id": "file-b"}],
                             "keyframe_indexes": [0, 240]}


def agents_video(**video) -> dict:
    return {"type": "video", "model": "ray-3.2", "prompt": "pinned pictures", "video": {"duration": "5s", **video}}


URL = {"url": "https://example.com/a.png"}


@pytest.mark.parametrize(("video", "status", "said"), [
    ({"keyframes": [], "keyframe_indexes": []}, 422, "at least 1 and at most 64"),
    ({"keyframes": [URL] * 65, "keyframe_indexes": list(range(65))}, 422, "at least 1 and at most 64"),
    ({"keyframes": [URL], "keyframe_indexes": [121]}, 422, "from 0 to 120"),
    ({"keyframes": [URL], "keyframe_indexes": [-1]}, 422, "from 0 to 120"),
    ({"keyframes": [URL, URL], "keyframe_indexes": [3, 3]}, 422, "unique"),
    ({"keyframes": [URL, URL], "keyframe_indexes": [3]}, 422, "Must match keyframes in length"),
    ({"keyframes": [URL]}, 422, "Field required"),
    ({"keyframes": [URL], "keyframe_indexes": [0], "start_frame": URL}, 400, "mutually exclusive"),
    ({"keyframes": [URL], "keyframe_indexes": [0], "end_frame": URL}, 400, "mutually exclusive"),
    ({"keyframes": [URL], "keyframe_indexes": [0], "loop": True}, 400, "mutually exclusive"),
    ({"keyframes": [{"generation_id": "g"}], "keyframe_indexes": [0]}, 400, "start_frame / end_frame only"),
])
def test_the_fake_refuses_keyframes_as_the_api_does(video, status, said):
    with running(FakeOptions(latency=0.05)) as fake:
        answer = httpx.post(f"{fake.root}{PREFIX}/generations", json=agents_video(**video),
                            headers={"Authorization": "Bearer agents-test-key"})
        counted = httpx.get(f"{fake.root}/_fake/stats").json()
    assert answer.status_code == status and said in answer.text, answer.text
    assert counted["creates"] == 0 and counted["refused"] == 1


def test_the_fake_takes_keyframes_on_a_ten_second_grid():
    with running(FakeOptions(latency=0.05)) as fake:
        answer = httpx.post(f"{fake.root}{PREFIX}/generations", headers={"Authorization": "Bearer k"},
                            json=agents_video(duration="10s", keyframes=[URL], keyframe_indexes=[240]))
    assert answer.status_code == 201, answer.text


def refusals(path: Path, provider: str | None = None) -> list[str]:
    with pytest.raises(StoryboardError) as caught:
        load(path, provider=provider)
    return [str(p) for p in caught.value.problems]


def test_a_provider_that_cannot_pin_is_refused_with_the_ones_that_can(tmp_path):
    path = board(tmp_path, "model: ray-2\nresolution: 720p\n", pinned_shot())
    (said,) = refusals(path, provider="luma")
    assert said.startswith(f"{path}:6:") and "shots[0].keyframes" in said and "cannot pin keyframes" in said
    assert "luma-agents (ray-3.2)" in said and "`start` or `end` image" in said
    assert load(path).plan().shots[0].source == "text, 3 pinned keyframes"  # the animatic pins for any model


def test_more_pins_than_the_model_takes_are_refused(tmp_path):
    listed = "".join(f"      - {{at: {frame / 24!r}, image: keys/red.png}}\n" for frame in range(65))
    path = board(tmp_path, AGENTS, "  - prompt: sixty-five pins\n    keyframes:\n" + listed)
    (said,) = refusals(path)
    assert said.startswith(f"{path}:6:") and "65 pinned keyframes" in said and "at most 64" in said


@pytest.mark.parametrize(("at", "said"), [
    ("5.5s", "keyframes[1].at: 5.5s is after the end of this 5s shot"),
    ("0.1s", "falls between two frames (the grid is 1/24 s); use 0.0833s (frame 2) or 0.125s (frame 3)"),
    ("0s", "keyframes[0] is pinned at the same frame (0)"),
    ("soon", "`keyframes[1].at`: 'soon' is not a time"),
])
def test_a_time_off_the_shot_or_its_frames_is_refused(tmp_path, at, said):
    path = board(tmp_path, AGENTS, pinned_shot((PINS[0], (at, "green.png", None))))
    (problem,) = refusals(path)
    assert problem.startswith(f"{path}:9:") and said.replace("`", "") in problem.replace("`", "")


@pytest.mark.parametrize(("extra", "line", "said"), [
    ("    start: keys/red.png\n", 7, "cannot also have a start keyframe"),
    ("    end: keys/red.png\n", 7, "cannot also have an end keyframe; pin the end picture `at: 5s`"),
    ("    loop: true\n", 7, "cannot loop; set `loop: false`"),
])
def test_pins_with_a_start_an_end_or_a_loop_are_refused(tmp_path, extra, line, said):
    path = board(tmp_path, AGENTS, pinned_shot(extra=extra))
    (problem,) = refusals(path)
    assert problem.startswith(f"{path}:{line}:") and said in problem


def test_a_pinned_shot_that_would_extend_the_one_before_is_told_to_start_a_chain(tmp_path):
    first = "  - id: before\n    prompt: a lighthouse at dusk\n"
    path = board(tmp_path, AGENTS, first + pinned_shot())
    (problem,) = refusals(path)
    assert problem.startswith(f"{path}:9:") and "add `start: none`" in problem
    path.write_text(AGENTS + "shots:\n" + first + pinned_shot(extra="    start: none\n"))
    assert load(path).plan().shots[1].parent is None


def test_a_pinned_image_is_checked_and_its_bytes_are_in_the_key(tmp_path):
    path = board(tmp_path, AGENTS, pinned_shot())
    before = load(path).plan().shots[0]
    Image.new("RGB", (640, 360), (200, 200, 0)).save(tmp_path / "keys" / "green.png")
    after = load(path).plan().shots[0]
    assert after.key != before.key and changes.since(after, before.asks) == "pinned keyframes changed"
    (tmp_path / "keys" / "green.png").unlink()
    (problem,) = refusals(path)
    assert "keyframes[1].image" in problem and "not found" in problem


def test_a_ten_second_shot_may_pin_its_last_frame(tmp_path):
    path = board(tmp_path, AGENTS, pinned_shot((("0s", "red.png", 0), ("10s", "blue.png", 240)),
                                               extra="    duration: 10s\n"))
    planned = load(path).plan().shots[0]
    assert planned.frames == 240 and planned.asks["pinned"][-1][0] == 240


def test_the_review_page_shows_a_pinned_shot_before_it_is_made_by_its_first_and_last_pictures(tmp_path):
    path = board(tmp_path, AGENTS, pinned_shot())
    project = load(path)
    folder = tmp_path / "thumbs"
    made = preview.thumbs.make_all(model.read(project, project.plan(), tmp_path / "out"), folder)["colours"]
    assert not made.real
    for name, image in ((made.first, "red.png"), (made.last, "blue.png")):
        found = np.asarray(Image.open(folder / name).convert("RGB")).reshape(-1, 3).mean(axis=0)
        assert np.abs(found - np.array(COLOURS[image])).max() < 8, (name, found)


def test_the_providers_table_says_who_pins_and_how_many(capsys):
    assert main(["providers", "--json"]) == 0
    rows = {(r["provider"], r["model"]): r["pinned_keyframes"] for r in json.loads(capsys.readouterr().out)}
    assert rows[("luma-agents", "ray-3.2")] == 64 and rows[("animatic", "ray-2")] == 64
    assert rows[("luma", "ray-2")] == rows[("aigateway", "ray-2")] == rows[("crazyrouter", "ray-2")] == 0
    assert main(["providers"]) == 0
    assert "| start, end, 64 pinned (public URL, upload) |" in capsys.readouterr().out
