"""Finds tables captured without pipes: one cell per line (Tencent's page 001: ``Error Code`` / ``Description``
then a code line and its message lines), or one row per line with its cells separated by tabs or spaces
(Yunxin's current pages: ``参数名称 类型 是否必选 描述`` then ``team_id String 必选 ...``).

A header is recognised by its labels alone (every cell a column label of an error or a parameter table), so
prose never starts a table. A one-cell-per-line parameter table yields its header only: its rows are field
entries (name, type, required-ness lines), which the entry reader reads like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..param_types import canonical_type
from ..text import squash
from .columns import error_columns, is_label, is_table_header, param_columns
from .nesting import Depth, split_depth
from .shared import is_name

_CODE = re.compile(r"^\s*\d+\s*$")


@dataclass
class LineTable:
    """A table's header and rows (cells in header order), the header's line and the first line after it."""

    header: list[str]
    line: int
    end: int
    form: str
    """``cell-lines`` or ``spaced``."""
    rows: list[list[str]] = field(default_factory=list)
    depths: list[Depth] = field(default_factory=list)
    """How deep each row sits (its indentation and tree marks), for nested fields."""


def find_line_tables(lines: list[str], taken: set[int]) -> list[LineTable]:
    """Every pipe-less table in ``lines`` that starts on a line not in ``taken`` (lines of pipe tables)."""
    tables: list[LineTable] = []
    index = 0
    while index < len(lines):
        table = None if index in taken else (_spaced_at(lines, index) or _cell_lines_at(lines, index))
        if table is None:
            index += 1
            continue
        tables.append(table)
        index = table.end
    return tables


def _split(line: str, width: int | None = None) -> list[str]:
    if "\t" in line:
        cells = [cell.strip() for cell in line.strip().split("\t") if cell.strip()]
        return cells if width is None or len(cells) <= width else cells[: width - 1] + [" ".join(cells[width - 1 :])]
    return line.split() if width is None else line.split(maxsplit=width - 1)


def _spaced_at(lines: list[str], index: int) -> LineTable | None:
    header = _split(lines[index])
    if "|" in lines[index] or not is_table_header(header):
        return None
    width = len(header)
    params, errors = param_columns(header), error_columns(header)
    rows: list[list[str]] = []
    depths: list[Depth] = []
    end = index + 1
    while end < len(lines) and lines[end].strip():
        text, depth = split_depth(lines[end]) if params else (lines[end], (0, 0))
        cells = _split(text, width)
        if params is not None and len(cells) > max(params["name"], params["type"]):
            starts_row = is_name(cells[params["name"]]) and canonical_type(cells[params["type"]]) is not None
        elif errors is not None and len(cells) > errors["code"]:
            starts_row = cells[errors["code"]].isdigit()
        else:
            starts_row = False
        if starts_row:
            rows.append(cells + [""] * (width - len(cells)))
            depths.append(depth)
        elif rows:  # a wrapped description, or a list inside one
            rows[-1][-1] = squash(f"{rows[-1][-1]} {lines[end]}")
        else:
            break
        end += 1
    return LineTable(header, index, end, "spaced", rows, depths)


def _cell_lines_at(lines: list[str], index: int) -> LineTable | None:
    end = index
    while end < len(lines) and lines[end].strip() and "|" not in lines[end] and is_label(lines[end]):
        end += 1
    header = [line.strip() for line in lines[index:end]]
    if not is_table_header(header):
        return None
    columns = error_columns(header)
    if columns is None:  # a parameter table: its rows are field entries
        return LineTable(header, index, end, "cell-lines")
    if len(header) != 2:  # only code and message can be told apart line by line
        return None
    pairs, rows_end = _error_pairs(lines, end, code_first=columns["code"] == 0)
    rows = [[str(code), message] if columns["code"] == 0 else [message, str(code)] for code, message in pairs]
    return LineTable(header, index, rows_end, "cell-lines", rows)


def _error_pairs(lines: list[str], start: int, code_first: bool) -> tuple[list[tuple[int, str]], int]:
    """(code, message) of each row, and the first line after the table: a code line with its message lines
    after it (or before, when the header names the message first). Blank lines inside the table are padding;
    one before a block without a code ends it."""
    pairs: list[tuple[int, str]] = []
    pending: list[str] = []  # message lines not yet given to a code
    code: int | None = None
    index = start
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            if _next_block_has_code(lines, index + 1):
                continue
            break
        if _CODE.match(line):
            if code_first and code is not None:
                pairs.append((code, squash(" ".join(pending))))
                pending = []
            code = int(line)
            if not code_first:
                pairs.append((code, squash(" ".join(pending))))
                pending, code = [], None
        else:
            pending.append(line)
    else:
        index = len(lines)
    if code_first and code is not None:
        pairs.append((code, squash(" ".join(pending))))
    return pairs, index


def _next_block_has_code(lines: list[str], start: int) -> bool:
    seen_text = False
    for line in lines[start:]:
        if not line.strip():
            if seen_text:
                return False
            continue
        if _CODE.match(line):
            return True
        seen_text = True
    return False
