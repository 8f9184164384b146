"""Finds pipe tables in page text and assembles their rows, including rows whose cells run over several lines.

A table starts at a header line followed by a ``---|---`` rule, or, where a capture dropped the rule (Tencent's
sites), at a header line whose cells are all column labels (``Error Code | Description |``). Two styles of row
occur: the Markdown style (``a | b``, a cell continuing on the lines below its row) and the style of a captured
rendered page, where every cell ends with ``|`` so a row is closed by its last pipe and the first line without
a pipe ends the table. In both, a row with fewer cells than the header continues on the next line (a wrapped
row), and once a row is whole, a line holding a pipe starts the next row: a pipe inside a cell would have to
be escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import PageErrorRow, PageUnreadable
from ..text import clean_cell
from .columns import is_table_header

_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_HEADING = re.compile(r"^\s*#{1,6}\s")


@dataclass
class PipeTable:
    """A table's header cells and its rows' cells (raw text, to be cleaned by the caller)."""

    header: list[str]
    rows: list[list[str]]
    line: int
    """Index of the header line in the page, to find the heading the table sits under."""
    end: int
    """Index of the first line after the table."""


def split_cells(line: str) -> list[str]:
    """Cells of one table line, without the empty cells an outer leading or trailing pipe makes."""
    cells = _PIPE.split(line.strip())
    if cells and cells[0].strip() == "" and line.strip().startswith("|"):
        cells = cells[1:]
    if cells and cells[-1].strip() == "" and line.strip().endswith("|"):
        cells = cells[:-1]
    return cells


def find_tables(lines: list[str]) -> list[PipeTable]:
    """Every pipe table in ``lines``, in page order."""
    tables: list[PipeTable] = []
    index = 0
    while index < len(lines):
        table = _table_at(lines, index)
        if table is None:
            index += 1
            continue
        tables.append(table)
        index = table.end
    return tables


def _table_at(lines: list[str], index: int) -> PipeTable | None:
    """The table whose header is ``lines[index]``, if one starts there."""
    line = lines[index]
    if not _PIPE.search(line) or _RULE.match(line):
        return None
    header = [cell.strip() for cell in split_cells(line)]
    rule = _next_nonblank(lines, index)
    if rule is not None and _RULE.match(lines[rule]):
        body_start, closed_style = rule + 1, lines[rule].strip().endswith("|")
    elif is_table_header(header):
        body_start, closed_style = index + 1, line.strip().endswith("|")
    else:
        return None
    rows, used = _assemble_rows(lines[body_start:], len(header), closed_style)
    return PipeTable(header, rows, index, body_start + used)


def _next_nonblank(lines: list[str], index: int) -> int | None:
    for candidate in range(index + 1, len(lines)):
        if lines[candidate].strip():
            return candidate
    return None


def _assemble_rows(body: list[str], width: int, closed_style: bool) -> tuple[list[list[str]], int]:
    """The rows at the start of ``body`` and how many lines they take."""
    records: list[str] = []
    current: str | None = None
    used = 0

    def complete(record: str) -> bool:
        if closed_style:
            return record.rstrip().endswith("|") and len(split_cells(record)) >= width
        return len(split_cells(record)) >= width

    for raw in body:
        line = raw.strip()
        if not line or _HEADING.match(line) or _RULE.match(line):
            break
        has_pipe = bool(_PIPE.search(line))
        if current is None:
            if not has_pipe:
                break
            current = line
        elif not complete(current):
            current += " " + line
        elif has_pipe:
            records.append(current)
            current = line
        elif closed_style:
            break
        else:
            current += "\n" + line
        used += 1
    if current is not None:
        records.append(current)
    return [_fit(split_cells(record), width) for record in records], used


def _fit(cells: list[str], width: int) -> list[str]:
    """Pads a short row; folds surplus cells (a pipe inside the last cell's prose) back into the last cell."""
    if len(cells) > width:
        cells = cells[: width - 1] + ["|".join(cells[width - 1 :])]
    return cells + [""] * (width - len(cells))


def error_rows(table: PipeTable, columns: dict[str, int], source: str) -> list[PageErrorRow]:
    """The rows of an error table whose columns ``error_columns`` found; a row without a numeric code is unreadable."""
    rows = []
    for cells in table.rows:
        code = clean_cell(cells[columns["code"]])
        if not code.isdigit():
            raise PageUnreadable(f"{source}: error table row has no numeric code: {' | '.join(cells)[:80]!r}")
        status = clean_cell(cells[columns["status"]]) if "status" in columns else ""
        rows.append(
            PageErrorRow(
                code=int(code),
                message=clean_cell(cells[columns["message"]]),
                http_status=int(status) if status.isdigit() else None,
                advice=clean_cell(cells[columns["advice"]]) if "advice" in columns else "",
            )
        )
    return rows
