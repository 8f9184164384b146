"""A Feishu store app's own events, handled by the receiver: app_ticket into the ticket store, app_open recorded.

Both run as handlers, from the event log, so they have the log's guarantee: an event acknowledged is handled at
least once, even by a receiver killed before it got there (it is still due when the receiver starts again). Each
is idempotent, so a repeat does no harm: a ticket put again is the same ticket, a tenant recorded again is the
same row.

A ticket event handled late (its first attempt failed, a newer one got through since) must not overwrite the
newer ticket: it is put only when the log holds no later app_ticket of the app, which will be put in its turn.

The known tenants live in the receiver's database (the ``--db`` of ``imgroup events serve``), table
``store_app_tenants``; ``imgroup tenants --vendor feishu`` lists them (:func:`known_tenants`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from attrs import frozen
from feishu_im.models import AppOpenEvent, AppTicketEvent
from feishu_im.types import Unset

from imgroup.runtime.signers.feishu_tickets import TicketStore

from ._handlers import EventContext, Handlers

SCHEMA = """
CREATE TABLE IF NOT EXISTS store_app_tenants (
    vendor TEXT NOT NULL,
    app TEXT NOT NULL,
    tenant_key TEXT NOT NULL,
    opened_at REAL NOT NULL,
    installer TEXT,
    PRIMARY KEY (vendor, app, tenant_key)
);
"""
BUSY_TIMEOUT_SECONDS = 30.0


@frozen
class KnownTenant:
    """A tenant that installed a store app: when (its latest app_open) and who installed it, if Feishu said."""

    vendor: str
    app: str
    tenant_key: str
    opened_at: datetime
    installer: str | None


def _connect(db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    connection.execute("PRAGMA synchronous=FULL")  # a recorded tenant is marked processed right after
    return connection


class StoreAppEvents:
    """The handlers of a receiver whose database is ``db``: tickets to ``tickets[app]``, app_open to the table."""

    def __init__(self, db: str | Path, tickets: Mapping[str, TicketStore]) -> None:
        self._db = Path(db)
        self._tickets = dict(tickets)
        with closing(_connect(self._db)) as connection:
            connection.executescript(SCHEMA)

    def handlers(self) -> Handlers:
        handlers = Handlers()
        handlers.add(AppTicketEvent, self.put_ticket)
        handlers.add(AppOpenEvent, self.record_tenant)
        return handlers

    def put_ticket(self, event: AppTicketEvent, context: EventContext) -> None:
        store = self._tickets.get(event.event.app_id)
        if store is None or self._superseded(context):
            return  # not a store app we hold tickets for (its clients read none), or a newer ticket comes after
        store.put(event.event.app_id, event.event.app_ticket)

    def record_tenant(self, event: AppOpenEvent, context: EventContext) -> None:
        opened_at = _seconds(event.ts) or context.received_at.timestamp()
        installer = event.event.installer
        open_id = None if isinstance(installer, Unset) or isinstance(installer.open_id, Unset) else installer.open_id
        # The latest installation wins, whatever order a repeat comes in.
        with closing(_connect(self._db)) as connection:
            connection.execute(
                "INSERT INTO store_app_tenants (vendor, app, tenant_key, opened_at, installer) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (vendor, app, tenant_key) DO UPDATE SET opened_at = excluded.opened_at,"
                " installer = coalesce(excluded.installer, installer) WHERE excluded.opened_at >= opened_at",
                (context.vendor, event.event.app_id, event.event.tenant_key, opened_at, open_id),
            )

    def _superseded(self, context: EventContext) -> bool:
        with closing(_connect(self._db)) as connection:
            later = connection.execute(
                "SELECT 1 FROM events WHERE vendor = ? AND app = ? AND key = ? AND seq > ? LIMIT 1",
                (context.vendor, context.app, context.key, context.seq),
            ).fetchone()
        return later is not None


def _seconds(ts: str | Unset) -> float | None:
    """The v1 envelope's ``ts`` (seconds, with a fraction, as a string), or None when absent or not a number."""
    try:
        return None if isinstance(ts, Unset) else float(ts)
    except ValueError:
        return None


def known_tenants(db: str | Path, *, vendor: str, app: str | None = None) -> list[KnownTenant]:
    """The tenants the receiver whose database is ``db`` saw install ``vendor``'s store apps (``app``'s only, if
    given), oldest installation first; none when it never saw one. Raises sqlite3.Error when ``db`` is no
    database."""
    with closing(sqlite3.connect(db, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_app_tenants'"
        ).fetchone()
        if exists is None:
            return []
        rows = connection.execute(
            "SELECT vendor, app, tenant_key, opened_at, installer FROM store_app_tenants"
            " WHERE vendor = ? AND (? IS NULL OR app = ?) ORDER BY opened_at, app, tenant_key",
            (vendor, app, app),
        ).fetchall()
    return [
        KnownTenant(vendor, app_id, tenant_key, datetime.fromtimestamp(opened_at, UTC), installer)
        for vendor, app_id, tenant_key, opened_at, installer in rows
    ]
