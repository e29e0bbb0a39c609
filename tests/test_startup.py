"""The commands that read a storyboard import only what they use: PyAV, numpy, rich, watchfiles, the HTTP
stack and the preview server stay out of `validate` and `plan --json` of a text storyboard, and the output
is the one the full import gave."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("av", "numpy", "rich", "watchfiles", "httpx", "uvicorn", "starlette", "asyncio", "boto3")
BOARD = """\
shots:
  - id: dawn
    prompt: A lighthouse at dawn
  - id: climb
    prompt: The keeper climbs the stairs
"""
# Run the CLI in a fresh interpreter, then list what it imported; stdout keeps the command's own output.
PROBE = """\
import json, sys
from pipeline.cli.app import main
code = main(sys.argv[2:])
open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules)))
sys.exit(code)
"""


def imported(tmp_path: Path, *args: str) -> tuple[set[str], str]:
    listing = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args], capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    return {name.split(".")[0] for name in json.loads(listing.read_text())}, done.stdout


@pytest.mark.parametrize("command", [["validate"], ["plan", "--json"]])
def test_reading_a_text_storyboard_imports_no_media_table_or_server_library(tmp_path, command):
    board = tmp_path / "film.yaml"
    board.write_text(BOARD)
    modules, _ = imported(tmp_path, *command, str(board))
    assert "pipeline" in modules and "pydantic" in modules
    assert sorted(modules & set(HEAVY)) == []


def test_the_plan_table_still_draws_with_rich_imported_late(tmp_path):
    board = tmp_path / "film.yaml"
    board.write_text(BOARD)
    modules, said = imported(tmp_path, "plan", str(board))
    assert "rich" in modules
    assert "dawn" in said and "climb" in said and "estimated cost $0.00" in said
