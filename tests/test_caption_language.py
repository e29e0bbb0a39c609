"""caption_language: the film's captions' language, the tag on the cut's subtitle stream, checked at load."""

from __future__ import annotations

import av
import pytest
import yaml

from pipeline.cli import main


def board(tmp_path, **settings):
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump({"resolution": "540p", **settings, "shots": [
        {"id": "first", "prompt": "a quiet grey morning", "caption": "Le matin"},
        {"id": "second", "start": "none", "prompt": "a quiet grey evening", "caption": "Le soir"}]}))
    return path


def subtitle_language(cut) -> list[tuple[str, str]]:
    with av.open(str(cut)) as box:
        return [(s.codec_context.name, s.language) for s in box.streams.subtitles]


@pytest.mark.parametrize(("given", "tag"), [(None, "eng"), ("fra", "fra"), ("JPN", "jpn")])
def test_the_subtitle_stream_is_tagged_with_the_caption_language(given, tag, tmp_path):
    path = board(tmp_path, **({"caption_language": given} if given else {}))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-burn-in", "--quiet"]) == 0
    assert subtitle_language(out / "final.mp4") == [("mov_text", tag)]
    assert main(["preview", str(path), "--out", str(out)]) == 0
    track = {"eng": 'srclang="en"', "fra": 'srclang="fr"', "jpn": 'srclang="ja"'}[tag]
    assert track in (out / "preview" / "index.html").read_text()


@pytest.mark.parametrize(("given", "said"), [
    ("en", "'en' is not an ISO 639-2 language code (three letters); use `eng`"),
    ("French", "'French' is not an ISO 639-2 language code (three letters); use `fra`"),
    ("klingon", "'klingon' is not an ISO 639-2 language code (three letters); use e.g. `eng` for English"),
    (12, "12 is not an ISO 639-2 language code")])
def test_a_caption_language_that_is_not_a_code_says_which_to_write(given, said, tmp_path, capsys):
    path = board(tmp_path, caption_language=given)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1:19: caption_language: {said}" in err, err
