"""A refused shot stops its own chain with Luma's reason and the shot's id; the other chains finish."""

from __future__ import annotations

from pipeline.cli import main

from .runs import TWO_CHAINS, journal_states, run_args, stats, write_board


def test_a_refused_prompt_stops_its_chain_and_the_other_chain_finishes(tmp_path, fake, capsys):
    text = TWO_CHAINS.replace("a lighthouse at dusk, waves below",
                              "'a lighthouse at dusk [[fail: Contains blacklisted words]]'")
    board, out = write_board(tmp_path, text), tmp_path / "out"
    assert main(run_args(board, out)) == 1
    err = capsys.readouterr().err
    assert "shot a:" in err and "Contains blacklisted words" in err
    assert "1 shot(s) failed; their chains stopped, the others finished" in err
    assert "run again to go on: pipeline run" in err and "Traceback" not in err
    assert stats(fake)["creates"] == 3  # a once (a refusal is not retried), then c and d; b never starts
    assert sorted(journal_states(out)) == ["failed", "fetched", "fetched"]
    assert not (out / "final.mp4").exists()


def test_a_transient_failure_is_generated_again(tmp_path, fake, capsys):
    text = TWO_CHAINS.replace("the beam sweeps across the sea", "'the beam sweeps [[fail: Job failed]]'")
    board, out = write_board(tmp_path, text), tmp_path / "out"
    assert main(run_args(board, out)) == 1  # the marker fails every attempt: 1 + 2 retries
    assert stats(fake)["creates"] == 4 + 2
    assert "generating it again" in capsys.readouterr().err
