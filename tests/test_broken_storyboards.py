"""Each file in tests/broken/ is a storyboard with mistakes; its trailing `# expect:` lines are the exact
messages (line:col: text) that validation must print, all of them, in one pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))


def expectations(path: Path) -> list[str]:
    return [line.removeprefix("# expect: ") for line in path.read_text().splitlines()
            if line.startswith("# expect: ")]


@pytest.fixture
def folder(tmp_path, media) -> Path:
    for file in media.values():
        shutil.copy(file, tmp_path / file.name)
    return tmp_path


def test_there_are_enough_cases():
    assert len(BROKEN) >= 30
    assert all(expectations(p) for p in BROKEN)


@pytest.mark.parametrize("case", BROKEN, ids=lambda p: p.stem)
def test_broken_storyboard_reports_exact_problems(case, folder, capsys):
    target = folder / case.name
    shutil.copy(case, target)
    status = main(["validate", str(target)])
    err = capsys.readouterr().err
    printed = [line.removeprefix(f"{target}:") for line in err.splitlines() if line.startswith(str(target))]
    wanted = [e.replace("{dir}", str(folder)) for e in expectations(case)]
    assert status == 1
    assert printed == wanted
    assert "Traceback" not in err
