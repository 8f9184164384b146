"""The journal: one SQLite row per item, updated as each outcome happens, so a killed job resumes where it was.

An item is ``pending`` until a worker takes it, ``in_flight`` while its call runs, then ``done`` or ``failed``
(or ``skipped``: a plan's step whose group changed since the plan was made, which no re-run retries).
Each change is its own committed transaction. A re-run skips ``done`` and ``skipped`` items, re-runs ``pending`` and
``in_flight`` ones (a call may or may not have reached the vendor before the kill; a disband that then finds
the group gone counts as done) and re-runs ``failed`` ones only when asked.

Durability: WAL with ``synchronous=NORMAL``. A commit returns once the change is written to the WAL file, so
a killed process (SIGKILL included) loses nothing, since the operating system still holds the write. Only a
power cut or OS crash can drop the last commits, and then the lost items re-run: a disband finds its group gone
and is marked done, already gone. ``FULL`` would add an fsync to each of the two commits per item for that
case alone.

The journal belongs to one input: a re-run whose input differs (another job, an item added, removed or
changed) is refused, naming the first difference, rather than guessing which one is right. The journal is
locked (SQLite's exclusive locking mode) while a job runs, so two runs never work on it at once.

Memory: the journal is where a job's items live. The input is read into it a batch at a time (a re-run's input
into a temporary table, to be compared with it), a run takes the items to run from it a batch at a time
(``items_to_run``), and counts and reports are read from it with SQL or row by row, so a job of any size holds
no more than a batch of its items (``BATCH_SIZE``) and SQLite's page caches.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Self

from attrs import frozen

from imgroup._plural import EXAMPLES_SHOWN, counted, some_of

from ._input import Item, repeated_with_other_values
from ._outcome import Outcome

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS job (name TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    arguments TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    already_gone INTEGER NOT NULL DEFAULT 0,
    code INTEGER,
    category TEXT,
    message TEXT,
    request_id TEXT,
    attempts INTEGER,
    updated_at REAL
)""",
)
INPUT_TABLE = "CREATE TEMP TABLE input_items (key TEXT PRIMARY KEY, line INTEGER NOT NULL, arguments TEXT NOT NULL)"
STATUSES = ("pending", "in_flight", "done", "failed", "skipped")
# Items read from the input, or taken from the journal to run, at a time: all a job holds of them at once (about
# 0.2 MB), and few enough queries that their cost per item is next to nothing.
BATCH_SIZE = 500
# SQLite's page cache, per database (the journal, and the temporary one a re-run's input is read into): each item
# touches a few pages once or twice, so a larger cache only grows with the job. 256 KiB kept a 10,000-item job's
# peak RSS ~0.7 MiB lower at the same CPU per item (bench.bulk's job).
CACHE_SIZE_KIB = 256


class JournalError(Exception):
    """The journal cannot be used for this job: another job's, another input's, in use, or unreadable."""


@frozen
class Entry:
    """One item as the journal holds it."""

    key: str
    line: int
    status: str
    outcome: Outcome


def _arguments_text(item: Item) -> str:
    return json.dumps(item.arguments, sort_keys=True, ensure_ascii=False)


