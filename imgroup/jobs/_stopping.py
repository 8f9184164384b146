"""When a job stops taking items: the outcomes that say every other item would fail the same way.

A refusal of the credentials stops the job at once. A host that cannot be reached (a refused connection, a name
that does not resolve) stops it once a few items in a row found it so, each after its own retries: one such
item may be a blip, several in a row are a wrong ``--base-url`` or an outage. The items not taken stay pending,
and the ones that failed are retried with ``--retry-failed``, so a stopped job resumes like an interrupted one.
"""

from __future__ import annotations

from ._outcome import STOPPING_CATEGORIES, UNREACHABLE, Outcome

UNREACHABLE_IN_A_ROW = 3


class Stopper:
    """Told each outcome as it happens; says which one stopped the job, if any."""

    def __init__(self, *, unreachable_in_a_row: int = UNREACHABLE_IN_A_ROW) -> None:
        self._limit = unreachable_in_a_row
        self._in_a_row = 0
        self.stopped_by: Outcome | None = None

    def note(self, outcome: Outcome) -> bool:
        """Record ``outcome``; True once the job must stop taking items."""
        if self.stopped_by is None:
            self._in_a_row = self._in_a_row + 1 if outcome.category == UNREACHABLE else 0
            if outcome.category in STOPPING_CATEGORIES or self._in_a_row >= self._limit:
                self.stopped_by = outcome
        return self.stopped_by is not None


def why_stopped(outcome: Outcome, who: str) -> str:
    """What stopped the job, and what to do, for the line the command prints (``who``: the vendor)."""
    said = f"[{outcome.code}] {outcome.message}" if outcome.code is not None else outcome.message or ""
    if outcome.category == UNREACHABLE:
        return (
            f"stopped: {who} could not be reached ({said}); check --base-url and the network, "
            "then re-run with --retry-failed"
        )
    return f"stopped: {who} refused the credentials ({said}); fix them, then re-run with --retry-failed"
