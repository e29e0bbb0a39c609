"""`pipeline run --provider luma` against a server that quotes the key in every error: the key appears in
no output, no --json event, no log record and no file of the output folder."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import stamina

from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running

KEY = "sk-test-SECRET-1234"
# A refusal at create (concepts on a model that refuses them), injected 429s and 5xx now and then (retried),
# and a generation that fails every time: the server's words reach errors, progress and the journal.
BOARD = """model: ray-flash-2
resolution: 540p
shots:
  - id: fine
    prompt: a lighthouse at dusk, waves below
  - id: refused
    start: none
    prompt: the beam sweeps across the sea
    camera: dolly_zoom
  - id: doomed
    start: none
    prompt: "a kettle boils on an iron stove [[fail: Job failed]]"
"""


@pytest.fixture(autouse=True)
def no_backoff():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def careless(**extra) -> FakeOptions:
    return FakeOptions(latency=0.05, echo_auth=True, concepts_refused_for=("ray-flash-2",), fault_rate=0.2,
                       faults=("429", "500", "503"), seed=5, retry_after_s=0.01, **extra)


def run_and_collect(tmp_path: Path, capsys, caplog, monkeypatch, options: FakeOptions, *flags: str):
    """(exit status, {where: what the run said or wrote there}, the fake's stats)."""
    caplog.set_level(logging.DEBUG)
    board, out = tmp_path / "board.yaml", tmp_path / "out"
    board.write_text(BOARD)
    with running(options) as fake:
        monkeypatch.setenv("LUMAAI_BASE_URL", fake.api)
        monkeypatch.setenv("LUMAAI_API_KEY", KEY)
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(out), *flags])
        stats = fake.fake.snapshot()
    printed = capsys.readouterr()
    said = {"stdout": printed.out, "stderr": printed.err,
            "log": "\n".join([caplog.text, *(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)])}
    said |= {str(p.relative_to(out)): p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file()}
    return status, said, stats


def leaks(said: dict[str, str], *, journal: bool) -> list[str]:
    """Where the key (or any part of it) shows; the journal's files are the engine's to redact."""
    return [where for where, text in said.items()
            if ("SECRET" in text or KEY in text) and where.startswith("journal.sqlite") == journal]


@pytest.mark.parametrize("flags", [["--json"], []], ids=["json", "lines"])
def test_a_server_quoting_the_key_gets_it_shown_nowhere(tmp_path, capsys, caplog, monkeypatch, flags):
    status, said, stats = run_and_collect(tmp_path, capsys, caplog, monkeypatch, careless(), *flags)
    everything = "\n".join(said.values())
    assert status == 1  # two of the three shots cannot be made
    assert stats["refused"] >= 1 and stats["failed"] >= 1 and stats["faults"] >= 1  # each quoted the key
    assert "concepts are not supported for this model" in everything and "Job failed" in everything
    assert "Bearer ***" in said["stdout" if flags else "stderr"]  # the quoted header reached us, hidden
    assert leaks(said, journal=False) == []


def test_the_journal_keeps_no_quoted_key(tmp_path, capsys, caplog, monkeypatch):
    status, said, stats = run_and_collect(tmp_path, capsys, caplog, monkeypatch, careless())
    assert "journal.sqlite" in said and leaks(said, journal=True) == []


def test_a_refused_key_quoted_back_is_not_shown(tmp_path, capsys, caplog, monkeypatch):
    options = careless(api_key="sk-the-right-one-5678")
    status, said, stats = run_and_collect(tmp_path, capsys, caplog, monkeypatch, options)
    assert status == 1 and "the API key was refused" in said["stderr"] and "Bearer ***" in said["stderr"]
    assert leaks(said, journal=False) == leaks(said, journal=True) == []
