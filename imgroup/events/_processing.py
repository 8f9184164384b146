"""Processing, after the answer: each logged event parsed, its handlers called, its changes applied, at least once.

One thread reads the log oldest first. An event is marked processed only after every handler and the change
sink returned, so a receiver killed in between processes it again when it starts: handlers and the sink must
bear a repeat (the inventory's changes do). An event whose processing raised is tried again after a pause that
doubles up to five minutes, and never dropped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from imgroup.inventory.changes import AnyChange

from ._config import EVENT_TABLES
from ._handlers import EventContext, Handlers
from ._log import EventLog, LoggedEvent
from ._to_changes import to_changes

logger = logging.getLogger("imgroup.events")

IDLE_POLL_SECONDS = 1.0  # a wake-up is signalled on every append; this only bounds a missed one
MAX_RETRY_PAUSE_SECONDS = 300.0


class Processor:
    """Processes the log's due events on a thread of its own until ``stop``."""

    def __init__(
        self,
        log: EventLog,
        handlers: Handlers,
        apply_change: Callable[[AnyChange], None] | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._log = log
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

    def run_once(self) -> int:
        """Process what is due now; the number of events processed."""
        done = 0
        for logged in self._log.due(self._clock()):
            if self._stopping.is_set():
                break
            done += self._process(logged)
        return done

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self.run_once() == 0:
                self._wake.wait(IDLE_POLL_SECONDS)
                self._wake.clear()

    def _process(self, logged: LoggedEvent) -> int:
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
            self._handlers.dispatch(event, context)
            if self._apply is not None:
                for change in to_changes(event, context):
                    self._apply(change)
        except Exception as error:  # noqa: BLE001 - a handler's failure must not stop the events after it
            pause = min(2.0**logged.attempts, MAX_RETRY_PAUSE_SECONDS)
            logger.warning(
                "event %s (%s %s) failed, retried in %.0f s: %r", logged.seq, logged.vendor, logged.key, pause, error
            )
            self._log.mark_failed(logged.seq, repr(error), self._clock() + pause)
            return 0
        self._log.mark_processed(logged.seq, self._clock())
        return 1

    def _parse(self, logged: LoggedEvent) -> object:
        _, events = EVENT_TABLES[logged.vendor]
        return events[logged.key].parse(json.loads(logged.body))
