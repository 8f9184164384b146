"""List commands: a paginated operation's command pages through every page with the client's iterator.

For people it prints a table of the items' plain fields and a count; with ``--jsonl`` one JSON object a line
(the item's ``to_dict()``, as the vendor spells its fields) and nothing else on stdout, so that a listing
feeds ``imgroup bulk ... --input -``. The one-page method's cursor or offset is the iterator's business, so
the command offers ``--page-size`` and ``--limit`` instead.
"""

from __future__ import annotations

import enum
import json
import os
import shutil
import sys
import typing
from collections.abc import Iterable
from types import ModuleType
from typing import Any, NoReturn

import attrs
import click

from imgroup import settings
from imgroup._plural import counted
from imgroup.errors import ApiConnectionError, ApiError, ResponseFormatError
from imgroup.runtime.registry import ListingFacts, OperationFacts
from imgroup.runtime.types import Unset

from . import _connection, _operations, _scrub, _table
from ._report import Reporter, result_fields

# The most columns a table shows (the first plain fields of the spec); --jsonl has every field.
MAX_COLUMNS = 8
_SCALAR_TYPES = frozenset({"str", "int", "float", "bool", "None", "Unset", "datetime.datetime", "datetime.date"})
_DESCRIPTION = (
    "Pages through every page (each call asks for --page-size items) until the last one, or until --limit items. "
    "Prints a table, or with --jsonl one JSON object a line (for `imgroup bulk ... --input -`)."
)
# Iterators named for what they do rather than what they yield: iter_search_chats searches, and yields chats.
_VERBS = ("search_",)


def alias_of(iterator: str) -> str:
    """The command name an iterator suggests: ``iter_groups`` -> ``list-groups``, ``iter_search_chats`` ->
    ``search-chats`` (an iterator named for a verb keeps it)."""
    name = iterator.removeprefix("iter_")
    return (name if name.startswith(_VERBS) else f"list_{name}").replace("_", "-")


def noun_of(iterator: str) -> str:
    """What an iterator yields, in words: ``iter_chat_members`` -> ``chat members``, ``iter_search_chats`` ->
    ``chats``."""
    name = iterator.removeprefix("iter_")
    for verb in _VERBS:
        name = name.removeprefix(verb)
    return name.replace("_", " ")


def paging_options(listing: ListingFacts) -> list[click.Parameter]:
    """The iterator's own options: how many items each call asks for, and how many in all."""
    most = listing.max_page_size
    default = f"{most}, the most a page holds" if most else "the vendor's"
    return [
        click.Option(["--page-size", "page_size"], type=click.INT, help=f"items per page (default: {default})."),
        click.Option(["--limit", "limit"], type=click.INT, help="the most items in all (default: every one)."),
    ]


def list_command(vendor: str, facts: OperationFacts, listing: ListingFacts) -> click.Command:
    """The command for a paginated operation: calls its iterator (``listing``), which fetches page by page."""
    params, positional, keyword = _operations.command_parameters(
        vendor,
        facts.name,
        facts.arguments,
        leave_out=set(listing.filled),  # where a page starts is the iterator's business
        extra=paging_options(listing),
    )
    params.append(
        click.Option(
            ["--jsonl", "as_jsonl"],
            is_flag=True,
            help="Print one JSON object a line (each item as the vendor spells it), and nothing else, on stdout.",
        )
    )
    noun = noun_of(listing.name)

    def run(**values: Any) -> None:
        as_jsonl = values.pop("as_jsonl")
        connection = _connection.Connection.pop_from(vendor, values)
        arguments = _operations.given(values)
        limit = arguments.get("limit")
        Listing(vendor, facts.name, listing, noun, limit if isinstance(limit, int) else None).run(
            connection, arguments, as_jsonl=as_jsonl
        )

    name = _operations.command_name(facts)
    example = facts.example or _operations.generated_example(vendor, facts.name, positional, keyword)
    return _operations.OperationCommand(
        name,
        argument_help=[(argument.name.upper(), _operations.argument_help(argument)) for argument in positional],
        callback=run,
        params=params,
        help=f"{_operations.summary_line(facts)}\n\n{_DESCRIPTION}\n\n{_operations.description(facts)}",
        short_help=_operations.summary_line(facts),
        epilog=_operations.example_block(
            [example, f"imgroup {vendor} {name} --jsonl > {noun.replace(' ', '-')}.jsonl"]
        ),
    )


