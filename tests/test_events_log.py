"""The event log: appends dropped as redeliveries, due events oldest first, reads that do not grow with it, and
the writer that commits a burst of appends together."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from imgroup.events import EventLog, NewEvent
from imgroup.events._writer import GroupCommitWriter

DUE_QUERY_PLAN = (
    "EXPLAIN QUERY PLAN SELECT seq FROM events"
    " WHERE processed_at IS NULL AND next_attempt_at <= 1 ORDER BY seq LIMIT 100"
)


def event(dedup_id: str) -> NewEvent:
    return NewEvent("feishu", "cli_a", "tenant", dedup_id, "im.chat.disbanded_v1", b"{}", 1.0)


def test_a_redelivery_is_dropped_and_due_events_come_oldest_first(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.db")
    assert log.append_many([event("a"), event("b"), event("a")]) == [True, True, False]
    log.append_many([event("c")])
    due = log.due(now=2.0)
    assert [logged.dedup_id for logged in due] == ["a", "b", "c"]
    assert due[0].seq < due[1].seq < due[2].seq
    log.mark_processed([due[0].seq], now=2.0)
    log.mark_failed(due[1].seq, "boom", retry_at=10.0)
    assert [logged.dedup_id for logged in log.due(now=2.0)] == ["c"]
    assert [logged.dedup_id for logged in log.due(now=10.0)] == ["b", "c"]
    assert log.counts() == (3, 1)


def test_reading_what_is_due_walks_an_index_of_unprocessed_events_not_the_whole_log(tmp_path: Path) -> None:
    # The processing thread reads what is due after every batch: a scan of every event ever logged would make
    # each read slower as the log grows.
    log = EventLog(tmp_path / "events.db")
    with sqlite3.connect(log.path) as db:
        plan = " ".join(str(row[-1]) for row in db.execute(DUE_QUERY_PLAN))
    assert "USING INDEX events_unprocessed" in plan or "USING COVERING INDEX events_unprocessed" in plan, plan


def test_a_log_made_by_an_earlier_version_opens_with_its_events_still_due(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, vendor TEXT NOT NULL, app TEXT NOT NULL,
                tenant TEXT NOT NULL, dedup_id TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL,
                received_at REAL NOT NULL, processed_at REAL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL DEFAULT 0, last_error TEXT, UNIQUE (vendor, app, dedup_id)
            );
            CREATE INDEX events_due ON events (next_attempt_at, seq) WHERE processed_at IS NULL;
            INSERT INTO events (vendor, app, tenant, dedup_id, key, body, received_at)
                VALUES ('feishu', 'cli_a', 'tenant', 'old', 'im.chat.disbanded_v1', x'7b7d', 1.0);
            """
        )
    log = EventLog(path)
    assert log.append_many([event("old"), event("new")]) == [False, True]
    assert [logged.dedup_id for logged in log.due(now=2.0)] == ["old", "new"]
    with sqlite3.connect(path) as db:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "events_unprocessed" in indexes and "events_due" not in indexes


class CountingLog(EventLog):
    """The log, counting its commits."""

    commits = 0

    def append_many(self, events: list[NewEvent]) -> list[bool]:
        self.commits += 1
        return super().append_many(events)


def test_a_burst_of_concurrent_appends_shares_commits_and_each_hears_its_own_outcome(tmp_path: Path) -> None:
    log = CountingLog(tmp_path / "events.db")
    writer = GroupCommitWriter(log)

    async def burst() -> list[bool]:
        firsts = await asyncio.gather(*(writer.append(event(f"e{i}")) for i in range(40)))
        again = await asyncio.gather(writer.append(event("e0")), writer.append(event("e40")))
        return [*firsts, *again]

    try:
        outcomes = asyncio.run(burst())
    finally:
        writer.close()
    assert outcomes == [True] * 40 + [False, True]  # the repeat of e0 is a redelivery
    assert log.commits < 41
    assert [logged.dedup_id for logged in log.due(now=2.0)] == [f"e{i}" for i in range(41)]


def test_an_append_that_cannot_be_written_fails_every_request_of_its_batch(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.db")
    writer = GroupCommitWriter(log)
    log.close()  # every commit now fails

    async def appends() -> list[bool | BaseException]:
        return await asyncio.gather(*(writer.append(event(f"e{i}")) for i in range(5)), return_exceptions=True)

    try:
        outcomes = asyncio.run(appends())
    finally:
        writer.close()
    assert all(isinstance(outcome, sqlite3.ProgrammingError) for outcome in outcomes), outcomes