class Journal:
    """An open journal file.

    >>> with Journal.open(Path("groups.txt.journal.sqlite"), job.name, items) as journal:  # doctest: +SKIP
    ...     for item in journal.items_to_run(retry_failed=False): ...
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path, job_name: str, items: Iterable[Item], *, input_name: str = "the input") -> Journal:
        """Open (or create) the journal for ``items`` and lock it; raises JournalError when it does not fit.

        ``items`` are read through once, a batch at a time; the InputError of a bad one (or of a key repeated with
        other values, naming ``input_name``) leaves no journal behind that was not there before.
        """
        existed = path.exists()
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=0)
        except sqlite3.DatabaseError as error:
            raise JournalError(_explain(path, error)) from None
        try:
            # Exclusive locking: the first write takes a lock held until close, so a second run is refused.
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            _limit_caches(connection)
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as error:
            connection.close()
            raise JournalError(_explain(path, error)) from None
        journal = cls(connection, path)
        try:
            journal._bind(job_name, items, input_name)
        except BaseException:
            connection.execute("ROLLBACK")
            connection.close()
            if not existed:
                path.unlink(missing_ok=True)
            raise
        connection.execute("COMMIT")
        return journal

    @classmethod
    def read(cls, path: Path) -> Journal:
        """Open an existing journal read-only (for a dry run); it must exist."""
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            connection.execute("SELECT count(*) FROM items").fetchone()
            _limit_caches(connection)
        except sqlite3.DatabaseError as error:
            raise JournalError(_explain(path, error)) from None
        return cls(connection, path)

    def _bind(self, job_name: str, items: Iterable[Item], input_name: str) -> None:
        try:
            for statement in SCHEMA:
                self._db.execute(statement)
        except sqlite3.DatabaseError as error:
            raise JournalError(f"{self.path} is not a journal ({error})") from None
        recorded = self._db.execute("SELECT name FROM job").fetchone()
        if recorded is None:
            self._db.execute("INSERT INTO job (name) VALUES (?)", (job_name,))
            _read_in(self._db, "items", items, input_name)
            return
        self.verify(job_name, items, input_name=input_name)

    def verify(self, job_name: str, items: Iterable[Item], *, input_name: str = "the input") -> None:
        """Raise JournalError unless this journal was made for this job and exactly these items.

        ``items`` are read through once into a temporary table (each once, as ``open`` reads them) and compared
        with the journal's from there.
        """
        (recorded_job,) = self._db.execute("SELECT name FROM job").fetchone()
        self._db.execute(INPUT_TABLE)
        try:
            _read_in(self._db, "temp.input_items", items, input_name)
            # Closed before the table is dropped, however far the check read it.
            with closing(self._db.execute("SELECT key, line, arguments FROM temp.input_items ORDER BY rowid")) as rows:
                check_matches(self.path, recorded_job, _RecordedArguments(self), job_name, _items_of(rows), self._gone)
        finally:
            self._db.execute("DROP TABLE temp.input_items")

    def _gone(self) -> tuple[int, list[str]]:
        """How many of the journal's items the input just read in (``temp.input_items``) lacks, and the first few."""
        missing = "FROM items WHERE key NOT IN (SELECT key FROM temp.input_items)"
        (count,) = self._db.execute(f"SELECT count(*) {missing}").fetchone()
        first = [key for (key,) in self._db.execute(f"SELECT key {missing} ORDER BY line LIMIT ?", (EXAMPLES_SHOWN,))]
        return count, first

    def to_run(self, *, retry_failed: bool) -> list[str]:
        """Keys still to run, in input order: pending and interrupted ones, and failed ones if asked."""
        statuses = _statuses_to_run(retry_failed)
        marks = ", ".join("?" for _ in statuses)
        rows = self._db.execute(f"SELECT key FROM items WHERE status IN ({marks}) ORDER BY line", statuses)
        return [key for (key,) in rows]

    def count_to_run(self, *, retry_failed: bool) -> int:
        """How many items ``to_run`` holds."""
        statuses = _statuses_to_run(retry_failed)
        marks = ", ".join("?" for _ in statuses)
        (count,) = self._db.execute(f"SELECT count(*) FROM items WHERE status IN ({marks})", statuses).fetchone()
        return int(count)

    def items_to_run(self, *, retry_failed: bool) -> Iterator[Item]:
        """The items still to run (those of ``to_run``), with their arguments, taken from the journal a batch at a time
        as they are asked for: a run holds no more of its items than a batch.

        The journal may change as they are taken (a worker records each item it took in flight, then its outcome):
        the next batch starts after the last item taken, so no item comes twice and an item failed in this run
        does not come again.
        """
        statuses = _statuses_to_run(retry_failed)
        marks = ", ".join("?" for _ in statuses)
        # rowid is input order: the items were written in it. It is the table's own key, where line has no index.
        query = (
            f"SELECT rowid, key, line, arguments FROM items WHERE rowid > ? AND status IN ({marks})"
            " ORDER BY rowid LIMIT ?"
        )
        after = 0
        while batch := self._db.execute(query, (after, *statuses, BATCH_SIZE)).fetchall():
            after = batch[-1][0]
            yield from _items_of(row[1:] for row in batch)

    def __len__(self) -> int:
        """How many items the journal holds."""
        (count,) = self._db.execute("SELECT count(*) FROM items").fetchone()
        return int(count)

    def interrupted(self) -> frozenset[str]:
        """Keys of the items in flight when a run stopped: their call may or may not have reached the vendor."""
        rows = self._db.execute("SELECT key FROM items WHERE status = 'in_flight'")
        return frozenset(key for (key,) in rows)

    def start(self, key: str) -> None:
        """Record that the item's call is about to be sent."""
        self._db.execute(
            "UPDATE items SET status = 'in_flight', updated_at = ? WHERE key = ?",
            (time.time(), key),
        )

    def finish(self, key: str, outcome: Outcome) -> None:
        """Record the item's outcome."""
        self._db.execute(
            "UPDATE items SET status = ?, already_gone = ?, code = ?, category = ?, message = ?, request_id = ?,"
            " attempts = ?, updated_at = ? WHERE key = ?",
            (
                outcome.status,
                int(outcome.already_gone),
                outcome.code,
                outcome.category,
                outcome.message,
                outcome.request_id,
                outcome.attempts,
                time.time(),
                key,
            ),
        )

    def counts(self) -> dict[str, int]:
        """How many items are in each status, and how many of the done ones were already gone."""
        found = dict(self._db.execute("SELECT status, count(*) FROM items GROUP BY status").fetchall())
        counts = {status: found.get(status, 0) for status in STATUSES}
        (gone,) = self._db.execute("SELECT count(*) FROM items WHERE status = 'done' AND already_gone").fetchone()
        counts["already_gone"] = gone
        return counts

    def entries(self) -> Iterator[Entry]:
        """Every item with its latest outcome, in input order."""
        # rowid is input order (see items_to_run); ordering by line would sort every row in memory first.
        rows = self._db.execute(
            "SELECT key, line, status, already_gone, code, category, message, request_id, attempts"
            " FROM items ORDER BY rowid"
        )
        for key, line, status, gone, code, category, message, request_id, attempts in rows:
            outcome = Outcome(status, bool(gone), code, category, message, request_id, attempts)
            yield Entry(key, line, status, outcome)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_matches(
    path: Path,
    recorded_job: str,
    recorded: Mapping[str, str],
    job_name: str,
    items: Iterable[Item],
    gone: Callable[[], tuple[int, list[str]]],
) -> None:
    """Raise JournalError unless the journal was made for this job and exactly these items (each once); ``gone``
    counts the journal's items the input no longer has and names the first few, asked only when there are some."""
    advice = "use another --journal (or delete this one) to start afresh"
    if recorded_job != job_name:
        raise JournalError(f"{path} is the journal of a {recorded_job} job, not {job_name}; {advice}")
    seen = 0
    for item in items:
        arguments = recorded.get(item.key)
        if arguments is None:
            raise JournalError(f"the input has {item.key} (line {item.line}), which {path} does not; {advice}")
        if arguments != _arguments_text(item):
            raise JournalError(f"{item.key} (line {item.line}) has other values than in {path}; {advice}")
        seen += 1
    if seen != len(recorded):
        count, first = gone()
        raise JournalError(
            f"{path} holds {counted(count, 'item')} the input no longer has ({some_of(first, total=count)}); {advice}"
        )


