"""The `pipeline` command in-process: help, init, schema, plan and validate, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipeline.cli import main
from pipeline.providers.prices import PER_SECOND_USD
from pipeline.storyboard import starter

STARTER = Path(starter.__file__).parent / "templates" / "starter.yaml"
COMMANDS = ["validate", "plan", "run", "status", "assemble", "preview", "schema", "init", "fake-luma"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_reads_well(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("usage: pipeline")
    assert all(c in out for c in COMMANDS) if not command else len(out.splitlines()) > 4


def test_init_writes_a_starter_that_validates_and_refuses_to_overwrite(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "film"]) == 0
    assert (tmp_path / "film.yaml").read_text() == STARTER.read_text()
    assert main(["validate", "film.yaml"]) == 0
    assert main(["init", "film"]) == 1
    assert "film.yaml already exists" in capsys.readouterr().err


def test_schema_accepts_the_starter_and_rejects_a_typo(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.validate(yaml.safe_load(STARTER.read_text()), schema)
    broken = yaml.safe_load(STARTER.read_text())
    broken["shots"][0]["promt"] = broken["shots"][0].pop("prompt")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_plan_json_has_the_names_scripts_rely_on(capsys):
    assert main(["plan", str(STARTER), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan["totals"]) >= {"runtime_s", "generations", "longest_chain_s", "estimated_cost_usd"}
    for shot in plan["shots"]:
        assert set(shot) >= {"id", "chain", "start_s", "duration_s", "source", "generate", "estimated_cost_usd"}
    # the starter: 5 s + 5 s chain, then a 9 s shot dissolving in over 1 s
    assert [s["start_s"] for s in plan["shots"]] == [0.0, 5.0, 9.0]
    assert plan["totals"]["runtime_s"] == 18.0 and plan["totals"]["longest_chain_s"] == 10.0


def test_plan_text_says_the_cost_is_an_estimate(capsys):
    assert main(["plan", str(STARTER), "--provider", "luma"]) == 0
    out = capsys.readouterr().out
    cost = PER_SECOND_USD[("luma", "ray-2", "720p")] * (5 + 5 + 9)  # the starter's shots
    assert f"estimated cost ${cost:.2f}" in out and "an estimate" in out


def test_validate_reports_every_file_and_fails_if_any_fails(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("shots:\n  - prompt: ok prompt\n    camera: sideways\n")
    assert main(["validate", str(STARTER), str(bad)]) == 1
    captured = capsys.readouterr()
    assert "starter.yaml: ok: 3 shots" in captured.out
    assert f"{bad}:3:13: shots[0].camera: `sideways` is not a camera move" in captured.err


def test_camera_aliases_are_named_in_a_note(tmp_path, capsys):
    board = tmp_path / "alias.yaml"
    board.write_text("shots:\n  - prompt: a quiet harbour\n    camera: [dolly in, orbit]\n")
    assert main(["validate", str(board)]) == 0
    err = capsys.readouterr().err
    assert f"{board}:3:14: note: shots[0].camera: `dolly in` is read as Luma's `push_in`" in err
    assert "`orbit` is read as Luma's `orbit_left`" in err


def test_missing_storyboard_is_a_clear_error(tmp_path, capsys):
    assert main(["plan", str(tmp_path / "nope.yaml")]) == 1
    assert "cannot read the storyboard (No such file or directory); check the path" in capsys.readouterr().err


def test_a_bug_shows_a_short_notice_and_the_debug_variable_reraises(monkeypatch, capsys):
    monkeypatch.setattr("pipeline.cli.storyboard_commands.load", lambda *a, **k: 1 / 0)
    assert main(["plan", str(STARTER)]) == 2
    assert "internal error: ZeroDivisionError" in capsys.readouterr().err
    monkeypatch.setenv("PIPELINE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["plan", str(STARTER)])
