"""The event log: every accepted event, written durably before the vendor is answered, then processed from here.

SQLite in WAL mode with ``synchronous=FULL``: a commit returns only once the WAL is on disk, so an event we
acknowledged survives a killed process and a power cut alike. (``NORMAL`` would survive a killed process but
could lose the last commits on a power cut, after the vendor was told we had them and stopped redelivering.)

One row per event, numbered in the order it arrived (rows are never deleted, so the plain rowid key only grows;
AUTOINCREMENT would write its counter at every commit), unique by (vendor, app, dedup id): a redelivery is
dropped when it is appended. A row is processed at least once: it stays due until ``mark_processed``; a failed
attempt is tried again later. The processing thread opens the log with ``durable=False`` (``synchronous=NORMAL``):
a processed mark lost to a power cut only means the event is processed again, which at-least-once allows, and it
spares an fsync per event.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attrs import field, frozen

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    vendor TEXT NOT NULL,
    app TEXT NOT NULL,
    tenant TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at REAL NOT NULL,
    processed_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (vendor, app, dedup_id)
);
-- What is due, in arrival order, without reading the whole log. An earlier index led with next_attempt_at, and
-- SQLite preferred scanning every event ever logged to keep seq order: each read grew with the log.
DROP INDEX IF EXISTS events_due;
CREATE INDEX IF NOT EXISTS events_unprocessed ON events (seq, next_attempt_at) WHERE processed_at IS NULL;
"""


@frozen
class NewEvent:
    """An accepted event, to be appended."""

    vendor: str
    app: str
    tenant: str
    dedup_id: str
    key: str
    body: bytes = field(repr=False)
    received_at: float


@frozen
class LoggedEvent:
    """One row of the log."""

    seq: int
    vendor: str
    app: str
    tenant: str
    dedup_id: str
    key: str
    body: bytes = field(repr=False)
    received_at: float
    attempts: int


class EventLog:
    """The SQLite event log at ``path``; safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def append(
        self, *, vendor: str, app: str, tenant: str, dedup_id: str, key: str, body: bytes, received_at: float
    ) -> bool:
        """Write one event durably; False when the log already holds it (a redelivery, dropped)."""
        (written,) = self.append_many([NewEvent(vendor, app, tenant, dedup_id, key, body, received_at)])
        return written

    def append_many(self, events: list[NewEvent]) -> list[bool]:
        """Write events durably in one transaction; for each, False when the log already held it."""
        with self._transaction() as db:
            return [
                db.execute(
                    "INSERT OR IGNORE INTO events (vendor, app, tenant, dedup_id, key, body, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (e.vendor, e.app, e.tenant, e.dedup_id, e.key, e.body, e.received_at),
                ).rowcount
                == 1
                for e in events
            ]

    def due(self, now: float, limit: int = 100) -> list[LoggedEvent]:
        """Unprocessed events whose next attempt is due, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, vendor, app, tenant, dedup_id, key, body, received_at, attempts FROM events"
                " WHERE processed_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
                (now, limit),
            ).fetchall()
        return [LoggedEvent(*row) for row in rows]

    def mark_processed(self, seqs: list[int], now: float) -> None:
        """Mark events processed, in one transaction."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE events SET processed_at = ?, attempts = attempts + 1 WHERE seq = ?",
                [(now, seq) for seq in seqs],
            )

    def mark_failed(self, seq: int, error: str, retry_at: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE events SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?",
                (error, retry_at, seq),
            )

    def counts(self) -> tuple[int, int]:
        """(events held, events processed)."""
        with self._lock:
            total, processed = self._db.execute("SELECT count(*), count(processed_at) FROM events").fetchone()
        return int(total), int(processed)
