"""Works out which spec operation a page documents.

In order: the same path (``:chat_id`` and ``{chat_id}`` alike) with the same or an unstated method; the
page's own address equal to an operation's ``x-doc-page``; else the operation whose path is most like the
page's, when one is clearly closest (a moved endpoint keeps most of its segments). Matching by path alone
first means a page whose method changed still finds its operation, and the comparer reports the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from .model import Page
from .spec_model import SpecOperation
from .text import canonical_path

# A moved path must keep this share of its segments (difflib ratio) to count as the same operation.
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class Match:
    """The operation a page documents and how it was found (for the report)."""

    operation: SpecOperation
    how: str


class Unmatched(Exception):
    """No spec operation is clearly the one the page documents."""


def match(page: Page, operations: list[SpecOperation]) -> Match:
    """The operation ``page`` documents; Unmatched (with the reason) when none or several fit."""
    if not operations:
        raise Unmatched("no spec operations to match against")
    if page.path is not None:
        same_path = [op for op in operations if _key(op.path) == _key(page.path)]
        same_method = [op for op in same_path if page.method in (None, op.method)]
        if len(same_method) == 1:
            return Match(same_method[0], "method and path" if page.method else "path")
        if len(same_path) == 1:
            return Match(same_path[0], "path (the method differs)")
        if len(same_path) > 1:
            raise Unmatched(f"several operations have the path {page.path}: {_labels(same_path)}")
    if page.url:
        by_address = [op for op in operations if op.doc_page and _address(op.doc_page) == _address(page.url)]
        if len(by_address) == 1:
            return Match(by_address[0], "x-doc-page")
    if page.path is None:
        raise Unmatched("the page states no path and its address is no operation's x-doc-page")
    return _closest(page, operations)


def _closest(page: Page, operations: list[SpecOperation]) -> Match:
    assert page.path is not None
    candidates = [op for op in operations if page.method in (None, op.method)] or operations
    scored = sorted(((_similarity(page.path, op.path), op) for op in candidates), key=lambda pair: -pair[0])
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < MIN_SIMILARITY:
        raise Unmatched(
            f"no operation has the path {page.method or ''} {page.path}".replace("  ", " ")
            + f"; the closest is {best.label} (similarity {best_score:.2f}, needs {MIN_SIMILARITY})"
        )
    if best_score == runner_up:
        tied = [op for score, op in scored if score == best_score]
        raise Unmatched(f"the path {page.path} is equally close to {_labels(tied)}")
    return Match(best, f"closest path (similarity {best_score:.2f})")


def _key(path: str) -> str:
    """A path with its parameter names blanked: ``/chats/{chat_id}`` and ``/chats/:id`` are one endpoint."""
    return re.sub(r"\{[^}]*\}", "{}", canonical_path(path))


def _similarity(left: str, right: str) -> float:
    return SequenceMatcher(None, _key(left).split("/"), _key(right).split("/")).ratio()


def _address(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()


def _labels(operations: list[SpecOperation]) -> str:
    return ", ".join(op.label for op in operations)
