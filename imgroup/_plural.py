"""Counts in what the tools print, with the noun in the number it takes: "1 item", "2 items", "0 items"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, made plural (``plural``, else ``noun`` + "s") unless ``count`` is one.

    >>> counted(1, "item"), counted(3, "step"), counted(0, "tencent group"), counted(2, "entry", "entries")
    ('1 item', '3 steps', '0 tencent groups', '2 entries')
    """
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
