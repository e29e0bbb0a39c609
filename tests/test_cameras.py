"""`pipeline cameras`, the words filmmakers use for camera moves, and alias notes said once per name."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.storyboard import camera


def test_cameras_lists_every_key_with_what_it_does_and_its_aliases(capsys):
    assert main(["cameras", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    moves = {m["key"]: m for m in listed["cameras"]}
    assert list(moves) == list(camera.CONCEPTS)
    assert all(m["description"] for m in moves.values())
    assert "dolly in" in moves["push_in"]["aliases"] and "drone" in moves["aerial_drone"]["aliases"]
    assert "ken burns" in listed["words"]
    assert main(["cameras"]) == 0
    text = capsys.readouterr().out
    assert "dolly_zoom" in text and "vertigo" in text and "camera: [push_in, handheld]" in text


@pytest.mark.parametrize(("word", "key"), [
    ("zoom in", "zoom_in"), ("zoom out", "zoom_out"), ("drone", "aerial_drone"), ("aerial", "aerial"),
    ("handheld", "handheld"), ("hand-held", "handheld"), ("Dolly In", "push_in"), ("dutch angle", "roll_left"),
    ("camera orbit left", "orbit_left"), ("shaky cam", "handheld"), ("bird's eye", "overhead")])
def test_words_read_as_a_concept(word, key):
    assert camera.resolve(word) == key


@pytest.mark.parametrize(("word", "hint"), [
    ("dolly", "push_in"), ("crash zoom", "zoom_in"), ("whip pan", "pan_left"), ("ken burns", "pan_right"),
    ("tracking shot", "truck_left"), ("steadicam", "truck_right"), ("jib", "crane_up"), ("zoom shot", "zoom_out")])
def test_words_for_several_moves_suggest_them_not_a_lookalike(word, hint, tmp_path, capsys):
    assert camera.resolve(word) is None
    board = tmp_path / "board.yaml"
    board.write_text(f"shots:\n  - prompt: a quiet harbour\n    camera: {word}\n")
    assert main(["validate", str(board)]) == 1
    err = capsys.readouterr().err
    assert f"`{word}` is not a camera move Luma knows; did you mean" in err and hint in err
    assert "zolly" not in err


def test_an_alias_used_in_many_shots_is_noted_once(tmp_path, capsys):
    board = tmp_path / "board.yaml"
    board.write_text("shots:\n" + "".join(f"  - prompt: shot number {n}\n    camera: dolly in\n" for n in range(5))
                     + "  - prompt: the last one\n    camera: [Dolly In, zoom]\n")
    assert main(["plan", str(board), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.count("is read as Luma's `push_in`") == 1
    assert "`dolly in` is read as Luma's `push_in` (also in shots[1], shots[2], shots[3], shots[4], shots[5])" in err
    assert err.count("is read as Luma's `zoom_in`") == 1
