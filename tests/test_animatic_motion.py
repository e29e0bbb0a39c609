"""Camera concepts move the picture the right way: measured on rendered, decoded frames of marked pictures."""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.animatic import render_shot
from pipeline.animatic.framing import View, inside
from pipeline.animatic.motion import IDENTITY, MOVES, Camera, Pose, ease
from pipeline.formats import ASPECT_RATIOS, frame_size
from pipeline.providers.base import ImageKeyframe, ShotRequest
from pipeline.storyboard.camera import CONCEPTS

W, H = 960, 540  # 540p 16:9: the pictures below are drawn at the frame's size, so nothing is cropped
CENTRE = (W // 2, H // 2)
HOLDS = ("static", "low_angle", "high_angle", "overhead", "pov", "selfie", "over_the_shoulder",
         "ground_level", "eye_level", "bolt_cam", "tiny_planet", "elevator_doors")


def marked(path: Path, dot: tuple[int, int] = CENTRE, corner_dot: bool = False) -> Path:
    """Grey ground with soft texture, a white square in the middle and a red dot at `dot` (and a blue one
    near the top-left corner): things whose size and position a test can measure."""
    y, x = np.mgrid[:H, :W]
    ground = 70 + 12 * np.sin(x / 23.0) * np.cos(y / 17.0)
    image = Image.fromarray(np.repeat(ground[:, :, None], 3, axis=2).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle((W / 2 - 54, H / 2 - 54, W / 2 + 54, H / 2 + 54), fill=(255, 255, 255))
    draw.ellipse((dot[0] - 12, dot[1] - 12, dot[0] + 12, dot[1] + 12), fill=(230, 20, 20))
    if corner_dot:
        draw.ellipse((W * 0.2 - 12, H * 0.2 - 12, W * 0.2 + 12, H * 0.2 + 12), fill=(20, 40, 230))
    image.save(path)
    return path


def film(tmp_path: Path, concepts: tuple[str, ...], seconds: int = 1, **marks) -> list[np.ndarray]:
    shot = ShotRequest(shot_id="m", key="k" * 16, model="ray-2", resolution="540p", aspect_ratio="16:9",
                       duration_s=seconds, concepts=concepts,
                       start=ImageKeyframe(path=marked(tmp_path / "marked.png", **marks)))
    render_shot(shot, tmp_path / "clip.mp4", burn_in=False)
    with av.open(str(tmp_path / "clip.mp4")) as box:
        return [f.to_ndarray(format="rgb24") for f in box.decode(video=0)]


def red(frame: np.ndarray) -> np.ndarray:
    """Centroid (x, y) of the red dot."""
    ys, xs = np.nonzero((frame[:, :, 0] > 150) & (frame[:, :, 1] < 90) & (frame[:, :, 2] < 90))
    assert len(xs) > 50, "the red dot is in frame"
    return np.array([xs.mean(), ys.mean()])


def blue(frame: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero((frame[:, :, 2] > 150) & (frame[:, :, 0] < 90))
    assert len(xs) > 50, "the blue dot is in frame"
    return np.array([xs.mean(), ys.mean()])


def square(frame: np.ndarray) -> float:
    """Side of the white square, from its area."""
    return math.sqrt(((frame > 200).all(axis=2)).sum())


@pytest.mark.parametrize(("concept", "growth"), [
    ("push_in", 1.3), ("zoom_in", 1.36), ("pull_out", 1 / 1.3), ("zoom_out", 1 / 1.36)])
def test_zooms_scale_the_picture_about_the_centre(tmp_path, concept, growth):
    shown = film(tmp_path, (concept,))
    assert square(shown[-1]) / square(shown[0]) == pytest.approx(growth, rel=0.04)
    assert red(shown[-1]) == pytest.approx(CENTRE, abs=1.5)


@pytest.mark.parametrize(("concept", "moves"), [
    ("pan_right", (-1, 0)), ("truck_right", (-1, 0)), ("pan_left", (1, 0)), ("truck_left", (1, 0)),
    ("tilt_up", (0, 1)), ("pedestal_up", (0, 1)), ("tilt_down", (0, -1)), ("pedestal_down", (0, -1)),
    ("crane_up", (0, 1)), ("crane_down", (0, -1)), ("orbit_left", (1, 0)), ("orbit_right", (-1, 0))])
def test_the_picture_moves_against_the_camera(tmp_path, concept, moves):
    shown = film(tmp_path, (concept,))
    travel = red(shown[-1]) - red(shown[0])
    along = travel @ np.array(moves)
    assert along > 0.1 * (W if moves[0] else H), f"{concept} moved the dot by {travel}"
    assert abs(travel @ np.array(moves[::-1])) < 2, "and only along its axis"


def test_orbit_adds_a_slight_push(tmp_path):
    shown = film(tmp_path, ("orbit_right",))
    assert 1.02 < square(shown[-1]) / square(shown[0]) < 1.1


@pytest.mark.parametrize(("concept", "turn"), [("roll_left", 1), ("roll_right", -1)])
def test_roll_left_turns_the_picture_clockwise_on_screen(tmp_path, concept, turn):
    # The camera rolls counter-clockwise, so the world turns clockwise: with y pointing down, a dot to the
    # right of centre goes down (a positive angle).
    shown = film(tmp_path, (concept,), dot=(W // 2 + 200, H // 2))
    angle = [math.degrees(math.atan2(*(red(f) - CENTRE)[::-1])) for f in (shown[0], shown[-1])]
    assert angle[0] == pytest.approx(0, abs=0.5)
    assert turn * angle[1] == pytest.approx(6, abs=1)


@pytest.mark.parametrize("aspect", ASPECT_RATIOS)
def test_a_roll_zooms_just_enough_to_keep_the_corners_in_the_picture(aspect):
    width, height = frame_size("540p", aspect)
    for concept in ("roll_left", "roll_right"):
        pose = Camera.of((concept,), width / height).pose(1, 5)
        frame = (width, height)
        assert inside(View().moved(pose, frame), frame, frame), "a frame-sized picture still covers it"
        assert not inside(View().moved(Pose(pose.zoom * 0.97, pose.angle), frame), frame, frame), "no more zoom"


def test_dolly_zoom_grows_the_centre_while_the_edges_recede(tmp_path):
    shown = film(tmp_path, ("dolly_zoom",), corner_dot=True)
    assert square(shown[-1]) / square(shown[0]) > 1.15
    # The picture is frame-sized, so the shot opens framed closer and widens out to the whole picture.
    assert np.linalg.norm(blue(shown[-1]) - CENTRE) < 0.9 * np.linalg.norm(blue(shown[0]) - CENTRE)


def test_handheld_wanders_smoothly_and_a_little(tmp_path):
    shown = film(tmp_path, ("handheld",), seconds=3)
    path = np.array([red(f) for f in shown])
    wander = np.linalg.norm(path - path[0], axis=1)
    assert wander[0] == 0 and 3 < wander.max() < 0.03 * W
    steps = np.diff(path, axis=0)
    assert np.linalg.norm(steps, axis=1).max() < 4, "a few pixels a frame at most"
    assert np.linalg.norm(np.diff(steps, axis=0), axis=1).max() < 1.5, "smooth: no jolts between frames"


@pytest.mark.parametrize(("concept", "drift"), [("aerial", (1, -1)), ("aerial_drone", (-1, 1))])
def test_aerials_pull_back_and_drift(tmp_path, concept, drift):
    shown = film(tmp_path, (concept,))
    assert square(shown[-1]) / square(shown[0]) < 0.9
    travel = red(shown[-1]) - red(shown[0])
    assert (np.sign(travel) == drift).all() and np.abs(travel).min() > 10


def test_static_holds_the_picture(tmp_path):
    shown = film(tmp_path, ("static", "overhead"))
    assert np.abs(shown[-1].astype(int) - shown[0]).mean() < 0.5


@pytest.mark.parametrize("concept", HOLDS)
def test_angle_concepts_hold_still(concept):
    camera = Camera.of((concept,), 16 / 9)
    assert all(camera.pose(s, s * 5) == IDENTITY for s in (0, 0.5, 1))


def test_aliases_resolve_and_static_stays_static_even_on_the_way_to_an_end_picture():
    assert Camera.of(("dolly_in",), 1.0).pose(1, 5) == Camera.of(("push_in",), 1.0).pose(1, 5)
    assert Camera.of(("static",), 1.0, travel=True).pose(0.5, 2) == IDENTITY
    assert Camera.of((), 1.0, travel=True).pose(0.5, 2).zoom > 1, "with no camera named, it drifts in"


def test_concepts_combine(tmp_path):
    shown = film(tmp_path, ("push_in", "pan_right"))
    assert square(shown[-1]) / square(shown[0]) == pytest.approx(1.3, rel=0.04)
    assert red(shown[-1])[0] < CENTRE[0] - 0.1 * W


@pytest.mark.parametrize("concept", CONCEPTS)
def test_every_concept_starts_untouched_and_an_end_layer_lands_untouched(concept):
    camera = Camera.of((concept, "handheld"), 9 / 16)
    assert concept in MOVES
    assert camera.pose(0, 0) == IDENTITY == camera.pose(0, 5), "an end picture (s - 1 = 0) lands still"
    assert camera.pose(0.5, 2.5) != IDENTITY


def test_moves_ease_in_and_out():
    camera = Camera.of(("pan_left",), 16 / 9)
    xs = [camera.pose(ease(i / 100), 0).dx for i in range(101)]
    steps = np.diff(xs)
    assert steps[0] < steps[50] / 20 and steps[-1] < steps[50] / 20
