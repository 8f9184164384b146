"""Reading a job's input: one id a line, CSV with the job's columns (header optional), or JSON Lines.

The input is a file or, given as ``-``, standard input. Blank lines and lines starting with ``#`` are
skipped. JSON Lines (the first character that is not blank is ``{``) is what list commands print with
``--jsonl``: one object a line, whose fields fill the job's columns by name, in snake_case or as the vendor
spells them (``GroupId`` fills ``group_id``) or by one of the column's aliases; fields the job has no column
for are ignored.

Every row is checked by the client's own validation before anything is sent; the first bad row stops the
job with its line number. A row repeated exactly is run once; the same key with other values is an error,
since it is unclear which one was meant.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from attrs import frozen

from imgroup._plural import counted
from imgroup.errors import ValidationError

STDIN = Path("-")
STDIN_NAME = "standard input"
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class InputError(Exception):
    """The input cannot be read, or a row breaks the rules; ``line`` is 1-based (None: the whole input)."""

    def __init__(self, source: str | Path, line: int | None, problem: str) -> None:
        self.source = str(source)
        self.line = line
        self.problem = problem
        where = f"{source}, line {line}" if line is not None else str(source)
        super().__init__(f"{where}: {problem}")


def _text(cell: str) -> str:
    return cell


@frozen
class Column:
    """One input column: its header, the client parameter it fills, and how a cell becomes that argument."""

    header: str
    parameter: str
    convert: Callable[[str], Any] = _text
    aliases: tuple[str, ...] = ()
    """Other names a JSON Lines field may give the column (a list command's output may name it otherwise)."""


class ItemKind(Protocol):
    """What reading items needs of a job: its columns, how many of them name an item, and the client's checks.

    ``imgroup.bulk``'s jobs are item kinds; the reader never needs to know which vendor or operation is behind one.
    """

    @property
    def command(self) -> str:
        """The job's name as the user types it, for an error about ``fill``."""
        ...

    @property
    def columns(self) -> tuple[Column, ...]:
        """In the order a headerless CSV lists them; the first ``key_size`` ones are the item's key."""
        ...

    @property
    def key_size(self) -> int: ...

    def key(self, arguments: Mapping[str, Any]) -> str:
        """The item's natural key, made of its first ``key_size`` columns' arguments."""
        ...

    def validate(self, arguments: Mapping[str, Any]) -> None:
        """Raise a ValueError (with ``field`` and ``problem``, if it knows them) when an argument is refused."""
        ...


@frozen
class Source:
    """The text of a job's input and where it came from (a file's path, or standard input)."""

    name: str
    text: str

    @property
    def digest(self) -> str:
        """SHA-256 of the text: names the journal of an input read from standard input."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@frozen
class Item:
    """One unit of work: its natural key, the line it came from, and its arguments (a bulk job's for the client's
    method, a plan step's as the plan has it)."""

    key: str
    line: int
    arguments: Mapping[str, Any]


def read_source(path: Path, *, stdin: BinaryIO | None = None) -> Source:
    """The input's text: the file at ``path``, or all of ``stdin`` when ``path`` is ``-``."""
    name = STDIN_NAME if path == STDIN else str(path)
    try:
        if path != STDIN:
            raw = path.read_bytes()
        elif stdin is not None:
            raw = stdin.read()
        else:
            raise InputError(name, None, "standard input is not available")
    except OSError as error:
        raise InputError(name, None, f"cannot read it ({error.strerror})") from None
    try:
        return Source(name, raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(name, line, "is not UTF-8 text") from None


def parse_items(source: Source, job: ItemKind, *, fill: Mapping[str, str] | None = None) -> list[Item]:
    """Every item of ``source``, in input order; raises InputError naming the first bad line.

    ``fill`` gives a column's value wherever a row leaves it empty (a listing piped in has no Yunxin
    ``operator_id``, say). ValueError for a column the job has not, or one that names each item.
    """
    fill = dict(fill or {})
    check_fill(fill, job)
    is_jsonl = source.text.lstrip().startswith("{")
    rows = _jsonl_items(source, job) if is_jsonl else _csv_items(source, job)
    items: dict[str, Item] = {}
    for line, cells in rows:
        item = _item(source.name, line, {**fill, **{name: cell for name, cell in cells.items() if cell}}, job)
        earlier = items.get(item.key)
        if earlier is None:
            items[item.key] = item
        elif earlier.arguments != item.arguments:
            raise InputError(source.name, item.line, f"{item.key} is also on line {earlier.line}, with other values")
    if not items:
        raise InputError(source.name, None, "holds no items")
    return list(items.values())


def check_fill(fill: Mapping[str, str], job: ItemKind) -> None:
    """Raise ValueError unless every column ``fill`` names is one of the job's that may be filled."""
    headers = [column.header for column in job.columns]
    for name in fill:
        if name not in headers:
            raise ValueError(f"{job.command} has no column {name!r} (its columns are {', '.join(headers)})")
        if name in headers[: job.key_size]:
            # Every row would then name the same item.
            raise ValueError(f"{name!r} names each item, so it cannot be filled")


def _csv_items(source: Source, job: ItemKind) -> Iterator[tuple[int, dict[str, str]]]:
    rows = csv.reader(io.StringIO(source.text, newline=""))
    header: list[str] | None = None
    seen_item = False
    next_line = 1
    for cells in rows:
        line, next_line = next_line, rows.line_num + 1  # a quoted cell may span lines: report where the row starts
        cells = [cell.strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None and not seen_item and _looks_like_header(cells, job):
            header = _checked_header(source.name, line, cells, job)
            continue
        seen_item = True
        yield line, _cells_by_name(source.name, line, cells, header, job)


def _jsonl_items(source: Source, job: ItemKind) -> Iterator[tuple[int, dict[str, str]]]:
    for line, text in enumerate(source.text.splitlines(), start=1):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                source.name, line, f"is not JSON ({error.msg}), though the input began as JSON Lines"
            ) from None
        if not isinstance(document, dict):
            raise InputError(source.name, line, "is not a JSON object, as every line of JSON Lines input must be")
        yield line, _fields_by_column(source.name, line, document, job)


def _fields_by_column(source: str, line: int, document: Mapping[str, Any], job: ItemKind) -> dict[str, str]:
    """The object's fields as the job's cells: by column name, in snake_case or the vendor's spelling."""
    by_name: dict[str, Any] = {}
    for field, value in document.items():
        by_name.setdefault(_snake_case(field), value)
    cells: dict[str, str] = {}
    for column in job.columns:
        names = (column.header, *column.aliases)
        value = next((by_name[name] for name in names if by_name.get(name) is not None), None)
        if value is not None:
            cells[column.header] = _cell(source, line, column.header, value)
    return cells


def _snake_case(field: str) -> str:
    return _CAMEL_HUMP.sub("_", field).lower()


def _cell(source: str, line: int, name: str, value: Any) -> str:
    """A JSON value as the text of a CSV cell (a list as the ``;``-separated ids a CSV cell holds)."""
    if isinstance(value, bool | dict):
        raise InputError(source, line, f"{name} must be text or a number (got {json.dumps(value)})")
    if isinstance(value, list):
        return ";".join(_cell(source, line, name, member) for member in value)
    return str(value).strip()


def _looks_like_header(cells: list[str], job: ItemKind) -> bool:
    names = {column.header for column in job.columns}
    return any(cell.lower() in names for cell in cells)


def _checked_header(source: str, line: int, cells: list[str], job: ItemKind) -> list[str]:
    header = [cell.lower() for cell in cells]
    known = [column.header for column in job.columns]
    unknown = [name for name in header if name not in known]
    if unknown:
        raise InputError(source, line, f"unknown column {unknown[0]!r} (the columns are {', '.join(known)})")
    repeated = [name for name in header if header.count(name) > 1]
    if repeated:
        raise InputError(source, line, f"column {repeated[0]!r} appears twice")
    missing = [column.header for column in job.columns[: job.key_size] if column.header not in header]
    if missing:
        raise InputError(source, line, f"the header lacks the column {missing[0]!r}")
    return header


def _cells_by_name(source: str, line: int, cells: list[str], header: list[str] | None, job: ItemKind) -> dict[str, str]:
    names = header if header is not None else [column.header for column in job.columns]
    if len(cells) > len(names):
        raise InputError(
            source, line, f"has {counted(len(cells), 'column')}; expected at most {len(names)} ({', '.join(names)})"
        )
    return dict(zip(names, cells, strict=False))


def _item(source: str, line: int, cell_by_name: Mapping[str, str], job: ItemKind) -> Item:
    arguments: dict[str, Any] = {}
    for column in job.columns:
        cell = cell_by_name.get(column.header, "")
        try:
            arguments[column.parameter] = column.convert(cell) if cell else None
        except ValueError as error:
            raise InputError(source, line, f"{column.header} {error}") from None
    try:
        job.validate(arguments)
    except ValidationError as error:
        # The client's ValidationError names the parameter; the input's reader knows it by its column.
        named = next((column.header for column in job.columns if column.parameter == error.field), error.field)
        raise InputError(source, line, f"{named} {error.problem}") from None
    except ValueError as error:
        raise InputError(source, line, str(error)) from None
    return Item(key=job.key(arguments), line=line, arguments=arguments)
