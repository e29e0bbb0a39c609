"""`pipeline status` of a long film: printed a page of rows at a time (rich lays a table out whole, so one table
of 5,000 rows held them all), yet read as one table: one title and header, every shot once, columns aligned."""

from __future__ import annotations

import re

import pytest

from pipeline.cli import main
from pipeline.cli.pages import ROWS_A_PAGE


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


@pytest.mark.parametrize("laid_out", ["by rich's widths", "measured page by page"])
def test_pages_are_drawn_as_the_whole_table_would_be_at_any_width(laid_out, monkeypatch):
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pipeline.cli import pages as paging
    from pipeline.cli.pages import pages

    if laid_out == "measured page by page":  # a rich whose table layout this code cannot ask for the widths
        monkeypatch.setattr(paging, "_widths", lambda *args: None)
    columns = [("shot", "left"), ("cost", "right"), ("why", "left")]
    rows = [(f"s{i}", f"${i % 7}.00", "prompt changed, extends a shot whose take 2 is now picked" if i % 97 == 0
             else "new") for i in range(2 * ROWS_A_PAGE + 5)]
    rows[ROWS_A_PAGE + 3] = ("a-very-long-shot-name-on-the-second-page", "$12.00", "new")  # widest on page two
    for width in (50, 80, 140):
        whole = Table(title="Long take", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for name, justify in columns:
            whole.add_column(name, justify=justify)
        for row in rows:
            whole.add_row(*(Text(cell) for cell in row))
        one, paged = Console(width=width, record=True), Console(width=width, record=True)
        one.print(whole)
        for page in pages(paged, "Long take", columns, rows):
            paged.print(page)
        assert paged.export_text() == one.export_text(), f"at {width} columns"


def test_a_plan_longer_than_a_page_reads_as_one_table(tmp_path, capsys):
    shots = ROWS_A_PAGE + 21
    lines = ["title: Long take", "shots:"]
    lines += [line for i in range(shots) for line in (f"  - id: s{i}", "    prompt: a lighthouse at dusk")]
    board = tmp_path / "long.yaml"
    board.write_text("\n".join(lines) + "\n")
    assert main(["plan", str(board), "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert sum(re.match(r"\s*#\s+shot\s+chain", line) is not None for line in said) == 1
    rows = [line for line in said if re.match(r"\s*\d+\s+s\d+\s", line)]
    assert [int(re.match(r"\s*\d+\s+s(\d+)", row).group(1)) for row in rows] == list(range(shots))
    assert len({row.index("$0.00") for row in rows}) == 1, "the cost column ends at one place on every page"
