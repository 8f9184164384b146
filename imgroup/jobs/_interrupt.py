"""Running a job's event loop so that Ctrl-C and SIGTERM stop it the same way, at an await, never mid-write.

asyncio.run already turns Ctrl-C into a cancellation of the job (then KeyboardInterrupt); SIGTERM (a service
manager, ``kill``, a CI timeout) would otherwise end the process at once, leaving no report. Here both cancel
the job, whose items in flight stay in flight in the journal (sent again, and found done, on resume), and
raise Interrupted so the command can still write its report and summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class Interrupted(Exception):
    """The job was stopped by Ctrl-C or SIGTERM; ``signal_name`` says which."""

    def __init__(self, signal_name: str) -> None:
        self.signal_name = signal_name
        super().__init__(f"interrupted by {signal_name}")


def run_interruptible(job: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(job)``; raises Interrupted when Ctrl-C or SIGTERM stopped it."""
    try:
        return asyncio.run(_cancelled_by_sigterm(job))
    except KeyboardInterrupt:
        raise Interrupted("Ctrl-C") from None


async def _cancelled_by_sigterm(job: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated: list[bool] = []

    def terminate() -> None:
        terminated.append(True)
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
        handled = True
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals (Windows)
        handled = False
    try:
        return await job
    except asyncio.CancelledError:
        if terminated:
            raise Interrupted("SIGTERM") from None
        raise
    finally:
        if handled:
            with contextlib.suppress(RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGTERM)
