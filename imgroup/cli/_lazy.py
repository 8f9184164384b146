"""A click group whose subcommands are imported only when they run, so ``imgroup --help`` stays fast."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import attrs
import click


@attrs.frozen
class LazyCommand:
    """Where a subcommand lives (``"module:attribute"``), its one-line help, and arguments for a factory.

    The attribute is a click command, or with ``args`` a function that builds one from them.
    """

    target: str
    short_help: str
    args: tuple[str, ...] = ()
    # When the target's module is missing, say this instead of failing (for optional parts of the project).
    unavailable: str | None = None


class LazyGroup(click.Group):
    """A group listing its subcommands from a table and importing one only when it is asked for."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # The table's order is the order a reader should meet the commands in.
        return [*self.lazy_commands, *sorted(set(super().list_commands(ctx)) - set(self.lazy_commands))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = self.lazy_commands.get(cmd_name)
        if lazy is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        command = load(cmd_name, lazy)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing must not import the commands: their one-line help comes from the table.
        rows = []
        for name in self.list_commands(ctx):
            lazy = self.lazy_commands.get(name)
            command = self.commands.get(name)
            if lazy is not None:
                rows.append((name, lazy.short_help))
            elif command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load(name: str, lazy: LazyCommand) -> click.Command:
    """Import ``lazy.target``; for an optional part that is not there, a command that says so."""
    module_name, attribute = lazy.target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only the target's own absence is excused: a broken import inside it must surface.
        if lazy.unavailable is None or not _is_prefix(error.name, module_name):
            raise
        return _unavailable_command(name, lazy.unavailable)
    found = getattr(module, attribute)
    command = found(*lazy.args) if lazy.args else found
    if not isinstance(command, click.Command):
        raise TypeError(f"{lazy.target} is not a click command")
    return command


def _is_prefix(missing: str | None, module_name: str) -> bool:
    return missing is not None and (module_name == missing or module_name.startswith(missing + "."))


def _unavailable_command(name: str, message: str) -> click.Command:
    def explain(**_: object) -> None:
        raise click.ClickException(message)

    return click.Command(
        name,
        callback=explain,
        help=message,
        short_help=message,
        context_settings={"ignore_unknown_options": True},
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
    )
