"""Burnt-in captions stay inside the frame: long words are broken across lines, and characters no font can
draw are burnt in as U+FFFD and said once."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from pipeline.assembly import caption_text
from pipeline.cli import main

from .test_assemble import frames_of

LONG = "W" * 60


def test_wrapped_lines_fit_and_keep_every_character():
    font = caption_text.face(40)
    text = f"a {LONG} word, then more words that wrap\nsecond line"
    lines = caption_text.wrapped(text, 40, 300).split("\n")
    assert all(font.getlength(line) <= 300 for line in lines) and len(lines) > 5
    assert "".join(text.split()) == "".join("".join(lines).split())


def test_characters_no_font_has_become_a_visible_replacement():
    given = "Tokyo 東京 🎬 café 東"
    text, missing = caption_text.drawable(given)
    assert "Tokyo" in text and "café" in text  # what the fonts cover is kept
    # which characters are missing depends on the machine's fonts (DejaVu alone has none of these three)
    assert set(missing) == {c for c in "東京🎬" if c not in text} and len(missing) == len(set(missing))
    assert text.count("\ufffd") == sum(given.count(c) for c in missing)
    assert caption_text.drawable("\U0010fffd")[1] == ["\U0010fffd"]  # a character no font has, anywhere


@pytest.mark.parametrize("aspect", ["9:16", "16:9"])
def test_a_long_word_and_undrawable_text_burn_inside_the_frame(aspect, tmp_path, capsys):
    board = tmp_path / "board.yaml"
    board.write_text(yaml.safe_dump({"resolution": "540p", "aspect_ratio": aspect, "shots": [
        {"id": "first", "prompt": "a quiet grey morning", "caption": f"{LONG} 東京 🎬 done"},
        {"id": "second", "prompt": "a quiet grey evening", "caption": f"again {LONG} 🎬"}]}))
    out = tmp_path / "out"
    assert main(["run", str(board), "--out", str(out), "--no-burn-in", "--quiet"]) == 0
    plain = frames_of(out / "final.mp4")
    capsys.readouterr()
    assert main(["assemble", str(board), "--out", str(out), "--no-burn-in", "--burn-captions"]) == 0
    err = capsys.readouterr().err
    burnt = frames_of(out / "final.mp4")
    for n in (60, 180):  # one frame of each caption
        changed = np.abs(plain[n].astype(int) - burnt[n].astype(int)).max(axis=2) > 40
        columns = np.nonzero(changed.any(axis=0))[0]
        width = changed.shape[1]
        assert len(columns), f"frame {n}: the caption shows"
        assert columns.min() >= 0.02 * width and columns.max() <= 0.98 * width, (n, columns.min(), columns.max())
    lacking = caption_text.drawable("🎬")[1]
    assert err.count("no font here can draw") == (1 if lacking else 0) and ("🎬" in err) == bool(lacking)
