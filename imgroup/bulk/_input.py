"""Reading a bulk job's input: one id a line, or CSV with the job's columns (header optional).

Blank lines and lines starting with ``#`` are skipped. Every row is checked by the client's own validation
before anything is sent; the first bad row stops the job with its line number. A row repeated exactly is
run once; the same key with other values is an error, since it is unclear which one was meant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from ._jobs import Job


class InputError(Exception):
    """The input cannot be read, or a row breaks the rules; ``line`` is 1-based (None: the whole file)."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


@frozen
class Item:
    """One unit of work: its natural key, the line it came from, and the arguments for the client's method."""

    key: str
    line: int
    arguments: Mapping[str, Any]


def read_items(path: Path, job: Job) -> list[Item]:
    """Every item of the input, in input order; raises InputError naming the first bad line."""
    rows = csv.reader(io.StringIO(_read_text(path), newline=""))
    header: list[str] | None = None
    items: dict[str, Item] = {}
    next_line = 1
    for cells in rows:
        line, next_line = next_line, rows.line_num + 1  # a quoted cell may span lines: report where the row starts
        cells = [cell.strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None and not items and _looks_like_header(cells, job):
            header = _checked_header(path, line, cells, job)
            continue
        item = _item(path, line, cells, header, job)
        earlier = items.get(item.key)
        if earlier is None:
            items[item.key] = item
        elif earlier.arguments != item.arguments:
            raise InputError(path, line, f"{item.key} is also on line {earlier.line}, with other values")
    if not items:
        raise InputError(path, None, "holds no items")
    return list(items.values())


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, None, f"cannot read it ({error.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, line, "is not UTF-8 text") from None


def _looks_like_header(cells: list[str], job: Job) -> bool:
    names = {column.header for column in job.columns}
    return any(cell.lower() in names for cell in cells)


def _checked_header(path: Path, line: int, cells: list[str], job: Job) -> list[str]:
    header = [cell.lower() for cell in cells]
    known = [column.header for column in job.columns]
    unknown = [name for name in header if name not in known]
    if unknown:
        raise InputError(path, line, f"unknown column {unknown[0]!r} (the columns are {', '.join(known)})")
    repeated = [name for name in header if header.count(name) > 1]
    if repeated:
        raise InputError(path, line, f"column {repeated[0]!r} appears twice")
    missing = [column.header for column in job.columns[: job.key_size] if column.header not in header]
    if missing:
        raise InputError(path, line, f"the header lacks the column {missing[0]!r}")
    return header


def _item(path: Path, line: int, cells: list[str], header: list[str] | None, job: Job) -> Item:
    names = header if header is not None else [column.header for column in job.columns]
    if len(cells) > len(names):
        raise InputError(path, line, f"has {len(cells)} columns; expected at most {len(names)} ({', '.join(names)})")
    cell_by_name = dict(zip(names, cells, strict=False))
    arguments: dict[str, Any] = {}
    for column in job.columns:
        cell = cell_by_name.get(column.header, "")
        try:
            arguments[column.parameter] = column.convert(cell) if cell else None
        except ValueError as error:
            raise InputError(path, line, f"{column.header} {error}") from None
    try:
        job.validate(arguments)
    except ValueError as error:
        # The client's ValidationError names the parameter; the input's reader knows it by its column.
        field = getattr(error, "field", None)
        problem = getattr(error, "problem", str(error))
        named = next((column.header for column in job.columns if column.parameter == field), field)
        raise InputError(path, line, f"{named} {problem}" if named else problem) from None
    return Item(key=job.key(arguments), line=line, arguments=arguments)
