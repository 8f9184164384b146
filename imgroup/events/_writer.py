"""Group commit: the receiver's appends, written by one thread, as many per transaction as are waiting.

Each request hands its event to the writer and awaits the answer; the writer takes every event queued by then and
commits them in one transaction (one fsync), then resolves each request's future on its event loop. A burst of
concurrent pushes so costs one fsync, not one each, and the event loop never waits on the disk.

While a burst is on (the last commit took more than one event, or more were waiting when it ended), a commit
starts no sooner than BURST_COMMIT_INTERVAL_SECONDS after the one before, so that more of the burst joins it: an
fsync costs the CPU of about two requests here, and a vendor waits seconds for its answer (Feishu 3 s), not
milliseconds. A lone push, or pushes one after another, are committed at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from queue import Empty, SimpleQueue

from ._log import EventLog, NewEvent

BURST_COMMIT_INTERVAL_SECONDS = 0.01
_Waiting = tuple[NewEvent, asyncio.AbstractEventLoop, "asyncio.Future[bool]"]


class GroupCommitWriter:
    """Appends to ``log`` on a thread of its own until ``close``."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._queue: SimpleQueue[_Waiting | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="imgroup-events-writer", daemon=True)
        self._thread.start()

    async def append(self, event: NewEvent) -> bool:
        """Write ``event`` durably; False when the log already holds it (a redelivery)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._queue.put((event, loop, future))
        return await future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        burst, last_commit = False, 0.0
        while True:
            first = self._queue.get()
            if first is None:
                return
            if burst:
                time.sleep(max(0.0, last_commit + BURST_COMMIT_INTERVAL_SECONDS - time.monotonic()))
            last_commit = time.monotonic()
            batch = [first]
            while True:
                try:
                    waiting = self._queue.get_nowait()
                except Empty:
                    break
                if waiting is None:
                    self._queue.put(None)  # close after this batch
                    break
                batch.append(waiting)
            try:
                written: list[bool | Exception] = list(self._log.append_many([event for event, _, _ in batch]))
            except Exception as error:  # noqa: BLE001 - every request of the batch must hear of it
                written = [error] * len(batch)
            # One wake-up of each event loop for the whole batch, not one per request.
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], bool | Exception]]] = {}
            for (_, loop, future), outcome in zip(batch, written, strict=True):
                by_loop.setdefault(loop, []).append((future, outcome))
            for loop, outcomes in by_loop.items():
                loop.call_soon_threadsafe(_settle, outcomes)
            burst = len(batch) > 1 or not self._queue.empty()


def _settle(outcomes: list[tuple[asyncio.Future[bool], bool | Exception]]) -> None:
    for future, outcome in outcomes:
        if future.done():  # the request may have gone (the vendor hung up)
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
