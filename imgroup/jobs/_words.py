"""Counting words for a job's messages: ``1 item``, ``2 items``; a few names, then how many more."""

from __future__ import annotations

from collections.abc import Sequence

EXAMPLES_SHOWN = 3


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` and ``noun``, made plural (by ``nouns``, else with an s) unless ``count`` is one."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def some_of(names: Sequence[str], *, total: int | None = None, shown: int = EXAMPLES_SHOWN) -> str:
    """The first ``shown`` of ``names`` joined by commas, then ``and N more`` up to ``total`` (default: all)."""
    total = len(names) if total is None else total
    listed = ", ".join(names[:shown])
    more = total - min(shown, len(names))
    return f"{listed} and {more} more" if more > 0 else listed
