"""Processing, after the answer: each logged event parsed, its handlers called, its changes applied, at least once.

One thread reads the log oldest first, through a connection of its own, a batch at a time: woken by an append,
it waits a moment for more, so that one commit marks many events processed. An event is marked processed only
after every handler and the change sink returned, so a receiver killed in between processes it again when it starts: handlers and the sink must
bear a repeat (the inventory's changes do). An event whose processing raised is tried again after a pause that
doubles up to five minutes, and never dropped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from imgroup.inventory.changes import AnyChange

from ._config import EVENT_TABLES
from ._handlers import EventContext, Handlers
from ._log import EventLog, LoggedEvent
from ._to_changes import to_changes

logger = logging.getLogger("imgroup.events")

IDLE_POLL_SECONDS = 1.0  # a wake-up is signalled on every append; this only bounds a missed one
BATCH_LINGER_SECONDS = 0.05  # after a wake-up, how long more events may gather before a batch is processed
BATCH_SIZE = 100  # events read and marked processed at a time
MAX_RETRY_PAUSE_SECONDS = 300.0


class Processor:
    """Processes the log's due events on a thread of its own until ``stop``."""

    def __init__(
        self,
        path: Path,
        handlers: Sequence[Handlers],
        apply_change: Callable[[AnyChange], None] | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = path
        self._handlers = handlers
        self._apply = apply_change
        self._clock = clock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="imgroup-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join()

    def run_once(self, log: EventLog) -> int:
        """Process what is due now, at most BATCH_SIZE events; the number taken up (processed or put off)."""
        processed = []
        batch = log.due(self._clock(), BATCH_SIZE)
        for logged in batch:
            if self._stopping.is_set():
                break
            if self._process(log, logged):
                processed.append(logged.seq)
        if processed:
            log.mark_processed(processed, self._clock())
        return len(batch)

    def _run(self) -> None:
        log = EventLog(self._path, durable=False)
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # before reading the log: an append from now on ends the wait below
                caught_up = self.run_once(log) < BATCH_SIZE
                # Even while events keep coming, wait for the next and a moment more, so that one read and one
                # commit serve many events, not one each.
                if caught_up and not self._stopping.is_set() and self._wake.wait(IDLE_POLL_SECONDS):
                    self._stopping.wait(BATCH_LINGER_SECONDS)
        finally:
            log.close()

    def _process(self, log: EventLog, logged: LoggedEvent) -> bool:
        context = EventContext(
            vendor=logged.vendor,
            key=logged.key,
            app=logged.app,
            tenant=logged.tenant,
            seq=logged.seq,
            received_at=datetime.fromtimestamp(logged.received_at, UTC),
        )
        try:
            event = self._parse(logged)
            for handlers in self._handlers:
                handlers.dispatch(event, context)
            if self._apply is not None:
                for change in to_changes(event, context):
                    self._apply(change)
        except Exception as error:  # noqa: BLE001 - a handler's failure must not stop the events after it
            pause = min(2.0**logged.attempts, MAX_RETRY_PAUSE_SECONDS)
            logger.warning(
                "event %s (%s %s) failed, retried in %.0f s: %r", logged.seq, logged.vendor, logged.key, pause, error
            )
            log.mark_failed(logged.seq, repr(error), self._clock() + pause)
            return False
        return True

    def _parse(self, logged: LoggedEvent) -> object:
        _, events = EVENT_TABLES[logged.vendor]
        return events[logged.key].parse(json.loads(logged.body.decode()))  # decoded: json's sniffing spared