def _statuses_to_run(retry_failed: bool) -> tuple[str, ...]:
    return ("pending", "in_flight", "failed") if retry_failed else ("pending", "in_flight")


def _limit_caches(connection: sqlite3.Connection) -> None:
    for schema in ("main", "temp"):
        connection.execute(f"PRAGMA {schema}.cache_size=-{CACHE_SIZE_KIB}")


def _read_in(db: sqlite3.Connection, table: str, items: Iterable[Item], input_name: str) -> None:
    """Write ``items`` into ``table`` a batch at a time, each key once: an item repeated exactly is written once, a key
    repeated with other values raises InputError."""
    insert = f"INSERT OR IGNORE INTO {table} (key, line, arguments) VALUES (?, ?, ?)"
    for batch in _batches(items):
        rows = [(item.key, item.line, _arguments_text(item)) for item in batch]
        before = db.total_changes
        db.executemany(insert, rows)
        if db.total_changes - before < len(rows):
            _check_repeats(db, table, batch, rows, input_name)


def _batches(items: Iterable[Item]) -> Iterator[list[Item]]:
    """``items`` in lists of BATCH_SIZE; when taking one raises, the items before it come first (an earlier item's
    fault is the one to name)."""
    batch: list[Item] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def _check_repeats(
    db: sqlite3.Connection, table: str, batch: Sequence[Item], rows: Sequence[tuple[str, int, str]], input_name: str
) -> None:
    """Raise InputError for the first item of ``batch`` whose key an earlier line gave other values."""
    for item, (key, line, arguments) in zip(batch, rows, strict=True):
        earlier_line, earlier_arguments = db.execute(
            f"SELECT line, arguments FROM {table} WHERE key = ?", (key,)
        ).fetchone()
        if earlier_line != line and earlier_arguments != arguments:
            raise repeated_with_other_values(input_name, item, earlier_line)


def _items_of(rows: Iterable[tuple[str, int, str]]) -> Iterator[Item]:
    """Items from the journal's rows of key, line and arguments (as JSON)."""
    return (Item(key, line, json.loads(arguments)) for key, line, arguments in rows)


class _RecordedArguments(Mapping[str, str]):
    """The journal's items' arguments (as JSON) by key, read from the journal as they are asked for."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    def __getitem__(self, key: str) -> str:
        row = self._journal._db.execute("SELECT arguments FROM items WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return str(row[0])

    def __iter__(self) -> Iterator[str]:
        return (key for (key,) in self._journal._db.execute("SELECT key FROM items ORDER BY rowid"))

    def __len__(self) -> int:
        return len(self._journal)


def _explain(path: Path, error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"{path} is in use by another run of this job"
    if "not a database" in text:
        return f"{path} is not a journal ({text})"
    return f"cannot open the journal {path} ({text})"
