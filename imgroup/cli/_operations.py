"""One command per operation of a vendor's spec, built from the generated registry so the two stay in step.

The command's name, help, arguments, options and example are the operation's facts in the vendor's registry
entry (``imgroup_registry.vendor(name)``), written from the spec and its ``x-cli`` extension: which keyword
arguments the command line takes positionally, and an example a reader can run against ``imgroup emulator``.
The call goes through the operation's typed handle, never a method looked up by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import click
import imgroup_registry

from imgroup import settings
from imgroup._plural import counted
from imgroup.errors import ApiConnectionError, ApiError, ResponseFormatError
from imgroup.runtime.registry import ArgumentFacts, OperationFacts

from . import _connection, _scrub
from ._aliases import AliasedGroup
from ._report import Reporter


class OperationCommand(click.Command):
    """A command whose help also lists its positional arguments, with their help from the spec."""

    def __init__(self, *args: Any, argument_help: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.argument_help = argument_help

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.argument_help:
            with formatter.section("Arguments"):
                formatter.write_dl(self.argument_help)
        super().format_options(ctx, formatter)


class CommandParameters(NamedTuple):
    """A command's click parameters, and the operation's arguments it takes positionally and as options."""

    params: list[click.Parameter]
    positional: tuple[ArgumentFacts, ...]
    keyword: tuple[ArgumentFacts, ...]


def vendor_group(vendor: str) -> click.Group:
    """The ``imgroup VENDOR`` group: a command for each operation that acts on groups.

    A paginated operation's command pages through every page with the client's iterator, and also answers
    to the name the iterator suggests (``iter_groups``: ``list-groups``) unless a command has that name.
    """
    from . import _listing  # it builds on this module's parameters

    entry = imgroup_registry.vendor(vendor)
    variables = ", ".join(field.variable for field in entry.settings)
    first_example = next((facts.example for facts in entry.operations.values() if facts.example), None)
    group = AliasedGroup(
        vendor,
        help=f"{entry.title} group administration.\n\n"
        f"Credentials and the base URL come from options, the environment ({variables}) or the config file.",
        epilog=example_block([first_example or f"imgroup {vendor} --help"]),
    )
    iterators: dict[str, str] = {}
    for facts in entry.operations.values():
        # The token exchange is the client's own business, and its answer is a secret to print nowhere.
        if not facts.info.signed:
            continue
        if facts.listing is None:
            group.add_command(operation_command(vendor, facts))
            continue
        group.add_command(_listing.list_command(vendor, facts, facts.listing))
        iterators[facts.listing.name] = command_name(facts)
    for iterator, name in iterators.items():
        if _listing.alias_of(iterator) not in group.commands:
            group.add_alias(_listing.alias_of(iterator), name)
    return group


def operation_command(vendor: str, facts: OperationFacts) -> click.Command:
    """A command calling the operation with its arguments from the command line."""
    params, positional, keyword = command_parameters(vendor, facts.name, facts.arguments)

    def run(**values: Any) -> None:
        connection = _connection.Connection.pop_from(vendor, values)
        call(vendor, facts, connection, given(values), target=positional[0].name if positional else None)

    return OperationCommand(
        command_name(facts),
        argument_help=[(argument.name.upper(), argument_help(argument)) for argument in positional],
        callback=run,
        params=params,
        help=f"{summary_line(facts)}\n\n{description(facts)}",
        short_help=summary_line(facts),
        epilog=example_block([facts.example or generated_example(vendor, facts.name, positional, keyword)]),
    )


def command_name(facts: OperationFacts) -> str:
    """The command's name: the operation's, dashed (``disband_chat``: ``disband-chat``)."""
    return facts.name.replace("_", "-")


def summary_line(facts: OperationFacts) -> str:
    """The operation's summary as a sentence, as the client method's docstring opens."""
    return facts.summary if facts.summary.endswith(".") else f"{facts.summary}."


def description(facts: OperationFacts) -> str:
    """The spec's description, then the method, path and documented rate limits (``DELETE /...``, at most ...)."""
    info = facts.info
    request = f"{info.method} {info.path}"
    if info.rate_limit_per_second:
        per_second = info.rate_limit_per_second
        request += f", at most {counted(per_second, 'call')}/s"
    if info.rate_limit_per_minute:
        request += f" and {counted(info.rate_limit_per_minute, 'call')}/min"
    return "\n\n".join(text for text in (_plain(facts.description), request + ".") if text)


def argument_help(argument: ArgumentFacts) -> str:
    """An argument's help: the spec's description of it, else its name on the wire."""
    return _plain(argument.description or argument.wire_name)


