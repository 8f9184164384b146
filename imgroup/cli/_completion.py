"""``imgroup completion SHELL``: the script that teaches a shell to complete imgroup's commands."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VARIABLE = "_IMGROUP_COMPLETE"


@click.command(
    epilog='\b\nExample:\n  eval "$(imgroup completion bash)"        # in ~/.bashrc\n'
    "  imgroup completion fish > ~/.config/fish/completions/imgroup.fish"
)
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (the same as `_IMGROUP_COMPLETE=bash_source imgroup`)."""
    root = ctx.find_root().command
    completer = get_completion_class(shell)
    if completer is None:  # click knows every name in SHELLS; this guards a future click dropping one
        raise click.UsageError(f"click cannot complete {shell}")
    click.echo(completer(root, {}, "imgroup", COMPLETE_VARIABLE).source())
