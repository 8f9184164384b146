"""Reading a job's input: one id a line, CSV with the job's columns (header optional), or JSON Lines.

The input is a file or, given as ``-``, standard input. Blank lines and lines starting with ``#`` are
skipped. JSON Lines (the first character that is not blank is ``{``) is what list commands print with
``--jsonl``: one object a line, whose fields fill the job's columns by name, in snake_case or as the vendor
spells them (``GroupId`` fills ``group_id``) or by one of the column's aliases; fields the job has no column
for are ignored.

Every row is checked by the client's own validation before anything is sent; the first bad row stops the
job with its line number. A row repeated exactly is run once; the same key with other values is an error,
since it is unclear which one was meant.

The input is read a line at a time and never held whole: a run reads it once into its journal, a batch of items
at a time (``iter_items``; the journal keeps one of a repeated row), so an input of any size costs a run no more
memory than a batch.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

import attrs
from attrs import frozen

from imgroup._plural import counted
from imgroup.errors import ValidationError

STDIN = Path("-")
STDIN_NAME = "standard input"
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BOM = "\ufeff".encode()


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
    """A job's input: where it came from, and its text, read from the start a line at a time as often as asked.

    ``read_source`` gives one whose text stays in a file (the input's own, or the copy standard input was spooled
    to as it was read), so that an input of any size is never held whole; ``Source(name, text)`` holds a short
    text given whole.
    """

    name: str
    _text: str = ""
    file: BinaryIO | None = attrs.field(default=None, eq=False, repr=False)
    """The UTF-8 bytes of the text, checked when read (a byte order mark may open them); ``text`` is then unused."""
    _digest: str | None = None

    @property
    def text(self) -> str:
        """The whole text, read into memory (a job reads it a line at a time instead: ``reading``)."""
        with self.reading() as stream:
            return stream.read()

    @property
    def digest(self) -> str:
        """SHA-256 of the text: names the journal of an input read from standard input."""
        if self._digest is None:
            return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return self._digest

    @contextmanager
    def reading(self) -> Iterator[IO[str]]:
        """The text from its start, its line ends as written (a CSV cell may hold a line break)."""
        if self.file is None:
            yield io.StringIO(self._text, newline="")
            return
        self.file.seek(0)
        stream = io.TextIOWrapper(self.file, encoding="utf-8-sig", newline="")
        try:
            yield stream
        finally:
            stream.detach()  # the file stays open, to be read again


@frozen
class Item:
    """One unit of work: its natural key, the line it came from, and its arguments (a bulk job's for the client's
    method, a plan step's as the plan has it)."""

    key: str
    line: int
    arguments: Mapping[str, Any]


def read_source(path: Path, *, stdin: BinaryIO | None = None) -> Source:
    """The input: the file at ``path``, or all of ``stdin`` when ``path`` is ``-``; raises InputError when it cannot be
    read or is not UTF-8 text."""
    name = STDIN_NAME if path == STDIN else str(path)
    try:
        # Open while the source is in use, closed with it: no ``with`` block spans that.
        file: BinaryIO
        raw: BinaryIO
        if path != STDIN:
            file = raw = path.open("rb")
        elif stdin is not None:
            # Standard input can be read once only: spooled to a file, it can be read again as a file's text is.
            file, raw = tempfile.TemporaryFile(), stdin  # noqa: SIM115
        else:
            raise InputError(name, None, "standard input is not available")
        try:
            digest = _checked_text(name, raw, None if raw is file else file)
        except BaseException:
            file.close()
            raise
    except OSError as error:
        raise InputError(name, None, f"cannot read it ({error.strerror})") from None
    source = Source(name, file=file, digest=digest)
    weakref.finalize(source, file.close)
    return source


def _checked_text(name: str, raw: BinaryIO, copy: BinaryIO | None) -> str:
    """Read ``raw`` through, a line at a time, raising InputError at the first line that is not UTF-8; returns the
    SHA-256 of its text (without a byte order mark) and writes its bytes to ``copy`` on the way."""
    digest = hashlib.sha256()
    for number, line in enumerate(raw, start=1):
        if copy is not None:
            copy.write(line)
        if number == 1:
            line = line.removeprefix(_BOM)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(name, number, "is not UTF-8 text") from None
        digest.update(line)
    return digest.hexdigest()


def iter_items(source: Source, job: ItemKind, *, fill: Mapping[str, str] | None = None) -> Iterator[Item]:
    """Every row of ``source`` as an item, in input order, read as the items are taken; a repeated row comes again
    (the journal keeps one). Raises InputError naming the first bad line, or when the input holds no items.

    ``fill`` gives a column's value wherever a row leaves it empty (a listing piped in has no Yunxin
    ``operator_id``, say). ValueError, at once, for a column the job has not, or one that names each item.
    """
    fill = dict(fill or {})
    check_fill(fill, job)
    return _items(source, job, fill)


def _items(source: Source, job: ItemKind, fill: Mapping[str, str]) -> Iterator[Item]:
    rows = _jsonl_items if _is_jsonl(source) else _csv_items
    found = False
    with source.reading() as stream:
        for line, cells in rows(source.name, stream, job):
            found = True
            yield _item(source.name, line, {**fill, **{name: cell for name, cell in cells.items() if cell}}, job)
    if not found:
        raise InputError(source.name, None, "holds no items")


def _is_jsonl(source: Source) -> bool:
    """Whether the input is JSON Lines: its first character that is not blank is ``{``."""
    with source.reading() as stream:
        text = next((text for text in stream if text.strip()), "")
    return text.lstrip().startswith("{")


def parse_items(source: Source, job: ItemKind, *, fill: Mapping[str, str] | None = None) -> list[Item]:
    """Every item of ``source``, in input order, each once, in a list; raises InputError naming the first bad line.

    A job's run reads its items into the journal instead (``iter_items``), which holds them on disk.
    """
    items: dict[str, Item] = {}
    for item in iter_items(source, job, fill=fill):
        earlier = items.get(item.key)
        if earlier is None:
            items[item.key] = item
        elif earlier.arguments != item.arguments:
            raise repeated_with_other_values(source.name, item, earlier.line)
    return list(items.values())


def repeated_with_other_values(source: str, item: Item, earlier_line: int) -> InputError:
    """The error of an item whose key an earlier line (``earlier_line``) gave other values."""
    return InputError(source, item.line, f"{item.key} is also on line {earlier_line}, with other values")


def check_fill(fill: Mapping[str, str], job: ItemKind) -> None:
    """Raise ValueError unless every column ``fill`` names is one of the job's that may be filled."""
    headers = [column.header for column in job.columns]
    for name in fill:
        if name not in headers:
            raise ValueError(f"{job.command} has no column {name!r} (its columns are {', '.join(headers)})")
        if name in headers[: job.key_size]:
            # Every row would then name the same item.
            raise ValueError(f"{name!r} names each item, so it cannot be filled")


def _csv_items(source: str, stream: Iterable[str], job: ItemKind) -> Iterator[tuple[int, dict[str, str]]]:
    rows = csv.reader(stream)
    header: list[str] | None = None
    seen_item = False
    next_line = 1
    for cells in rows:
        line, next_line = next_line, rows.line_num + 1  # a quoted cell may span lines: report where the row starts
        cells = [cell.strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None and not seen_item and _looks_like_header(cells, job):
            header = _checked_header(source, line, cells, job)
            continue
        seen_item = True
        yield line, _cells_by_name(source, line, cells, header, job)


def _jsonl_items(source: str, stream: Iterable[str], job: ItemKind) -> Iterator[tuple[int, dict[str, str]]]:
    for line, text in enumerate(stream, start=1):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(source, line, f"is not JSON ({error.msg}), though the input began as JSON Lines") from None
        if not isinstance(document, dict):
            raise InputError(source, line, "is not a JSON object, as every line of JSON Lines input must be")
        yield line, _fields_by_column(source, line, document, job)


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
