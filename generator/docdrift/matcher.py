"""Works out which spec operation a page documents.

In order: the same path (``:chat_id`` and ``{chat_id}`` alike) with the same or an unstated method; the
page's own address equal to an operation's ``x-doc-page``; then, when no operation has the page's endpoint,
either the method changed (an operation has the path) or the path moved (an operation has the method): the
candidates of both kinds are weighed by how like the page's their path is, taken together with how many of
their error codes and parameter names they share, and one clearly closest is taken (a moved endpoint keeps
most of its segments, its codes and its parameters). A likeness is only trusted when the page lists codes or
parameters to back it: a page for an operation the specs lack is then reported as unmatched, not as drift of
a neighbour sharing its prefix, and a page with only a path whose one operation has another method is
taken as that operation with its method changed (the comparer reports the change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .model import Page
from .spec_model import SpecOperation
from .text import canonical_path

# A moved endpoint must score at least this (the mean of path, code and parameter likeness, 0 to 1).
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
    same_path: list[SpecOperation] = []
    if page.path is not None:
        same_path = [op for op in operations if _key(op.path) == _key(page.path)]
        same_method = [op for op in same_path if page.method in (None, op.method)]
        if len(same_method) == 1:
            return Match(same_method[0], "method and path" if page.method else "path")
        if len(same_method) > 1:
            raise Unmatched(f"several operations have the endpoint {_endpoint(page)}: {_labels(same_method)}")
    if page.url:
        by_address = [op for op in operations if op.doc_page and _address(op.doc_page) == _address(page.url)]
        if len(by_address) == 1:
            return Match(by_address[0], "x-doc-page")
    if page.path is None:
        raise Unmatched("the page states no path and its address is no operation's x-doc-page")
    # Either the method changed (an operation with this path) or the path moved (one with this method).
    moved = [op for op in operations if page.method in (None, op.method) and op not in same_path]
    if len(same_path) == 1 and not (moved and _has_evidence(page, operations)):
        return Match(same_path[0], "path (the method differs)")
    if same_path:
        why = f"no operation has the endpoint {_endpoint(page)} (its path has {_labels(same_path)})"
    else:
        why = f"no operation has the endpoint {_endpoint(page)}"
    return _closest(page, same_path + moved or operations, why)


def _closest(page: Page, candidates: list[SpecOperation], why: str) -> Match:
    """The candidate most like the page, when the page's codes or parameters back the likeness."""
    assert page.path is not None
    if not _has_evidence(page, candidates):
        raise Unmatched(f"{why}, and the page lists no error codes or parameters to tell which it moved from")
    scored = sorted(((_similarity(page, op), op) for op in candidates), key=lambda pair: -pair[0])
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < MIN_SIMILARITY:
        raise Unmatched(f"{why}; the closest is {best.label} (likeness {best_score:.2f}, needs {MIN_SIMILARITY})")
    if best_score == runner_up:
        tied = [op for score, op in scored if score == best_score]
        raise Unmatched(f"the path {page.path} is equally close to {_labels(tied)}")
    return Match(best, f"closest path, codes and parameters (likeness {best_score:.2f})")


def _key(path: str) -> str:
    """A path with its parameter names blanked: ``/chats/{chat_id}`` and ``/chats/:id`` are one endpoint."""
    return re.sub(r"\{[^}]*\}", "{}", canonical_path(path))


def _similarity(page: Page, operation: SpecOperation) -> float:
    """Mean likeness of the path segments, and of the code and parameter sets where the page has them."""
    assert page.path is not None
    ours, theirs = _key(operation.path).strip("/").split("/"), _key(page.path).strip("/").split("/")
    shared = sum(block.size for block in SequenceMatcher(None, ours, theirs).get_matching_blocks())
    scores = [shared / max(len(ours), len(theirs))]
    if page.errors:
        scores.append(_overlap({row.code for row in page.errors}, {int(row["code"]) for row in operation.errors}))
    page_names = {p.name for params in page.params.values() for p in params} - _signature_names(page, operation)
    if page_names:
        spec_names = {p.name for params in operation.params.values() for p in params}
        scores.append(_overlap(page_names, spec_names - _signature_names(page, operation)))
    return sum(scores) / len(scores)


def _has_evidence(page: Page, operations: list[SpecOperation]) -> bool:
    """Whether the page lists error codes or parameters to weigh a likeness with, beyond its path."""
    return bool(page.errors) or bool(_page_names(page, operations))


def _page_names(page: Page, operations: list[SpecOperation]) -> set[str]:
    """The page's parameter names that no operation's security scheme supplies."""
    signature = {name for op in operations for name in op.signature_params}
    return {p.name for params in page.params.values() for p in params if p.name.lower() not in signature}


def _endpoint(page: Page) -> str:
    return f"{page.method} {page.path}" if page.method else str(page.path)


def _signature_names(page: Page, operation: SpecOperation) -> set[str]:
    names = {p.name for params in page.params.values() for p in params}
    names |= {p.name for params in operation.params.values() for p in params}
    return {name for name in names if name.lower() in operation.signature_params}


def _overlap(left: set[Any], right: set[Any]) -> float:
    return len(left & right) / len(left | right) if left | right else 1.0


def _address(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()


def _labels(operations: list[SpecOperation]) -> str:
    return ", ".join(op.label for op in operations)
