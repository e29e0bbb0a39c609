"""`--json` prints only JSON: every line of stdout parses, for every command that takes the flag (a command that
gains it must gain a case here), whether it succeeds or stops on a mistake; human words go to stderr."""

from __future__ import annotations

import json
import subprocess

import pytest

from pipeline import ffmpeg
from pipeline.cli.app import build_parser
from pipeline.cli.output import json_pieces, print_json_line
from pipeline.secrets import remember
from tests.runs import TWO_SHOTS as BOARD
from tests.runs import cli, write_board

BROKEN = "shots:\n  - id: dawn\n    promt: a typo\n"

# Each command that takes --json, and the ways it is run here (the storyboard and --out are added).
CASES = {
    "plan": [["plan", "{board}", "--json"], ["plan", "{board}", "--provider", "luma", "--json"]],
    "status": [["status", "{board}", "--out", "{out}", "--json"]],
    "run": [["run", "{board}", "--out", "{out}", "--json"],
            ["run", "{board}", "--rehearse", "--yes", "--out", "{out}", "--json"]],
    "takes": [["takes", "{board}", "--out", "{out}", "--json"]],
    "cameras": [["cameras", "--json"]],
    "providers": [["providers", "--json"]],
    "beats": [["beats", "{sound}", "--json"]],
}
NO_STORYBOARD = {"cameras", "providers", "beats"}  # commands that read none, so cannot meet a storyboard's mistake


def commands_taking_json() -> set[str]:
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    return {name for name, parser in sub.choices.items()
            if any("--json" in action.option_strings for action in parser._actions)}


def json_lines(stdout: str) -> list[object]:
    lines = stdout.splitlines()
    for line in lines:
        try:
            json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"a line of stdout under --json is not JSON: {line!r}\nall of stdout:\n{stdout}")
    return [json.loads(line) for line in lines]


def sound(folder) -> str:
    """Four seconds of a click every half second, for the commands that read a sound file."""
    path = folder / "clicks.wav"
    ffmpeg.run(["-f", "lavfi", "-i", "aevalsrc='if(lt(mod(t,0.5),0.03),0.8*sin(2*PI*1000*t),0)':s=22050:d=4",
                "-y", str(path)], what=path.name)
    return str(path)


def pipeline(args: list[str], board, out) -> subprocess.CompletedProcess:
    filled = [a.format(board=board, out=out, sound=sound(board.parent) if "{sound}" in args else "") for a in args]
    return subprocess.run(cli(*filled), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def test_every_command_taking_json_has_a_case_here():
    assert commands_taking_json() == set(CASES)


@pytest.mark.parametrize("args", [a for cases in CASES.values() for a in cases], ids=" ".join)
def test_json_output_is_only_json_lines(tmp_path, args):
    board, out = write_board(tmp_path, BOARD), tmp_path / "out"
    done = pipeline(args, board, out)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert lines, "no JSON at all"
    if args[0] in ("plan", "status"):
        assert len(lines) == 1 and "totals" in lines[0]  # one object, on one line
    if args[0] == "takes":
        assert len(lines) == 1 and [s["id"] for s in lines[0]["shots"]] == ["dawn", "beam"]
    if args[0] == "providers":
        assert len(lines) == 1 and "luma" in {row["provider"] for row in lines[0]}
    if args[0] == "beats":
        assert len(lines) == 1 and 110 <= lines[0]["tempo_bpm"] <= 130  # a click every half second: 120 bpm
    if args[0] == "cameras":
        assert len(lines) == 1 and "push_in" in {c["key"] for c in lines[0]["cameras"]}
    if args[0] == "run":
        *events, last = lines
        assert all({"shot", "state"} <= set(e) for e in events) and events
        assert last["cut"] == str(out / "final.mp4") and (out / "final.mp4").is_file()
        assert last["generated"] == 2 and last["spent_usd"] == 0
        assert (last["rehearsal_usd"] > 0) is ("--rehearse" in args)


@pytest.mark.parametrize("command", sorted(set(CASES) - NO_STORYBOARD))
def test_a_mistake_under_json_leaves_stdout_json_lines(tmp_path, command):
    board, out = write_board(tmp_path, BROKEN), tmp_path / "out"
    done = pipeline([command, "{board}", "--out", "{out}", "--json"] if command != "plan"
                    else [command, "{board}", "--json"], board, out)
    assert done.returncode == 1 and "promt" in done.stderr
    json_lines(done.stdout)


@pytest.mark.parametrize("data", [
    {"title": "A", "shots": [{"id": "a", "cost": 0.5}, {"id": "b", "note": None}], "empty": [], "n": 2},
    {}, {"shots": [[1, 2], "é ☃", True]}, {1: "a key json.dumps spells itself", "x": [1]}, [1, {"a": []}], "text",
])
def test_json_is_printed_in_pieces_that_make_what_json_dumps_makes(data):
    assert "".join(json_pieces(data)) == json.dumps(data)


def test_a_secret_in_one_item_of_a_long_list_is_redacted(capsys):
    remember("sk-print-pieces-0123456789")
    print_json_line({"shots": [{"id": "a"}, {"why": "sent Bearer sk-print-pieces-0123456789 to ?"}],
                     "url": "https://h.test/c.mp4?X-Amz-Signature=abc&x=1"})
    out = capsys.readouterr().out
    assert json.loads(out) == {"shots": [{"id": "a"}, {"why": "sent Bearer *** to ?"}],
                               "url": "https://h.test/c.mp4?***"} and out.endswith("}\n")
