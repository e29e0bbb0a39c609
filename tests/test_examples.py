"""The example storyboards validate, and their plans match the golden files in tests/golden/.

Regenerate the golden files after an intended change with UPDATE_GOLDEN=1 pytest tests/test_examples.py,
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "storyboards").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"


def test_there_are_three_examples():
    assert {p.stem for p in EXAMPLES} >= {"rocket", "watch", "short-film"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("provider", ["animatic", "luma"])
def test_plan_json_matches_golden(example, provider, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)  # paths in the plan are as the user typed them
    args = ["plan", f"storyboards/{example.name}", "--json", "--provider", provider,
            "--out", str(tmp_path / "nothing-run-here")]  # a journal in output/ would change what it says
    assert main(args + (["--asset-base-url", "https://cdn.example.com/film"] if provider == "luma" else [])) == 0
    out = capsys.readouterr().out
    golden = GOLDEN / f"{example.stem}.{provider}.plan.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert json.loads(out) == json.loads(golden.read_text())
