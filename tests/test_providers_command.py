"""`pipeline providers` prints what the registry's capabilities say, and the README shows exactly that."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline import providers
from pipeline.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def printed(capsys, *args: str) -> str:
    assert main(["providers", *args]) == 0
    return capsys.readouterr().out


def test_the_readme_shows_the_table_the_command_prints(capsys):
    shown = re.search(r"<!-- pipeline providers -->\n(.*?)<!-- /pipeline providers -->", README.read_text(), re.S)
    assert shown, "README.md lost its <!-- pipeline providers --> block"
    assert shown.group(1) == printed(capsys), "paste the output of `pipeline providers` into README.md"


def test_the_table_has_a_row_per_provider_and_model_from_the_capabilities(capsys):
    rows = json.loads(printed(capsys, "--json"))
    assert [(r["provider"], r["model"]) for r in rows] == [
        (name, model) for name in providers.NAMES for model in providers.capabilities(name).models]
    by_name = {r["provider"]: r for r in rows if r["model"] == "ray-2"}
    assert by_name["aigateway"]["images"] == [] and by_name["aigateway"]["extension"] == []
    assert by_name["aigateway"]["usd_per_second"] == {"720p": 0.50} and by_name["aigateway"]["min_poll_s"] == 3.0
    assert by_name["crazyrouter"]["images"] == ["inline", "public_url"] and not by_name["crazyrouter"]["lists_jobs"]
    assert by_name["luma"]["extension"] == ["forward", "backward", "between"] and by_name["luma"]["lists_jobs"]
    table = printed(capsys)
    assert "| aigateway | ray-2 | 720p | 5s | all | no | no | no | no | fails closed | 720p $0.50 |" in table
