"""One line of the results table, and the statistics behind it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Summary:
    """Median, min and max of repeated runs."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("a summary needs at least one run")
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Row:
    """One figure: what was measured on what, how it compares with its reference, and whether it meets its target.

    ``ratio`` is this row's median over the reference row's median, measured in the same run.
    """

    measurement: str
    subject: str
    metric: str
    unit: str
    summary: Summary
    reference: str | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    note: str = ""
    detail: str = ""
    """What a profile shows, for a missed target; printed under the table."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Row:
        return cls(**{**document, "summary": Summary(**document["summary"])})


def ratio(value: Summary, reference: Summary) -> float:
    """``value``'s median over ``reference``'s median."""
    return value.median / reference.median