def command_parameters(
    vendor: str,
    operation: str,
    arguments: Iterable[ArgumentFacts],
    *,
    leave_out: Iterable[str] = (),
    extra: Sequence[click.Parameter] = (),
) -> CommandParameters:
    """The click parameters for ``arguments`` (but ``leave_out``), then ``extra``, then the shared options; and
    the arguments the command line takes positionally and as options, in the client method's order."""
    left_out = set(leave_out)
    taken = method_order(argument for argument in arguments if argument.name not in left_out)
    positional = tuple(argument for argument in taken if argument.positional)
    keyword = tuple(argument for argument in taken if not argument.positional)
    shared = {field.name for field in settings.FIELDS[vendor]} | set(_connection.SHARED)
    clashes = {argument.name for argument in taken} & shared
    if clashes:
        raise ValueError(f"{vendor}.{operation}: parameters {sorted(clashes)} clash with the shared options")

    params: list[click.Parameter] = [_argument(argument) for argument in positional]
    params += [_option(argument) for argument in keyword]
    params += extra
    params += _connection.options(vendor)
    return CommandParameters(params, positional, keyword)


def method_order(arguments: Iterable[ArgumentFacts]) -> tuple[ArgumentFacts, ...]:
    """``arguments`` in the client method's order: its path parameters come first."""
    listed = tuple(arguments)
    return tuple(sorted(listed, key=lambda argument: argument.location != "path"))


def given(values: dict[str, Any]) -> dict[str, object]:
    """The arguments the command line was given: an option left out (None, or no values of a repeatable
    option) is left to the method's default, and repeated values become a list."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in values.items()
        if value not in (None, ())
    }


def call(
    vendor: str,
    facts: OperationFacts,
    connection: _connection.Connection,
    arguments: dict[str, object],
    *,
    target: str | None = None,
) -> None:
    """Build the client, make the call and report it; ``target`` names the argument the call acts on."""
    loaded = connection.load(vendor)
    reporter = Reporter(as_json=connection.as_json, secrets=_scrub.secrets_of(loaded))
    try:
        with settings.make_client(loaded, **connection.client_options()) as client:
            result: object = facts.operation.sync_method(client, **arguments)
    except (ApiError, ApiConnectionError, ResponseFormatError) as error:
        reporter.failed(vendor, facts.name, error)
        raise  # the command line's error boundary prints its line
    acted_on = arguments.get(target, "") if target else ""
    reporter.success(vendor, facts.name, ", ".join(acted_on) if isinstance(acted_on, list) else str(acted_on), result)


def _argument(argument: ArgumentFacts) -> click.Argument:
    kind, many = click_type(argument)
    return click.Argument([argument.name], type=kind, nargs=-1 if many else 1, required=True)


def _option(argument: ArgumentFacts) -> click.Option:
    kind, many = click_type(argument)
    return click.Option(
        ["--" + argument.name.replace("_", "-"), argument.name],
        type=kind,
        multiple=many,
        required=argument.required,
        help=argument_help(argument),
    )


def click_type(argument: ArgumentFacts) -> tuple[click.ParamType[Any], bool]:
    """The click type of an argument's values (of its items, for an array), and whether it takes many."""
    many = argument.kind == "array"
    kind = (argument.item_kind or "string") if many else argument.kind
    if argument.choices and all(isinstance(choice, str) for choice in argument.choices):
        return click.Choice([str(choice) for choice in argument.choices]), many
    return _KINDS.get(kind, click.STRING), many


class JsonObject(click.ParamType[dict[str, Any]]):
    """A JSON object on the command line, e.g. ``'{"Member_Account": "user5"}'``."""

    name = "JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            self.fail(f"{value!r} is not a JSON object", param, ctx)
        return parsed


JSON_OBJECT = JsonObject()

# The click type of each JSON kind: an object (a body field that is one) is given as JSON on the command line.
_KINDS: dict[str, click.ParamType[Any]] = {
    "string": click.STRING,
    "integer": click.INT,
    "number": click.FLOAT,
    "boolean": click.BOOL,
    "object": JSON_OBJECT,
}


def generated_example(
    vendor: str, operation: str, positional: Sequence[ArgumentFacts], keyword: Sequence[ArgumentFacts]
) -> str:
    """An example for an operation whose spec gives none: its name, then each required argument's."""
    words = [f"imgroup {vendor} {operation.replace('_', '-')}"] + [argument.name.upper() for argument in positional]
    words += [
        f"--{argument.name.replace('_', '-')} {argument.name.upper()}" for argument in keyword if argument.required
    ]
    return " ".join(words)


def example_block(examples: list[str]) -> str:
    # \b keeps click from re-wrapping the example lines.
    return "\b\nExample:\n" + "\n".join(f"  {example}" for example in examples)


def _plain(text: str) -> str:
    # The spec writes RST literals (``x``); a terminal shows them plain.
    return text.replace("``", "")
