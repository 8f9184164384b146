"""The only place the emulator reads the vendors' error catalogues and documented rate limits.

They come from the generated packages (``feishu_im`` etc., generated from ``specs/*.yaml``), so every code,
HTTP status and message the emulator answers is the one the clients are generated from.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any

VENDORS = ("feishu", "tencent", "yunxin")
_PACKAGES = {"feishu": "feishu_im", "tencent": "tencent_im", "yunxin": "yunxin_im"}


class CatalogueError(LookupError):
    """The emulator needs a code the vendor's catalogue does not have."""


@dataclass(frozen=True)
class RateLimit:
    """An operation's documented limit; either bound may be absent."""

    per_second: int | None
    per_minute: int | None


def error_row(vendor: str, code: int) -> Any:
    """The catalogue's ErrorInfo for ``code``; raises CatalogueError when the vendor has no such row."""
    row = _module(vendor, "error_codes").lookup(code)
    if row is None:
        raise CatalogueError(f"the {vendor} catalogue has no row for code {code}")
    return row


def listed_for(vendor: str, code: int, operation: str) -> bool:
    """True when ``operation``'s page lists ``code`` (vendor-wide codes count for every operation)."""
    row = _module(vendor, "error_codes").lookup(code)
    return row is not None and (not row.operations or operation in row.operations)


def documents_errors(vendor: str, operation: str) -> bool:
    """True when ``operation``'s page had an error table we could read (its catalogue has rows of its own)."""
    return any(operation in row.operations for row in _module(vendor, "error_codes").ERROR_CODES.values())


@functools.cache
def rate_limits(vendor: str) -> dict[str, RateLimit]:
    """Each operationId of the vendor with its documented rate limit."""
    operations = _module(vendor, "operations").OPERATIONS
    return {
        op_id: RateLimit(info.rate_limit_per_second, info.rate_limit_per_minute) for op_id, info in operations.items()
    }


@functools.cache
def _module(vendor: str, name: str) -> Any:
    return importlib.import_module(f"{_PACKAGES[vendor]}.{name}")
