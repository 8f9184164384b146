"""The only place the emulator reads the vendors' error catalogues and documented rate limits.

They come from the generated registry (``imgroup_registry``, generated from ``specs/*.yaml``), so every vendor,
code, HTTP status and message the emulator answers is the one the clients are generated from.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import imgroup_registry

from imgroup.errors import ErrorInfo

VENDORS = imgroup_registry.VENDORS


class CatalogueError(LookupError):
    """The emulator needs a code the vendor's catalogue does not have."""


@dataclass(frozen=True)
class RateLimit:
    """An operation's documented limit; either bound may be absent."""

    per_second: int | None
    per_minute: int | None


def error_row(vendor: str, code: int) -> ErrorInfo:
    """The catalogue's ErrorInfo for ``code``; raises CatalogueError when the vendor has no such row."""
    row = _error_codes(vendor).get(code)
    if row is None:
        raise CatalogueError(f"the {vendor} catalogue has no row for code {code}")
    return row


def listed_for(vendor: str, code: int, operation: str) -> bool:
    """True when ``operation``'s page lists ``code`` (vendor-wide codes count for every operation)."""
    row = _error_codes(vendor).get(code)
    return row is not None and (not row.operations or operation in row.operations)


def documents_errors(vendor: str, operation: str) -> bool:
    """True when ``operation``'s page had an error table we could read (its catalogue has rows of its own)."""
    return any(operation in row.operations for row in _error_codes(vendor).values())


@functools.cache
def rate_limits(vendor: str) -> dict[str, RateLimit]:
    """Each operationId of the vendor with its documented rate limit."""
    operations = imgroup_registry.vendor(vendor).operations
    return {
        name: RateLimit(facts.info.rate_limit_per_second, facts.info.rate_limit_per_minute)
        for name, facts in operations.items()
    }


@functools.cache
def _error_codes(vendor: str) -> Mapping[int, ErrorInfo]:
    return imgroup_registry.vendor(vendor).error_codes()
