"""``imgroup events serve``: run the event receiver in the foreground."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import _extras

if TYPE_CHECKING:
    from imgroup.inventory import Inventory


@click.group(
    name="events",
    epilog="\b\nExample:\n  imgroup events serve --port 8080 --db events.db",
)
def events() -> None:
    """Receive the vendors' group events: verified, logged durably, then processed."""


@events.command(
    epilog="\b\nExample:\n  FEISHU_ENCRYPT_KEY=... FEISHU_VERIFICATION_TOKEN=... imgroup events serve --port 8080 --db events.db\n"
    "  # then set https://<your host>/events/feishu as the app's request URL"
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--db",
    "db",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The event log (SQLite): created if missing; what a killed receiver left in it is processed first.",
)
@click.option(
    "--inventory",
    "inventory_target",
    default=None,
    metavar="DB",
    help="The inventory each event's changes are applied to: a SQLite file or a postgresql:// URL "
    "(default: the --db file itself).",
)
@click.option("--profile", default=None, help="The config file's profile to read the vendors' settings from.")
def serve(host: str, port: int, db: Path, inventory_target: str | None, profile: str | None) -> None:
    """Listen on POST /events/feishu, /events/tencent and /events/yunxin until Ctrl-C.

    Each vendor whose settings are complete is listened for: Feishu with FEISHU_APP_ID (and its secret) plus
    FEISHU_VERIFICATION_TOKEN and/or FEISHU_ENCRYPT_KEY; Tencent with TENCENT_IM_SDKAPPID (...) and, with
    callback authentication on, TENCENT_IM_CALLBACK_TOKEN; Yunxin with YUNXIN_APP_KEY and YUNXIN_APP_SECRET.
    Each processed event's changes are applied to the inventory (``imgroup inventory groups`` answers from it).
    """
    _extras.require("events", "imgroup events serve")
    import uvicorn

    from imgroup.events import EventLog, InventorySink, create_app, from_settings

    try:  # a log that cannot be opened is a usage error now, not a server failing at startup
        EventLog(db).close()
    except (sqlite3.Error, OSError) as error:
        raise click.BadParameter(f"cannot open the event log {db}: {error}", param_hint="--db") from None
    vendors, skipped = from_settings(profile=profile)
    for line in skipped:
        click.echo(f"not listening for {line}", err=True)
    if not vendors:
        raise click.UsageError(
            "no vendor is configured: set a vendor's settings and event secrets (see docs/events.md)"
        )
    click.echo(
        f"listening for {', '.join(v.vendor for v in vendors)} on http://{host}:{port}/events/<vendor>", err=True
    )
    for vendor in vendors:
        if vendor.tickets is not None:
            click.echo(f"{vendor.vendor} store app {vendor.app}: app_tickets go to {vendor.tickets!r}", err=True)
    inventory = _open_inventory(inventory_target or str(db))
    click.echo(f"changes go to the inventory {inventory.where}", err=True)
    app = create_app(db, vendors=vendors, apply_change=InventorySink(inventory, vendors).apply)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except KeyboardInterrupt:
        pass
    finally:
        inventory.close()


def _open_inventory(target: str) -> Inventory:
    from imgroup.inventory import Inventory, InventoryError

    try:
        return Inventory.open(target)
    except InventoryError as error:
        raise click.BadParameter(str(error), param_hint="--inventory") from None
