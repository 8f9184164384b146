"""``imgroup tenants --vendor feishu``: the tenants a store app knows, from the receiver's app_open events.

The event receiver (``imgroup events serve --db DB``) records each tenant that installs the app (its
``app_open`` event); the tenant the settings name (``FEISHU_TENANT_KEY`` / a profile's ``tenant_key``) is
listed too, so a profile per tenant shows up before the receiver has seen it install.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import click

from imgroup._plural import counted
from imgroup.settings import SettingsError, load_settings

from . import _table

HEADERS = ("tenant_key", "app", "source", "opened_at", "installer")


@click.command(
    epilog="\b\nExamples:\n  imgroup tenants --vendor feishu --db events.db\n"
    "  imgroup tenants --vendor feishu --db events.db --jsonl | jq -r .tenant_key"
)
@click.option(
    "--vendor",
    required=True,
    type=click.Choice(["feishu"]),
    help="The vendor whose store app's tenants to list (Feishu: only its store apps have tenants).",
)
@click.option(
    "--db",
    "db",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The event receiver's database (the --db of `imgroup events serve`), where app_open events are recorded.",
)
@click.option("--profile", default=None, help="The config file's profile naming the app (and a tenant).")
@click.option("--jsonl", is_flag=True, help="One JSON object a line instead of a table.")
def tenants(vendor: str, db: Path | None, profile: str | None, jsonl: bool) -> None:
    """List the tenants a store app knows: those the event receiver saw install it, and the one the settings name.

    With settings naming an app (FEISHU_APP_ID, or a profile), only that app's tenants are listed; without,
    every app's in the database.
    """
    from imgroup.plans._tenants import settings_tenant

    app, named_tenant = None, None
    try:
        settings = load_settings(vendor, profile=profile)
    except SettingsError:
        if db is None:
            raise  # nothing to list from: say which settings to set
    else:
        app = str(settings.credentials["app_id"]) if "app_id" in settings.credentials else None
        named_tenant = settings_tenant(settings)

    from imgroup.events import known_tenants

    rows: list[dict[str, str | None]] = []
    if db is not None:
        try:
            known = known_tenants(db, vendor=vendor, app=app)
        except sqlite3.Error as error:
            raise click.BadParameter(f"cannot read {db}: {error}", param_hint="--db") from None
        rows += [
            {
                "tenant_key": tenant.tenant_key,
                "app": tenant.app,
                "source": "app_open",
                "opened_at": tenant.opened_at.isoformat(),
                "installer": tenant.installer,
            }
            for tenant in known
        ]
    if named_tenant is not None and not any(row["tenant_key"] == named_tenant for row in rows):
        rows.append(
            {"tenant_key": named_tenant, "app": app, "source": "settings", "opened_at": None, "installer": None}
        )

    if jsonl:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if rows:
        cells = [[row[header] or "" for header in HEADERS] for row in rows]
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        for line in _table.lay_out(HEADERS, cells, width).lines:
            click.echo(line)
    click.echo(counted(len(rows), "tenant"))
