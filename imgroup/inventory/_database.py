"""The inventory's SQL connection: SQLite (a file, WAL) or PostgreSQL (a ``postgresql://`` URL), one interface.

The inventory's SQL is written once, in the dialect both engines share (``INSERT ... ON CONFLICT ... DO UPDATE``,
``?`` placeholders); what differs lives here and nowhere else: the placeholder psycopg wants (``%s``), how a
writing transaction starts, and how it serialises writers of the same group (SQLite: one writer at a time,
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock on the group's key). psycopg is imported only
when a PostgreSQL URL is opened, so SQLite users need nothing beyond the standard library.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

Row = tuple[Any, ...]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_BUSY_TIMEOUT_S = 60.0


class InventoryError(Exception):
    """The inventory cannot be opened or read; the message names the database (never its password)."""


class Database(Protocol):
    """What the inventory needs of a database: statements in and rows out, inside writing transactions."""

    where: str
    """The database, for messages: the file, or the URL without its password."""
    error: type[Exception]
    """What its driver raises."""

    def transaction(self, keys: Sequence[str] = ()) -> Any:
        """A context manager: one writing transaction, holding the locks of ``keys`` (groups) until it ends."""

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]: ...

    def close(self) -> None: ...


def is_postgres(target: str) -> bool:
    return target.startswith(POSTGRES_SCHEMES)


def shown(target: str) -> str:
    """``target`` fit to print: a URL loses its password."""
    if not is_postgres(target):
        return target
    parts = urlsplit(target)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))


def connect(target: str, *, create: bool) -> Database:
    """Open the inventory at ``target`` (a file path or a ``postgresql://`` URL); a missing file is made only
    when ``create``. Raises InventoryError naming it."""
    if is_postgres(target):
        return PostgresDatabase(target)
    return SqliteDatabase(Path(target), create=create)


class SqliteDatabase:
    """A SQLite file in WAL mode: readers never wait for the one writer, a kill loses no committed write."""

    error: type[Exception] = sqlite3.Error

    def __init__(self, path: Path, *, create: bool) -> None:
        self.where = str(path)
        if not create and not path.is_file():
            raise InventoryError(f"no inventory at {path}: make one with `imgroup inventory sync --db {path}`")
        try:
            # Autocommit mode: transactions are begun and ended here, explicitly.
            self._connection = sqlite3.connect(
                path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint, safe in WAL
        except sqlite3.Error as error:
            raise InventoryError(f"{path}: cannot open it as an inventory ({error})") from None

    @contextmanager
    def transaction(self, keys: Sequence[str] = ()) -> Iterator[None]:
        # One writer at a time for the whole file: take the write lock now, not at the first write, so a
        # transaction never reads a state another writer is about to change.
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> None:
        self._connection.execute(sql, tuple(parameters))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._connection.executemany(sql, [tuple(row) for row in rows])

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        return list(self._connection.execute(sql, tuple(parameters)).fetchall())

    def close(self) -> None:
        self._connection.close()


class PostgresDatabase:
    """A PostgreSQL database through psycopg 3 (the ``[postgres]`` extra)."""

    def __init__(self, url: str) -> None:
        self.where = shown(url)
        try:
            import psycopg
        except ModuleNotFoundError:
            raise InventoryError("a postgresql:// inventory needs psycopg: pip install 'imgroup[postgres]'") from None
        self.error: type[Exception] = psycopg.Error
        try:
            self._connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise InventoryError(f"{self.where}: cannot connect ({_first_line(error)})") from None

    @contextmanager
    def transaction(self, keys: Sequence[str] = ()) -> Iterator[None]:
        with self._connection.transaction():
            # Writers of the same group wait for each other; others run side by side. Sorted, so two
            # transactions locking several groups cannot each hold what the other waits for.
            for key in sorted(set(keys)):
                self._connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
            yield

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> None:
        self._connection.execute(_placeholders(sql), tuple(parameters))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(_placeholders(sql), [tuple(row) for row in rows])

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        return list(self._connection.execute(_placeholders(sql), tuple(parameters)).fetchall())

    def close(self) -> None:
        self._connection.close()


def _placeholders(sql: str) -> str:
    # The inventory's statements hold no literal "?" or "%", so the swap is exact.
    return sql.replace("?", "%s")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
