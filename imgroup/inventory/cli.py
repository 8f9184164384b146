"""``imgroup inventory sync``, ``imgroup inventory groups`` and ``imgroup inventory status``.

``--db`` is a SQLite file (made by ``sync`` when missing) or a ``postgresql://`` URL. Exit status: 0 done, 1 a
vendor answered with an error or not at all (what was read stays recorded: run again to resume), 2 a usage error
(a bad reference, no inventory there, an app not configured), 130 interrupted.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

import click

from imgroup.groups import VENDORS

if TYPE_CHECKING:
    from imgroup.settings import VendorSettings

    from ._store import Inventory
    from ._sync import SyncResult

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130
SYNC_MAX_RETRIES = 5  # as a bulk job's: a few transient failures in thousands of calls are expected

_db_option = click.option(
    "--db", "target", required=True, metavar="DB", help="The inventory: a SQLite file, or a postgresql:// URL."
)


def _fail(command: str, message: str) -> NoReturn:
    click.echo(f"imgroup inventory {command}: {message}", err=True)
    raise click.exceptions.Exit(EXIT_USAGE)


def _open(command: str, target: str, *, create: bool) -> Inventory:
    from ._database import InventoryError
    from ._store import Inventory

    try:
        return Inventory.open(target, create=create)
    except InventoryError as error:
        _fail(command, str(error))


@click.group(name="inventory", epilog="\b\nExample:\n  imgroup inventory sync --db inventory.sqlite")
def inventory() -> None:
    """A local record of every group the apps can see: filled by sync, kept current by events, asked in ms."""


@inventory.command(
    epilog="\b\nExamples:\n  imgroup inventory sync --db inventory.sqlite\n"
    "  imgroup inventory sync --db postgresql://imgroup@db.internal/imgroup --vendor feishu"
)
@_db_option
@click.option("--vendor", type=click.Choice(VENDORS), help="Only this vendor's app (default: every one configured).")
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=16, show_default=True, help="Groups read at once, per app."
)
@click.option("--base-url", help="Send to this URL instead of the vendors' (an emulator).")
@click.option("--profile", help="Profile of the config file to take credentials from.")
def sync(target: str, vendor: str | None, concurrency: int, base_url: str | None, profile: str | None) -> None:
    """Read every group each configured app can see (names, owners, members with their roles, counts, creation
    times) into the inventory, at the documented rate limits.

    Killed or failed, it keeps what it read: run the same command again to carry on where it stopped. At the end,
    groups the app no longer sees are removed, and the app's last full sync is recorded.
    """
    from imgroup.cli._boundary import remember_secrets
    from imgroup.cli._scrub import secrets_of
    from imgroup.groups import adapter_for
    from imgroup.jobs import Interrupted, run_interruptible
    from imgroup.settings import SettingsError, load_settings

    chosen: dict[str, VendorSettings] = {}
    for name in [vendor] if vendor else VENDORS:
        adapter = adapter_for(name)
        if not adapter.lists_groups:
            note = f"{name} cannot be synced: {adapter.cannot_see}; its groups come into the inventory from events"
            if vendor:
                _fail("sync", note)
            click.echo(f"note: {note}")
            continue
        try:
            chosen[name] = load_settings(name, profile=profile, base_url=base_url)
        except SettingsError as error:
            if vendor:
                _fail("sync", str(error))
            click.echo(f"note: {name} is not configured, not synced")
    if not chosen:
        _fail("sync", "no app to sync: configure one (imgroup --help says how), or name one with --vendor")
    for settings in chosen.values():
        remember_secrets(secrets_of(settings))
    with _open("sync", target, create=True) as store:
        for name, settings in chosen.items():
            try:
                result = run_interruptible(_sync_one(store, settings, concurrency))
            except Interrupted as error:
                click.echo(f"interrupted ({error.signal_name}): what was read is kept; run the same command again")
                raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
            click.echo(_summary(name, adapter_for(name).app_of(settings.credentials) or "", result))


async def _sync_one(store: Inventory, settings: VendorSettings, concurrency: int) -> SyncResult:
    from imgroup.groups import adapter_for
    from imgroup.jobs import job_transport
    from imgroup.runtime import tls_context
    from imgroup.settings import make_client

    from ._sync import sync_app

    adapter = adapter_for(settings.vendor)
    client = make_client(
        settings,
        asynchronous=True,
        max_retries=SYNC_MAX_RETRIES,
        transport=job_transport(concurrency, verify=tls_context()),
    )
    async with client:
        app = adapter.app_of(settings.credentials) or ""
        return await sync_app(store, adapter, client, app, concurrency=concurrency)


def _summary(vendor: str, app: str, result: SyncResult) -> str:
    from imgroup._plural import counted

    line = f"{vendor} app {app}: {counted(result.listed, 'group')} listed"
    line += f", {result.read} read{' (resumed)' if result.resumed else ''}, {result.removed} removed"
    if result.unreadable:
        first, why = next(iter(result.unreadable.items()))
        line += (
            f"; {counted(len(result.unreadable), 'group')} could not be read (kept as they were), e.g. {first}: {why}"
        )
    return line


@inventory.command(
    epilog="\b\nExamples:\n  imgroup inventory groups --db inventory.sqlite --owner feishu:ou_abc\n"
    "  imgroup inventory groups --db inventory.sqlite --member tencent:alice --jsonl > alice.jsonl"
)
@_db_option
@click.option("--vendor", type=click.Choice(VENDORS), help="Only this vendor's groups.")
@click.option("--member", metavar="REF", help="Only groups this user is in (feishu:ou_..., tencent:alice, ...).")
@click.option("--owner", metavar="REF", help="Only groups this user owns.")
@click.option("--name-glob", metavar="G", help="Only groups whose name matches (shell pattern, e.g. 'tmp-*').")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object a line, and nothing else, on stdout.")
def groups(
    target: str, vendor: str | None, member: str | None, owner: str | None, name_glob: str | None, as_jsonl: bool
) -> None:
    """The groups the inventory holds, matching every filter given; answered locally, without a call."""
    from imgroup._plural import counted
    from imgroup.cli._table import lay_out
    from imgroup.groups import RefError, UserRef

    try:
        member_ref = UserRef.parse(member) if member is not None else None
        owner_ref = UserRef.parse(owner) if owner is not None else None
    except RefError as error:
        _fail("groups", str(error))
    with _open("groups", target, create=False) as store:
        found = store.groups(vendor=vendor, member=member_ref, owner=owner_ref, name_glob=name_glob)
    if as_jsonl:
        for item in found:
            click.echo(json.dumps(item.to_json(), ensure_ascii=False))
        return
    rows = [
        [str(item.group.ref), item.group.name or "", item.group.owner or "", _number(item.group.member_count),
         _when(item.group.created_at), item.app]
        for item in found
    ]  # fmt: skip
    if rows:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        for line in lay_out(["group", "name", "owner", "members", "created", "app"], rows, width).lines:
            click.echo(line)
    click.echo(counted(len(found), "group"))


@inventory.command(epilog="\b\nExample:\n  imgroup inventory status --db inventory.sqlite")
@_db_option
def status(target: str) -> None:
    """Each app's last full sync, its last event, and a sync under way: how fresh the inventory's answers are."""
    from imgroup.cli._table import lay_out

    with _open("status", target, create=False) as store:
        apps = store.status()
    if not apps:
        click.echo("the inventory is empty: imgroup inventory sync --db DB fills it")
        return
    rows = []
    for app in apps:
        under_way = f"{app.sync_under_way[0]:,} of {app.sync_under_way[1]:,} read" if app.sync_under_way else ""
        rows.append(
            [app.vendor, app.app + (f" ({app.tenant})" if app.tenant else ""), f"{app.groups:,}",
             _when(app.last_full_sync) or "never", _when(app.last_event) or "none", under_way]
        )  # fmt: skip
    headers = ["vendor", "app", "groups", "last full sync", "last event", "sync under way"]
    for line in lay_out(headers, rows, None).lines:
        click.echo(line)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)
