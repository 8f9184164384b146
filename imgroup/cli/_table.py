"""A table for people: left-aligned columns two spaces apart, sized by rich's measure of terminal cells.

Laid out here rather than by rich's Table, which spends about 0.3 ms a row (15 s for a listing of 25,000
groups); this costs a few microseconds a row. The first column names each item and is never cut; another
column's cell is cut at MAX_CELL cells, and in a terminal the columns that do not fit are left out (the
caller says how many, and that ``--jsonl`` has them).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import click
from rich.cells import cell_len, set_cell_size

GAP = "  "
MAX_CELL = 40
ELLIPSIS = "…"


@attrs.frozen
class Layout:
    """The lines of a table, and how many of its columns did not fit."""

    lines: list[str]
    hidden: int


def lay_out(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> Layout:
    """``headers`` over ``rows``, as wide as ``width`` terminal cells allow (None: any width)."""
    rows = [
        [_one_line(text) if index == 0 else _cut(_one_line(text)) for index, text in enumerate(row)] for row in rows
    ]
    widths = [max([cell_len(header), *(cell_len(row[index]) for row in rows)]) for index, header in enumerate(headers)]
    shown = 1
    used = widths[0] if widths else 0
    while shown < len(widths) and (width is None or used + len(GAP) + widths[shown] <= width):
        used += len(GAP) + widths[shown]
        shown += 1
    header = GAP.join(_padded(text, widths[index]) for index, text in enumerate(headers[:shown])).rstrip()
    lines = [click.style(header, bold=True)]
    lines += [GAP.join(_padded(text, widths[index]) for index, text in enumerate(row[:shown])).rstrip() for row in rows]
    return Layout(lines, hidden=len(headers) - shown)


def _one_line(text: str) -> str:
    return " ".join(text.split()) if any(character in text for character in "\n\r\t") else text


def _cut(text: str) -> str:
    if cell_len(text) <= MAX_CELL:
        return text
    return set_cell_size(text, MAX_CELL - 1) + ELLIPSIS


def _padded(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))
