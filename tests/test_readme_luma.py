"""The README's "Generating with Luma" section, run as written: every fenced `sh` block of it, each as one bash
script (so `&` and `kill %1` mean what they say), in a copy of the storyboards, offline.

Conventions the README keeps and this test relies on:
- a block preceded by `<!-- readme-test: skip (why) -->` is not run (the real run spends money); every other
  block must run offline and exit 0;
- the fake server's port, 8800, is replaced by a free one, so that two test runs on one machine do not meet;
- no Luma key or base URL is in the environment: a command that needs one fails here, as it would for a reader
  who has none yet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Generating with Luma"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```sh\n(?P<body>.*?)^(?P=indent)```", re.S | re.M)
README_PORT = "8800"


def section(readme: str) -> str:
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    return readme[start:end if end != -1 else None]


def blocks(text: str) -> list[tuple[str, str | None]]:
    """Each `sh` block's commands (dedented) and the reason it is skipped, if it is."""
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        skipped = SKIP.fullmatch(before[-1].strip()) if before else None
        found.append((textwrap.dedent(match["body"]), skipped["why"] if skipped else None))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUMAAI_", "LUMA_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # this checkout's `pipeline`
    env.pop("PIPELINE_DEBUG", None)
    return env


def run_block(script: str, cwd: Path) -> subprocess.CompletedProcess:
    # The trap stops what a block left in the background, even when one of its commands fails.
    wrapped = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script
    return subprocess.run(["bash", "-c", wrapped], cwd=cwd, env=offline_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=240)


@pytest.fixture(scope="module")
def luma_section() -> str:
    return section((ROOT / "README.md").read_text())


@pytest.fixture
def workdir(tmp_path) -> Path:
    shutil.copytree(ROOT / "storyboards", tmp_path / "storyboards", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_section_has_runnable_blocks_and_skips_only_what_spends(luma_section):
    found = blocks(luma_section)
    runnable = [body for body, why in found if why is None]
    skipped = [body for body, why in found if why is not None]
    assert len(runnable) >= 4 and "--rehearse" in "".join(runnable) and "pipeline fake-luma" in "".join(runnable)
    # a skipped block is one that would reach Luma for real: a paid run that is no rehearsal
    assert skipped and all("--provider luma" in body and "--rehearse" not in body for body in skipped)


def test_every_command_of_the_section_runs_as_written(luma_section, workdir):
    port = str(free_port())
    for body, why in blocks(luma_section):
        if why is not None:
            continue
        done = run_block(body.replace(README_PORT, port), workdir)
        assert done.returncode == 0, f"README command failed:\n{body}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert (workdir / "output" / "rocket" / "final.mp4").is_file()  # the rehearsal's cut
    assert (workdir / "output" / "rocket-by-hand" / "final.mp4").is_file()  # the fake by hand's


def test_the_luma_estimate_with_a_local_keyframe_exits_0_with_the_estimate_and_a_warning(luma_section, workdir):
    command = "pipeline plan storyboards/rocket.yaml --provider luma\n"
    assert (command, None) in blocks(luma_section)  # the README says exactly this
    done = run_block(command, workdir)
    assert done.returncode == 0, done.stderr
    assert re.search(r"estimated cost \$\d+\.\d\d", done.stdout), done.stdout
    assert "assets/rocket/pad.jpg" in done.stderr and "local file" in done.stderr, done.stderr


def test_after_a_rehearsal_the_real_status_still_plans_every_shot(luma_section, workdir):
    rehearsal = run_block("pipeline run storyboards/rocket.yaml --rehearse --yes --quiet\n"
                          "pipeline status storyboards/rocket.yaml --provider luma --json", workdir)
    assert rehearsal.returncode == 0, rehearsal.stderr
    real = json.loads(rehearsal.stdout.splitlines()[-1])
    assert real["totals"]["to_generate"] == 5 and real["totals"]["spent_usd"] == 0
    assert real["totals"]["rehearsal_usd"] > 0
