"""A click group whose commands may also answer to a second name (``list-groups`` for ``get-appid-group-list``).

The listing shows each alias beside its command's name; completion offers it; it is never listed twice.
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem


class AliasedGroup(click.Group):
    """A group with ``aliases``: alias -> the name of the command it stands for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}

    def add_alias(self, alias: str, name: str) -> None:
        """Let ``alias`` run the command ``name``; refuses an alias that is already a name or an alias."""
        if alias in self.commands or alias in self.aliases:
            raise ValueError(f"{self.name}: {alias!r} already names a command")
        self.aliases[alias] = name

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        by_name = {name: alias for alias, name in self.aliases.items()}
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands[name]
            if command.hidden:
                continue
            shown = f"{name}, {by_name[name]}" if name in by_name else name
            rows.append((shown, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        found = super().shell_complete(ctx, incomplete)
        found += [
            CompletionItem(alias, help=self.commands[name].get_short_help_str())
            for alias, name in self.aliases.items()
            if alias.startswith(incomplete)
        ]
        return found
