"""libyaml's parser (where PyYAML has it) gives the same data and the same line and column for every key and
value as the Python parser; a document it refuses is said in the Python parser's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.storyboard import yamlsource

ROOT = Path(__file__).parent.parent
FILES = sorted([*ROOT.glob("storyboards/*.yaml"), *ROOT.glob("tests/broken/*.yaml"),
                *ROOT.glob("pipeline/storyboard/templates/*.yaml")])

needs_libyaml = pytest.mark.skipif(yamlsource._FAST is None, reason="PyYAML was built without libyaml")


def outcome(text: str, kind) -> object:
    try:
        located = yamlsource._parse(text, kind)
    except yamlsource.SourceError as exc:
        return ("refused", exc.line, exc.col)
    return (located.data, located.keys, located.values)


@needs_libyaml
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_both_parsers_agree(path):
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    fast, slow = outcome(text, yamlsource._FAST), outcome(text, yamlsource._Loader)
    if fast[0] == "refused" or slow[0] == "refused":
        assert fast[0] == slow[0] == "refused"  # refused by both (where: the Python parser's, see below)
    else:
        assert fast == slow


@needs_libyaml
def test_a_refusal_is_worded_by_the_python_parser():
    text = "shots:\n  - prompt: a: b\n"
    with pytest.raises(yamlsource.SourceError) as caught:
        yamlsource.parse(text)
    with pytest.raises(yamlsource.SourceError) as python:
        yamlsource._parse(text, yamlsource._Loader)
    assert (caught.value.line, caught.value.col, caught.value.message) == (
        python.value.line, python.value.col, python.value.message)


@needs_libyaml
def test_the_fast_parser_is_the_one_used(monkeypatch):
    used = []
    real = yamlsource._parse
    monkeypatch.setattr(yamlsource, "_parse", lambda text, kind: used.append(kind) or real(text, kind))
    yamlsource.parse((ROOT / "storyboards/rocket.yaml").read_text())
    assert used == [yamlsource._FAST]
