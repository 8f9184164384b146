"""Run one failure through the command line's error boundary, as a command of its own would raise it."""

from __future__ import annotations

from collections.abc import Sequence

import click
from click.testing import CliRunner, Result

from imgroup.cli._boundary import BoundaryGroup, remember_secrets
from imgroup.cli._report import Reporter
from imgroup.errors import ApiConnectionError, ApiError, ResponseFormatError


def under_the_root(vendor: str, command: click.Command) -> click.Group:
    """A root group holding ``command`` as ``imgroup VENDOR NAME``, so its failures meet the error boundary."""

    @click.group(cls=BoundaryGroup, lazy_commands={})
    def root() -> None:
        """imgroup."""

    group = click.Group(vendor)
    group.add_command(command)
    root.add_command(group)
    return root


def fail_through_the_boundary(
    error: Exception, *, secrets: Sequence[str] = (), as_json: bool = False, command: str = "destroy-group"
) -> Result:
    """``imgroup tencent COMMAND`` raising ``error`` after loading ``secrets`` (and with ``--json``, its document)."""

    @click.command(command)
    def fails() -> None:
        remember_secrets(secrets)
        if isinstance(error, ApiError | ApiConnectionError | ResponseFormatError):
            Reporter(as_json=as_json, secrets=secrets).failed("tencent", error.operation, error)
        raise error

    return CliRunner().invoke(under_the_root("tencent", fails), ["tencent", command], catch_exceptions=False)
