"""Counts in what the tools print, with the noun in the number it takes: "1 item", "2 items", "0 items"; and a
few names, then how many more."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, made plural (``plural``, else ``noun`` + "s") unless ``count`` is one.

    >>> counted(1, "item"), counted(3, "step"), counted(0, "tencent group"), counted(2, "entry", "entries")
    ('1 item', '3 steps', '0 tencent groups', '2 entries')
    """
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


EXAMPLES_SHOWN = 3


def some_of(names: Sequence[str], *, total: int | None = None, shown: int = EXAMPLES_SHOWN) -> str:
    """The first ``shown`` of ``names`` joined by commas, then ``and N more`` up to ``total`` (default: all)."""
    total = len(names) if total is None else total
    listed = ", ".join(names[:shown])
    more = total - min(shown, len(names))
    return f"{listed} and {more} more" if more > 0 else listed
