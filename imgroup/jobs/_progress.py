"""Showing a job's progress: a rich bar on a terminal, a plain line every few seconds otherwise (logs, CI)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any, Protocol, Self

from ._outcome import Outcome

PLAIN_EVERY_S = 5.0


class ProgressView(Protocol):
    """What the runner tells the user as outcomes arrive."""

    def advance(self, outcome: Outcome) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


class Tally:
    """Counts of this run's outcomes and their rate."""

    def __init__(self, total: int, clock: Callable[[], float]) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self._clock = clock
        self._started = clock()

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.done += 1
        elif outcome.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1

    def rate(self) -> float:
        elapsed = self._clock() - self._started
        return self.finished / elapsed if elapsed > 0 else 0.0

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def line(self) -> str:
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return f"{self.finished}/{self.total}: {self.done} done, {self.failed} failed{skipped}, {self.rate():.1f}/s"


class PlainProgress:
    """A line at most every ``every`` seconds, and one at the end."""

    def __init__(
        self, total: int, stream: IO[str], *, every: float = PLAIN_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tally = Tally(total, clock)
        self._stream = stream
        self._every = every
        self._clock = clock
        self._last = clock()

    def advance(self, outcome: Outcome) -> None:
        self.tally.add(outcome)
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._write()

    def _write(self) -> None:
        print(self.tally.line(), file=self._stream, flush=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._write()


class RichProgress:
    """A rich progress bar with done, failed and rate; rich is imported only when it is shown."""

    def __init__(self, total: int, description: str, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.tally = Tally(total, time.monotonic)
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[done]} done[/] [red]{task.fields[failed]} failed[/]"
                "{task.fields[skipped]} {task.fields[rate]}/s"
            ),
            TimeRemainingColumn(),
            console=Console(file=stream),
        )
        self._task: Any = self._bar.add_task(description, total=total, done=0, failed=0, skipped="", rate="0.0")

    def advance(self, outcome: Outcome) -> None:
        self.tally.add(outcome)
        tally = self.tally
        skipped = f" [yellow]{tally.skipped} skipped[/]" if tally.skipped else ""
        self._bar.update(
            self._task, advance=1, done=tally.done, failed=tally.failed, skipped=skipped, rate=f"{tally.rate():.1f}"
        )

    def __enter__(self) -> Self:
        self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()


def progress_view(total: int, description: str, stream: IO[str]) -> ProgressView:
    """A rich bar when ``stream`` is a terminal, plain lines otherwise."""
    if stream.isatty():
        return RichProgress(total, description, stream)
    return PlainProgress(total, stream)
