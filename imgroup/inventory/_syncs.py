"""Where each app's full sync is, kept in the inventory itself, so a sync killed at any moment resumes.

A sync begins (``begin``: its start time is kept), lists every group the app can see once (``save_listing``:
the references, in order, as a queue), reads them in batches (each batch's reads and its ``mark_read`` are one
transaction), then ends (``finish``): the groups it neither read nor saw, and no event touched since it began,
are gone; the app's last full sync is its start time. Run again before the end, it finds the queue and reads
only what is left. A sync killed while listing lists again (the listing wrote nothing yet).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from attrs import frozen

from ._database import Database

APP_KEY = "vendor = ? AND app = ? AND tenant = ?"


@frozen
class SyncRun:
    """A full sync under way: when it began, and whether it has its listing yet."""

    started_at: float
    listed: bool


class SyncBook:
    """The sync bookkeeping tables of one inventory."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def begin(self, vendor: str, app: str, tenant: str) -> SyncRun:
        """The sync under way for this app, or a new one starting now."""
        with self.db.transaction():
            rows = self.db.rows(
                f"SELECT started_at, listed FROM inventory_syncs WHERE {APP_KEY}", (vendor, app, tenant)
            )
            if rows:
                return SyncRun(rows[0][0], bool(rows[0][1]))
            started = time.time()
            self.db.execute(
                "INSERT INTO inventory_syncs (vendor, app, tenant, started_at, listed) VALUES (?, ?, ?, ?, 0)",
                (vendor, app, tenant, started),
            )
            return SyncRun(started, False)

    def save_listing(self, vendor: str, app: str, tenant: str, refs: Sequence[str]) -> None:
        with self.db.transaction():
            self.db.execute(f"DELETE FROM inventory_sync_queue WHERE {APP_KEY}", (vendor, app, tenant))
            self.db.executemany(
                "INSERT INTO inventory_sync_queue (vendor, app, tenant, position, ref, done) VALUES (?, ?, ?, ?, ?, 0)",
                [(vendor, app, tenant, position, ref) for position, ref in enumerate(refs)],
            )
            self.db.execute(f"UPDATE inventory_syncs SET listed = 1 WHERE {APP_KEY}", (vendor, app, tenant))

    def pending(self, vendor: str, app: str, tenant: str) -> list[tuple[int, str]]:
        """The listed groups not read yet: (position, reference), in listing order."""
        rows = self.db.rows(
            f"SELECT position, ref FROM inventory_sync_queue WHERE {APP_KEY} AND done = 0 ORDER BY position",
            (vendor, app, tenant),
        )
        return [(int(position), str(ref)) for position, ref in rows]

    def listed(self, vendor: str, app: str, tenant: str) -> tuple[int, int]:
        """How many groups the sync under way listed, and how many of them it has read."""
        rows = self.db.rows(
            f"SELECT count(*), coalesce(sum(done), 0) FROM inventory_sync_queue WHERE {APP_KEY}", (vendor, app, tenant)
        )
        return int(rows[0][0]), int(rows[0][1])

    def mark_read(self, vendor: str, app: str, tenant: str, positions: Sequence[int]) -> None:
        """Inside the transaction that recorded the reads."""
        self.db.executemany(
            f"UPDATE inventory_sync_queue SET done = 1 WHERE {APP_KEY} AND position = ?",
            [(vendor, app, tenant, position) for position in positions],
        )

    def finish(self, vendor: str, app: str, tenant: str) -> int:
        """End the sync: remove what it did not see; record it as the app's last full sync. How many groups went."""
        with self.db.transaction():
            rows = self.db.rows(f"SELECT started_at FROM inventory_syncs WHERE {APP_KEY}", (vendor, app, tenant))
            if not rows:
                return 0
            started = float(rows[0][0])
            gone = self.db.rows(
                f"SELECT group_id FROM inventory_groups WHERE {APP_KEY} AND alive = 1 AND seen_at < ?",
                (vendor, app, tenant, started),
            )
            # Marked gone as of the sync's start (not deleted): an event older than that cannot bring them back.
            self.db.execute(
                f"UPDATE inventory_groups SET alive = 0, alive_at = ? WHERE {APP_KEY} AND alive = 1 AND seen_at < ?",
                (started, vendor, app, tenant, started),
            )
            self.db.executemany(
                f"DELETE FROM inventory_members WHERE {APP_KEY} AND group_id = ?",
                [(vendor, app, tenant, group_id) for (group_id,) in gone],
            )
            self.db.execute(
                "INSERT INTO inventory_apps (vendor, app, tenant, last_full_sync, last_sync_finished) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (vendor, app, tenant) DO UPDATE SET "
                "last_full_sync = excluded.last_full_sync, last_sync_finished = excluded.last_sync_finished",
                (vendor, app, tenant, started, time.time()),
            )
            self.db.execute(f"DELETE FROM inventory_sync_queue WHERE {APP_KEY}", (vendor, app, tenant))
            self.db.execute(f"DELETE FROM inventory_syncs WHERE {APP_KEY}", (vendor, app, tenant))
        return len(gone)
