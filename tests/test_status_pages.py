"""`pipeline status` of a long film: printed a page of rows at a time (rich lays a table out whole, so one table
of 5,000 rows held them all), yet read as one table: one title and header, every shot once, columns aligned."""

from __future__ import annotations

import re

from pipeline.cli import main
from pipeline.cli.output_commands import ROWS_A_PAGE


def test_a_status_longer_than_a_page_reads_as_one_table(tmp_path, capsys):
    shots = 2 * ROWS_A_PAGE + 37
    lines = ["title: Long take", "shots:"]
    for i in range(shots):  # ids of growing width: the widest, the last, sets the column for every page
        lines += [f"  - id: {'s' * (1 + i // ROWS_A_PAGE)}{i}", "    prompt: a lighthouse at dusk"]
    board = tmp_path / "long.yaml"
    board.write_text("\n".join(lines) + "\n")
    assert main(["status", str(board), "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert sum("Long take" in line for line in said) == 1
    assert sum(re.match(r"\s*shot\s+start\s+state", line) is not None for line in said) == 1
    rows = [line for line in said if re.match(r"\s*s+\d+\s", line)]
    assert [int(re.match(r"\s*s+(\d+)", row).group(1)) for row in rows] == list(range(shots))
    state_at = {row.index(" new ") if " new " in row else row.index("not made") for row in rows}
    assert len(state_at) == 1, "the state column starts at one place on every page"
    assert said[-1].startswith("spent $0.00")
