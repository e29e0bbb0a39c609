"""A long film's table printed a page of rows at a time: rich lays a table out whole, so one of 5,000 rows
holds every row's cells and lines at once. The pages line up as one table: each page's columns measure as the
whole table's do (rich's widths depend only on each column's narrowest and widest measure), so rich gives
every page the widths it would give the whole table at the terminal's width; only the first page has the title
and the header."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

ROWS_A_PAGE = 200


def pages(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> Iterator[object]:
    """rich Tables of `rows` (plain text: a prompt's [brackets] are not markup) under `columns` (name,
    justify), ROWS_A_PAGE rows each."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    measures = [_measure([name, *(row[i] for row in rows)]) for i, (name, _) in enumerate(columns)]
    for first in range(0, max(len(rows), 1), ROWS_A_PAGE):
        page = Table(title=title if first == 0 else None, title_justify="left", box=box.SIMPLE_HEAD,
                     show_edge=False, show_header=first == 0)
        for name, justify in columns:
            page.add_column(name, justify=justify)
        for n, row in enumerate(rows[first:first + ROWS_A_PAGE]):
            cells = [Text(cell) for cell in row]
            page.add_row(*(cells if n else [_Measured(c, m) for c, m in zip(cells, measures, strict=True)]))
        yield page


def _measure(cells: Sequence[str]) -> tuple[int, int]:
    """(longest word, longest line) over a column's cells: a plain Text cell's measure, as rich takes it."""
    from rich.cells import cell_len

    lines = [cell_len(line) for cell in cells for line in cell.splitlines()]
    words = [cell_len(word) for cell in cells for word in cell.split()]
    widest = max(lines, default=0)
    return max(words, default=widest), widest


class _Measured:
    """A cell drawn as its text but measured as its whole column: one a page makes the page's column measure
    as the whole table's."""

    def __init__(self, text, measure: tuple[int, int]):
        self.text, self.measure = text, measure

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(*self.measure).with_maximum(options.max_width)

    def __rich_console__(self, console, options):
        yield self.text
