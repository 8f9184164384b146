"""What failed, by cause: the lines a job prints at its end, so a run without ``--report`` still says why.

Failures are grouped by what the vendor (or the connection) said: the category, the vendor's code and the
message. Each cause names a few of its items, then how many more; the report has them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from attrs import define, field

from imgroup._plural import EXAMPLES_SHOWN, counted, some_of

from ._journal import Entry


@define
class Cause:
    """One way items failed, how many did, and the first few of them."""

    category: str | None
    code: int | None
    message: str | None
    count: int = 0
    examples: list[str] = field(factory=list)

    def describe(self) -> str:
        code = f"[{self.code}] " if self.code is not None else ""
        said = f": {self.message}" if self.message else ""
        return f"{code}{self.category or 'failed'}{said}"


def failure_causes(entries: Iterable[Entry], *, shown: int = EXAMPLES_SHOWN) -> list[Cause]:
    """The failed entries' causes, the commonest first (ties in the order they first appear)."""
    causes: dict[tuple[str | None, int | None, str | None], Cause] = {}
    for entry in entries:
        if entry.status != "failed":
            continue
        outcome = entry.outcome
        key = (outcome.category, outcome.code, outcome.message)
        cause = causes.setdefault(key, Cause(*key))
        cause.count += 1
        if len(cause.examples) < shown:
            cause.examples.append(entry.key)
    return sorted(causes.values(), key=lambda cause: -cause.count)


def failure_lines(
    entries: Iterable[Entry], *, noun: str = "item", scrub: Callable[[str], str] = lambda text: text
) -> list[str]:
    """``N items failed:`` and one line per cause naming a few of its items; no lines when none failed.

    ``scrub`` cleans each message (a journal may hold one written before messages were scrubbed)."""
    causes = failure_causes(entries)
    if not causes:
        return []
    total = sum(cause.count for cause in causes)
    lines = [f"{counted(total, noun)} failed:"]
    for cause in causes:
        lines.append(
            f"  {scrub(cause.describe())} ({counted(cause.count, noun)}): {some_of(cause.examples, total=cause.count)}"
        )
    return lines