@attrs.frozen
class Listing:
    """One run of a list command: which iterator, what its items are, and how to name them in the count."""

    vendor: str
    operation: str
    listing: ListingFacts
    noun: str
    limit: int | None

    def run(self, connection: _connection.Connection, arguments: dict[str, object], *, as_jsonl: bool) -> None:
        loaded = connection.load(self.vendor)
        reporter = Reporter(as_json=connection.as_json, secrets=_scrub.secrets_of(loaded))
        try:
            with settings.make_client(loaded, **connection.client_options()) as client:
                items: Iterable[object] = self.listing.listing.sync_method(client, **arguments)
                if as_jsonl:
                    self._print_jsonl(reporter, items)
                elif connection.as_json:
                    documents = [_item_fields(item) for item in items]
                    result = {"items": documents, "count": len(documents)}
                    reporter.json({"ok": True, "vendor": self.vendor, "operation": self.operation, "result": result})
                else:
                    self._print_table(reporter, items)
        except (ApiError, ApiConnectionError, ResponseFormatError) as error:
            reporter.failed(self.vendor, self.operation, error)
            raise  # the command line's error boundary prints its line
        except BrokenPipeError:
            _reader_went_away()

    def _print_jsonl(self, reporter: Reporter, items: Iterable[object]) -> None:
        # Each line is written as its item arrives: a long listing streams into the next command.
        for item in items:
            reporter.out(json.dumps(reporter.scrub.document(_item_fields(item)), ensure_ascii=False))

    def _print_table(self, reporter: Reporter, items: Iterable[object]) -> None:
        fetched = list(items)
        # Every item is of the iterator's one model; with none there is no table to lay out.
        fields = scalar_fields(type(fetched[0])) if fetched else []
        rows = [[reporter.scrub(cell(item, field)) for field in fields] for item in fetched]
        # A field no item has (the vendor answers it only when asked, say) would be an empty column.
        filled = [index for index, _ in enumerate(fields) if any(row[index] for row in rows)]
        hidden = max(0, len(filled) - MAX_COLUMNS)
        if filled:
            shown = filled[:MAX_COLUMNS]
            headers = [fields[index].rstrip("_") for index in shown]
            layout = _table.lay_out(headers, [[row[index] for index in shown] for row in rows], _table_width())
            hidden += layout.hidden
            for line in layout.lines:
                reporter.out(line)
        reporter.out(self._count_line(len(rows), hidden))

    def _count_line(self, count: int, hidden: int) -> str:
        line = counted(count, self.noun.removesuffix("s"), self.noun)
        if self.limit is not None and count >= self.limit:
            line += f" (stopped at --limit {self.limit}; there may be more)"
        if hidden:
            line += f"; --jsonl shows {counted(hidden, 'more field')}"
        return line


def scalar_fields(model: type) -> list[str]:
    """The names of ``model``'s plain fields (text, numbers, flags, enums, times), in the spec's order."""
    if not attrs.has(model):
        return ["value"]
    # A field's type is a string; an enum it names is in the model's module or among the package's models.
    modules = [sys.modules.get(model.__module__), sys.modules.get(model.__module__.rpartition(".")[0])]
    names = [
        field.name
        for field in attrs.fields(model)
        if field.name != "additional_properties" and _is_scalar(field.type, modules)
    ]
    return names


def cell(item: object, column: str) -> str:
    """What a table shows for one field of one item (nothing for a field the vendor left out)."""
    value = item if column == "value" and not attrs.has(type(item)) else getattr(item, column, None)
    if value is None or isinstance(value, Unset):
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_scalar(annotation: object, modules: list[ModuleType | None]) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    for part in (piece.strip() for piece in text.split("|")):
        if part in _SCALAR_TYPES:
            continue
        found = next((getattr(module, part) for module in modules if module and hasattr(module, part)), None)
        # The generator writes a string enum as a Literal alias; an Enum class is plain too.
        is_enum = isinstance(found, type) and issubclass(found, enum.Enum)
        if not (is_enum or typing.get_origin(found) is typing.Literal):
            return False
    return True


def _item_fields(item: object) -> object:
    fields = result_fields(item)
    return fields["value"] if set(fields) == {"value"} else fields


def _table_width() -> int | None:
    # A terminal's width; written to a file or a pipe, each row on one line however long.
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _reader_went_away() -> NoReturn:
    # `imgroup ... --jsonl | head`: the reader closed the pipe. Say nothing more, as other tools do, and keep
    # Python from complaining when it flushes stdout at exit.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file descriptor (a test's capture): nothing will flush to it
        pass
    raise click.exceptions.Exit(1)
