"""List commands: a paginated operation's command pages through every page with the facade's iterator.

For people it prints a table of the items' plain fields and a count; with ``--jsonl`` one JSON object a line
(the item's ``to_dict()``, as the vendor spells its fields) and nothing else on stdout, so that a listing
feeds ``imgroup bulk ... --input -``. The one-page method's cursor or offset is the iterator's business, so
the command offers ``--page-size`` and ``--limit`` instead.
"""

from __future__ import annotations

import enum
import importlib
import json
import os
import shutil
import sys
import typing
from collections.abc import Iterable
from typing import Any, NoReturn

import attrs
import click

from imgroup import settings

from . import _connection, _docstring, _operations, _scrub, _table
from ._report import Reporter, result_fields

# Where a page starts is the iterator's business. An iterator may still take one (Tencent's member listing
# keeps Next, which only Community groups use and the iterator does not follow); the command leaves it out.
CURSORS = frozenset({"page_token", "next_cursor", "cursor", "offset"})
# The most columns a table shows (the first plain fields of the spec); --jsonl has every field.
MAX_COLUMNS = 8
_SCALAR_TYPES = frozenset({"str", "int", "float", "bool", "None", "Unset", "datetime.datetime", "datetime.date"})
_PAGING_HELP = {
    "page_size": "Items to ask for in each call (default: the most the vendor serves).",
    "limit": "Stop after this many items in all (default: every item).",
}
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


def list_command(vendor: str, operation: str, page_method: Any, iterator: str, iterator_method: Any) -> click.Command:
    """The command for a paginated ``operation``: calls ``iterator`` (a facade iterator method) page by page."""
    page_doc = _docstring.parse(page_method.__doc__)
    iterator_doc = _docstring.parse(iterator_method.__doc__)
    doc = attrs.evolve(page_doc, arguments={**_PAGING_HELP, **page_doc.arguments, **iterator_doc.arguments})
    params, positional, keyword = _operations.command_parameters(
        vendor, operation, iterator_method, doc, leave_out=CURSORS
    )
    params.append(
        click.Option(
            ["--jsonl", "as_jsonl"],
            is_flag=True,
            help="Print one JSON object a line (each item as the vendor spells it), and nothing else, on stdout.",
        )
    )
    item_model = _item_model(vendor, iterator_method)
    noun = noun_of(iterator)

    def run(**values: Any) -> None:
        as_jsonl = values.pop("as_jsonl")
        connection = _connection.Connection.pop_from(vendor, values)
        arguments = _operations.given(values)
        listing = Listing(vendor, operation, iterator, item_model, noun, arguments.get("limit"))
        listing.run(connection, arguments, as_jsonl=as_jsonl)

    name = operation.replace("_", "-")
    example = _operations.EXAMPLES.get(operation) or _operations.generated_example(
        vendor, operation, positional, keyword
    )
    return _operations.OperationCommand(
        name,
        argument_help=[(p.name.upper(), doc.arguments.get(p.name, "")) for p in positional],
        callback=run,
        params=params,
        help=f"{doc.summary}\n\n{_DESCRIPTION}\n\n{doc.description}",
        short_help=doc.summary,
        epilog=_operations.example_block(
            [example, f"imgroup {vendor} {name} --jsonl > {noun.replace(' ', '-')}.jsonl"]
        ),
    )


@attrs.frozen
class Listing:
    """One run of a list command: which iterator, what its items are, and how to name them in the count."""

    vendor: str
    operation: str
    iterator: str
    item_model: Any
    noun: str
    limit: int | None

    def run(self, connection: _connection.Connection, arguments: dict[str, Any], *, as_jsonl: bool) -> None:
        loaded = connection.load(self.vendor)
        reporter = Reporter(as_json=connection.as_json, secrets=_scrub.secrets_of(loaded))
        errors = importlib.import_module(f"{settings.CLIENTS[self.vendor][0]}.errors")
        try:
            with settings.make_client(loaded, **connection.client_options()) as client:
                items = getattr(client, self.iterator)(**arguments)
                if as_jsonl:
                    self._print_jsonl(reporter, items)
                elif connection.as_json:
                    documents = [_item_fields(item) for item in items]
                    result = {"items": documents, "count": len(documents)}
                    reporter.json({"ok": True, "vendor": self.vendor, "operation": self.operation, "result": result})
                else:
                    self._print_table(reporter, items)
        except errors.ValidationError as error:
            raise click.UsageError(reporter.scrub(str(error))) from None
        except (errors.ApiError, errors.ApiConnectionError, errors.ResponseFormatError) as error:
            reporter.api_error(self.vendor, self.operation, error)
        except BrokenPipeError:
            _reader_went_away()

    def _print_jsonl(self, reporter: Reporter, items: Iterable[Any]) -> None:
        # Each line is written as its item arrives: a long listing streams into the next command.
        for item in items:
            reporter.out(json.dumps(reporter.scrub.document(_item_fields(item)), ensure_ascii=False))

    def _print_table(self, reporter: Reporter, items: Iterable[Any]) -> None:
        fields = scalar_fields(self.item_model)
        rows = [[reporter.scrub(cell(item, field)) for field in fields] for item in items]
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
        noun = self.noun.removesuffix("s") if count == 1 else self.noun
        line = f"{count} {noun}"
        if self.limit is not None and count >= self.limit:
            line += f" (stopped at --limit {self.limit}; there may be more)"
        if hidden:
            line += f"; --jsonl shows {hidden} more field{'s' if hidden > 1 else ''}"
        return line


def scalar_fields(model: Any) -> list[str]:
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


def cell(item: Any, column: str) -> str:
    """What a table shows for one field of one item (nothing for a field the vendor left out)."""
    value = item if column == "value" and not attrs.has(type(item)) else getattr(item, column, None)
    if value is None or type(value).__name__ == "Unset":
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_scalar(annotation: Any, modules: list[Any]) -> bool:
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


def _item_model(vendor: str, iterator_method: Any) -> Any:
    """The model an iterator yields, from its ``Iterator[Model]`` annotation."""
    models = _operations.ModelNames(settings.CLIENTS[vendor][0])
    answer = typing.get_type_hints(iterator_method, localns=models).get("return")
    found = typing.get_args(answer)
    return found[0] if found else None


def _item_fields(item: Any) -> Any:
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
