"""Warnings that do not stop a storyboard: a keyframe the film's frame crops, a transition that hides a shot."""

from __future__ import annotations

import pytest
from PIL import Image

from pipeline.cli import main


def board(tmp_path, text: str):
    path = tmp_path / "board.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("size", "aspect", "said"), [
    ((1920, 1080), "9:16", "is 16:9 (1920x1080) in a 9:16 film: 68% of its width is cropped"),
    ((1080, 1920), "16:9", "is 9:16 (1080x1920) in a 16:9 film: 68% of its height is cropped"),
    ((1000, 1000), "16:9", "is 1:1 (1000x1000) in a 16:9 film: 44% of its height is cropped"),
    ((1280, 720), "1:1", "is 16:9 (1280x720) in a 1:1 film: 44% of its width is cropped")])
def test_a_keyframe_of_another_aspect_says_how_much_is_cropped(size, aspect, said, tmp_path, capsys):
    Image.new("RGB", size, (30, 60, 90)).save(tmp_path / "key.png")
    path = board(tmp_path, f'aspect_ratio: "{aspect}"\nshots:\n  - prompt: a quiet harbour\n    start: key.png\n')
    assert main(["validate", str(path)]) == 0  # a warning, not a failure
    out, err = capsys.readouterr()
    assert f"{path}:4:12: warning: shots[0].start: `key.png` {said}" in err and ": ok:" in out


def test_a_keyframe_of_the_films_aspect_says_nothing(tmp_path, capsys):
    Image.new("RGB", (1280, 722), (30, 60, 90)).save(tmp_path / "key.png")  # within rounding of 16:9
    path = board(tmp_path, "shots:\n  - prompt: a quiet harbour\n    end: key.png\n")
    assert main(["validate", str(path)]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(("seconds", "warned"), [(3, True), (2.5, False), (1, False)])
def test_a_dissolve_over_half_a_shot_warns(seconds, warned, tmp_path, capsys):
    path = board(tmp_path, "shots:\n  - prompt: a quiet harbour\n  - prompt: a boat leaves\n    start: none\n"
                           f"    transition: {{type: dissolve, duration: {seconds}}}\n")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    expected = (f"{path}:5:5: warning: shots[1].transition: a {seconds:g} s dissolve is more than half of the 5 s "
                "shot it joins")
    assert (expected in err) is warned


def test_a_transition_as_long_as_a_shot_is_still_an_error(tmp_path, capsys):
    path = board(tmp_path, "shots:\n  - prompt: a quiet harbour\n  - prompt: a boat leaves\n    start: none\n"
                           "    transition: {type: fade, duration: 5}\n")
    assert main(["validate", str(path)]) == 1
    assert "a 5 s fade is as long as a shot it joins" in capsys.readouterr().err
