"""Feishu's page_token paging over the emulator's state, as the list operations answer it.

A page token carries the sort key of the last item handed out, not a position: the next page starts after
that key, so an item that disappears meanwhile (a chat disbanded, a member removed) neither shifts the rest
nor makes the iterator repeat or skip another item.
"""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._pipeline import Result

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
INVALID_PARAMETER = 232001

SortKey = tuple[Any, ...]


def page_size(raw: str | None) -> int | Result:
    """The page size a request asks for, or the parameter error Feishu answers for one out of range."""
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        return Result(INVALID_PARAMETER)
    return int(raw)


def encode_token(key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode_token(token: str | None) -> SortKey | None | Result:
    """The sort key a page token carries; None for the first page; a parameter error for a token we never gave."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        return Result(INVALID_PARAMETER)
    if not isinstance(key, list):
        return Result(INVALID_PARAMETER)
    return tuple(key)


def page_after(
    keys: Sequence[SortKey],
    after: SortKey | None,
    size: int,
    visible: Callable[[SortKey], bool],
) -> tuple[list[SortKey], bool]:
    """Up to ``size`` visible keys that sort after ``after`` in ``keys`` (sorted), and whether more follow."""
    start = 0 if after is None else bisect.bisect_right(keys, after)
    taken: list[SortKey] = []
    for index in range(start, len(keys)):
        key = keys[index]
        if not visible(key):
            continue
        if len(taken) == size:
            return taken, True
        taken.append(key)
    return taken, False


def page_answer(items: Iterable[dict[str, Any]], last: SortKey | None, has_more: bool) -> dict[str, Any]:
    """The ``data`` of one page: its items, the token of the next page (empty at the end) and has_more."""
    return {
        "items": list(items),
        "page_token": encode_token(last) if has_more and last is not None else "",
        "has_more": has_more,
    }
