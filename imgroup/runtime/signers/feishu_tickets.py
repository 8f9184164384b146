"""Where a Feishu store app's app_tickets wait for the signer: a store every process of the app shares.

Feishu pushes a store app's app_ticket to its event URL (an ``app_ticket`` v1 event, every hour and after
each resend); the event receiver ``put``s it here, and every client of the app, in any process on any
machine that reaches the store, reads it from here. A store is anything with ``put`` and ``get``
(:class:`TicketStore`): :class:`SQLiteTicketStore`, one file, is the default; :class:`PostgresTicketStore`
serves processes on several machines (psycopg, the ``[postgres]`` extra). Waiting for a new ticket is the same
for every store (:func:`wait_for_ticket`).

    tickets = SQLiteTicketStore("/var/lib/myapp/feishu-tickets.sqlite3")
    tickets.put("cli_a1b2c3", ticket)        # in the event receiver
    FeishuClient(app_id="cli_a1b2c3", app_secret=..., app_type="store", tickets=tickets, tenant_key=...)
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import sqlite3

# How often a waiting client looks at the store again: a ticket arrives within seconds of a resend.
POLL_INTERVAL_S = 0.05
SQLITE_BUSY_TIMEOUT_S = 30.0


@runtime_checkable
class TicketStore(Protocol):
    """The latest app_ticket of each store app, shared by every process of the app."""

    def put(self, app_id: str, ticket: str) -> None:
        """Keep ``ticket`` as ``app_id``'s latest (the event receiver calls this for each app_ticket event)."""
        ...

    def get(self, app_id: str) -> str | None:
        """``app_id``'s latest ticket, or None when none has arrived."""
        ...


def default_ticket_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/imgroup/feishu-tickets.sqlite3``, else under ``~/.local/state`` (as the journals)."""
    environ = os.environ if environ is None else environ
    state = environ.get("XDG_STATE_HOME", "")
    # The XDG spec says a relative XDG_STATE_HOME is invalid and is to be ignored.
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "imgroup" / "feishu-tickets.sqlite3"


class SQLiteTicketStore:
    """Tickets in one SQLite file: every process that opens the same file shares them.

    Each call opens its own connection, so one store serves any number of threads; the file is in WAL mode,
    so readers never wait for the receiver's writes.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_ticket_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS app_tickets "
                "(app_id TEXT PRIMARY KEY, ticket TEXT NOT NULL, received_at REAL NOT NULL)"
            )

    def __repr__(self) -> str:
        return f"SQLiteTicketStore({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        import sqlite3  # only store apps need it

        return sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)

    def put(self, app_id: str, ticket: str) -> None:
        if not app_id or not ticket:
            raise ValueError("app_id and ticket must be non-empty strings")
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO app_tickets (app_id, ticket, received_at) VALUES (?, ?, ?) "
                "ON CONFLICT (app_id) DO UPDATE SET ticket = excluded.ticket, received_at = excluded.received_at",
                (app_id, ticket, time.time()),
            )

    def get(self, app_id: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute("SELECT ticket FROM app_tickets WHERE app_id = ?", (app_id,)).fetchone()
        return str(row[0]) if row else None


class PostgresTicketStore:
    """Tickets in a PostgreSQL table (``imgroup_feishu_app_tickets``), for an app's processes on many machines.

    ``url`` is a ``postgresql://`` URL; each call opens its own connection (psycopg 3, imported when used).
    """

    TABLE = "imgroup_feishu_app_tickets"

    def __init__(self, url: str) -> None:
        if not isinstance(url, str) or not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("url must be a postgresql:// URL")
        self._url = url
        with self._connect() as connection:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {self.TABLE} "
                "(app_id TEXT PRIMARY KEY, ticket TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )

    def __repr__(self) -> str:
        return "PostgresTicketStore(...)"  # the URL may carry a password

    def _connect(self) -> Any:
        import psycopg  # only a store app on PostgreSQL needs it

        return psycopg.connect(self._url, autocommit=True)

    def put(self, app_id: str, ticket: str) -> None:
        if not app_id or not ticket:
            raise ValueError("app_id and ticket must be non-empty strings")
        with self._connect() as connection:
            connection.execute(
                f"INSERT INTO {self.TABLE} (app_id, ticket) VALUES (%s, %s) "
                "ON CONFLICT (app_id) DO UPDATE SET ticket = excluded.ticket, received_at = now()",
                (app_id, ticket),
            )

    def get(self, app_id: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute(f"SELECT ticket FROM {self.TABLE} WHERE app_id = %s", (app_id,)).fetchone()
        return str(row[0]) if row else None


def open_ticket_store(tickets: TicketStore | str | os.PathLike[str] | None) -> TicketStore:
    """The store a store app's ``tickets`` setting names: a store as it is, a path the SQLite store in that file,
    None the default file (:func:`default_ticket_path`). The client and the event receiver both read it here, so
    the receiver puts each ticket where the app's clients look for it."""
    if tickets is None:
        return SQLiteTicketStore()
    if isinstance(tickets, (str, os.PathLike)):
        return SQLiteTicketStore(tickets)
    return tickets


def _fresh(store: TicketStore, app_id: str, stale: str | None) -> str | None:
    ticket = store.get(app_id)
    return ticket if ticket is not None and ticket != stale else None


def wait_for_ticket(
    store: TicketStore,
    app_id: str,
    *,
    stale: str | None,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """The app's ticket once it is another than ``stale`` (any, when None); None after ``timeout`` seconds."""
    deadline = clock() + timeout
    while True:
        ticket = _fresh(store, app_id, stale)
        if ticket is not None or clock() >= deadline:
            return ticket
        sleep(min(POLL_INTERVAL_S, max(deadline - clock(), 0.0)))


async def async_wait_for_ticket(
    store: TicketStore,
    app_id: str,
    *,
    stale: str | None,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> str | None:
    """:func:`wait_for_ticket` for a task: it sleeps without holding up the event loop."""
    if sleep is None:
        import asyncio

        sleep = asyncio.sleep
    deadline = clock() + timeout
    while True:
        ticket = _fresh(store, app_id, stale)
        if ticket is not None or clock() >= deadline:
            return ticket
        await sleep(min(POLL_INTERVAL_S, max(deadline - clock(), 0.0)))


__all__ = [
    "PostgresTicketStore",
    "SQLiteTicketStore",
    "TicketStore",
    "async_wait_for_ticket",
    "default_ticket_path",
    "open_ticket_store",
    "wait_for_ticket",
]
