"""``--tenant``, ``--all-tenants`` and ``--events-db`` of ``offboard`` and ``sweep``: a plan across a Feishu
store app's tenants (``_tenants``). Only click is imported here, so the command line starts as fast as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def tenant_options(command: F) -> F:
    """``--tenant``, ``--all-tenants`` and ``--events-db``: the options of ``offboard`` and ``sweep`` naming tenants."""
    command = click.option(
        "--events-db",
        "tenants_db",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="With --all-tenants: the event receiver's database (imgroup events serve --db), where tenants are recorded.",
    )(command)
    command = click.option(
        "--all-tenants",
        is_flag=True,
        help="Plan across every tenant the Feishu store app knows (--events-db's app_open events, the settings' tenant).",
    )(command)
    return click.option(
        "--tenant",
        "tenant_keys",
        multiple=True,
        metavar="KEY",
        help="Plan in this tenant of the Feishu store app (repeatable).",
    )(command)
