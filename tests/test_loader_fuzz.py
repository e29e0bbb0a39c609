"""Property: whatever the text, loading ends in a valid storyboard or a StoryboardError with locations."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import StoryboardError, load
from pipeline.storyboard.model import Shot, Storyboard

from . import mutations

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "storyboards").glob("*.yaml")) + [ROOT / "pipeline/storyboard/templates/starter.yaml"]
EXAMPLES += sorted((ROOT / "tests/broken").glob("*.yaml"))
# The hypothesis tests shrink a failure to a small case; the mutation loop below covers far more ground.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

KEYS = [*Storyboard.model_fields, *Shot.model_fields, "shot", "type", "path", "volume", "promt", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["5s", "9s", "none", "16:9", "push_in", "dolly in",
                                                           "still.png", "assets/rocket/pad.jpg", "https://x.test/a.png"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=30)


def check_outcome(path: Path) -> None:
    try:
        project = load(path)
    except StoryboardError as exc:
        assert exc.problems, "a StoryboardError must carry at least one problem"
        for problem in exc.problems:
            assert problem.file == str(path) and problem.line >= 1 and problem.col >= 1
            assert problem.message
    else:
        assert project.plan().shots


def write(folder: Path, text: str) -> Path:
    """Write beside the examples' media, so mutated examples still find their files."""
    if not (folder / "assets").exists() and (ROOT / "storyboards/assets").exists():
        (folder / "assets").symlink_to(ROOT / "storyboards/assets")
    path = folder / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@FUZZ
@given(doc=documents)
def test_random_documents(tmp_path_factory, doc):
    folder = tmp_path_factory.getbasetemp() / "fuzz-docs"
    folder.mkdir(exist_ok=True)
    check_outcome(write(folder, yaml.safe_dump(doc, allow_unicode=True)))


@FUZZ
@given(data=st.data(), example=st.sampled_from(EXAMPLES))
def test_mutated_examples(tmp_path_factory, data, example):
    folder = tmp_path_factory.getbasetemp() / "fuzz-mutants"
    folder.mkdir(exist_ok=True)
    text = example.read_text()
    for _ in range(data.draw(st.integers(1, 4))):
        text = data.draw(mutation(text))
    check_outcome(write(folder, text))


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text(tmp_path_factory, text):
    folder = tmp_path_factory.getbasetemp() / "fuzz-text"
    folder.mkdir(exist_ok=True)
    check_outcome(write(folder, text))


def mutation(text: str) -> st.SearchStrategy[str]:
    lines = text.splitlines(keepends=True) or [""]
    at = st.integers(0, max(len(text) - 1, 0))
    line = st.integers(0, len(lines) - 1)
    pieces = st.sampled_from([":", "-", " ", "  ", "\n", "[", "{", "}", "]", "'", '"', "&a", "*a", "#", "!!str",
                              "shot", "9s", "none", "loop: true", "start: {shot: x}", "\t", "\x00"])
    return st.one_of(
        st.builds(lambda i: text[:i] + text[i + 1:], at),  # delete a character
        st.builds(lambda i, p: text[:i] + p + text[i:], at, pieces | st.text(max_size=3)),  # insert
        st.builds(lambda i: "".join(lines[:i] + lines[i + 1:]), line),  # drop a line
        st.builds(lambda i: "".join(lines[:i + 1] + lines[i:]), line),  # repeat a line
        st.builds(lambda i, j: "".join(_swap(lines, i, j)), line, line),
    )


def _swap(lines: list[str], i: int, j: int) -> list[str]:
    out = list(lines)
    out[i], out[j] = out[j], out[i]
    return out


MUTATIONS = int(os.environ.get("FUZZ_MUTATIONS", "5000"))


def test_thousands_of_mutated_examples_end_in_storyboard_errors(tmp_path):
    """tests/mutations.py's edits (other types, tags, dropped and repeated keys, shot references, odd text),
    loaded in process with a fixed seed, so a failure repeats; bench/fuzz_loader.py runs 50,000 of them."""
    crashes: list[str] = []
    counts = mutations.run(MUTATIONS, seed=12, folder=tmp_path,
                           on_crash=lambda name, text: crashes.append(f"{name}:\n{text}") if not crashes else None)
    assert counts == {}, f"{counts}; the first:\n{crashes[0]}"
