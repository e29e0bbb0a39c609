"""A long film's table printed a page of rows at a time: rich lays a table out whole, so one of 5,000 rows
holds every row's cells and lines at once. The pages line up as one table: rich's column widths depend only on
each column's narrowest and widest measure, so a one-row table measured as the whole one gets the widths rich
would give the whole table at the terminal's width, and every page is drawn at those widths (rich then
measures no cell); only the first page has the title and the header."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

ROWS_A_PAGE = 200


def pages(console, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> Iterator[object]:
    """rich Tables of `rows` (plain text: a prompt's [brackets] are not markup) under `columns` (name,
    justify), ROWS_A_PAGE rows each, for `console`'s width."""
    from rich.text import Text

    measures = [_measure([name, *(row[i] for row in rows)]) for i, (name, _) in enumerate(columns)]
    widths = _widths(console, title, columns, measures)
    for first in range(0, max(len(rows), 1), ROWS_A_PAGE):
        page = _table(title if first == 0 else None, columns, widths, header=first == 0)
        for n, row in enumerate(rows[first:first + ROWS_A_PAGE]):
            cells = [Text(cell) for cell in row]
            page.add_row(*(cells if n or widths else [_Measured(c, m) for c, m in zip(cells, measures, strict=True)]))
        yield page


def _table(title: str | None, columns: Sequence[tuple[str, str]], widths: list[int] | None, *, header: bool):
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, show_header=header)
    for i, (name, justify) in enumerate(columns):
        table.add_column(name, justify=justify, width=widths[i] if widths else None)
    return table


def _widths(console, title: str, columns, measures) -> list[int] | None:
    """The content width rich gives each column of the whole table, found from a table of one row measured
    as the whole; None where this rich lays tables out otherwise (each page's first row is then measured as
    the whole, and rich measures every cell)."""
    from rich.text import Text

    sample = _table(title, columns, None, header=True)
    sample.add_row(*(_Measured(Text(""), m) for m in measures))
    try:
        options = console.options  # as Table.__rich_console__ asks: the width less the rules between columns
        widths = sample._calculate_column_widths(console, options.update_width(options.max_width - sample._extra_width))
        return [w - sample._get_padding_width(i) for i, w in enumerate(widths)]
    except (AttributeError, TypeError):
        return None


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
