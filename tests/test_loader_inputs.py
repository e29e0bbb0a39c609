"""Inputs that once crashed the loader or were called the wrong thing: each ends in a located StoryboardError."""

from __future__ import annotations

import pytest
from PIL import Image

from pipeline import StoryboardError, load
from pipeline.storyboard.media_checks import MAX_PIXELS


def _board(folder, keyframe: str):
    path = folder / "film.yaml"
    path.write_text(f"shots:\n  - prompt: A lighthouse at dusk\n    start: {keyframe}\n", encoding="utf-8")
    return path


def _png(path, size):
    """A real PNG of `size` (1 bit a pixel, so a huge one stays small on disk and in memory)."""
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        Image.new("1", size).save(path)
    finally:
        Image.MAX_IMAGE_PIXELS = limit


@pytest.mark.parametrize("size", [(20000, 20000), (12000, 9000)])  # beyond ffmpeg's limit; beyond the animatic's
def test_a_valid_picture_too_large_says_its_size_and_the_limit(tmp_path, size):
    _png(tmp_path / "huge.png", size)
    with pytest.raises(StoryboardError) as caught:
        load(_board(tmp_path, "huge.png"))
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (3, 12)
    assert f"`huge.png` is {size[0]}x{size[1]} pixels" in problem.message
    assert f"at most {MAX_PIXELS / 1e6:.0f} MP" in problem.message and "scale it down" in problem.message


def test_a_picture_at_the_limit_loads(tmp_path):
    _png(tmp_path / "big.png", (9000, 9000))
    assert load(_board(tmp_path, "big.png")).plan().shots


def test_an_escaped_surrogate_pair_is_the_character_it_encodes(tmp_path):
    path = tmp_path / "film.yaml"
    path.write_text('shots:\n  - prompt: "A rocket \\ud83d\\ude80 climbs"\n', encoding="utf-8")
    assert load(path).board.shots[0].prompt == "A rocket \U0001F680 climbs"
