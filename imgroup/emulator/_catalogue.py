"""The only place the emulator reads the vendors' error catalogues and documented rate limits.

Rows come from the specs (``specs/*.yaml``), so every code, HTTP status and message the emulator answers is
the one the clients are generated from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VENDORS = ("feishu", "tencent", "yunxin")
_SPEC_FILES = {"feishu": "feishu.yaml", "tencent": "tencent_im.yaml", "yunxin": "yunxin.yaml"}
_SPECS_DIR = Path(__file__).resolve().parents[2] / "specs"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class CatalogueError(LookupError):
    """The emulator needs a code or an operation the vendor's catalogue does not have."""


@dataclass(frozen=True)
class ErrorRow:
    """One catalogue row, as much of it as the emulator answers with."""

    code: int
    http_status: int
    message: str
    operations: tuple[str, ...]  # the operations whose page lists it; empty for vendor-wide codes


@dataclass(frozen=True)
class RateLimit:
    """An operation's documented limit; either bound may be absent."""

    per_second: int | None
    per_minute: int | None


def error_row(vendor: str, code: int) -> ErrorRow:
    """The catalogue row for ``code``; raises CatalogueError when the vendor has no such row."""
    try:
        return _catalogue(vendor)[0][code]
    except KeyError:
        raise CatalogueError(f"the {vendor} catalogue has no row for code {code}") from None


def listed_for(vendor: str, code: int, operation: str) -> bool:
    """True when ``operation``'s page lists ``code`` (vendor-wide codes count for every operation)."""
    row = _catalogue(vendor)[0].get(code)
    return row is not None and (not row.operations or operation in row.operations)


def rate_limits(vendor: str) -> dict[str, RateLimit]:
    """Each operationId of the vendor with its documented rate limit."""
    return _catalogue(vendor)[1]


@functools.cache
def _catalogue(vendor: str) -> tuple[dict[int, ErrorRow], dict[str, RateLimit]]:
    import yaml  # only the emulator needs it, and only once

    spec: dict[str, Any] = yaml.safe_load((_SPECS_DIR / _SPEC_FILES[vendor]).read_text(encoding="utf-8"))
    rows: dict[int, ErrorRow] = {}
    listed_by: dict[int, list[str]] = {}
    limits: dict[str, RateLimit] = {}
    for path_item in spec.get("paths", {}).values():
        for method in _HTTP_METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            limit = operation.get("x-rate-limit") or {}
            limits[operation["operationId"]] = RateLimit(limit.get("per_second"), limit.get("per_minute"))
            for row in operation.get("x-error-codes", []):
                listed_by.setdefault(row["code"], []).append(operation["operationId"])
                rows.setdefault(row["code"], _row(row, ()))
    for code, operations in listed_by.items():
        rows[code] = _row_with_operations(rows[code], tuple(operations))
    for row in spec.get("x-error-codes", []):
        rows[row["code"]] = _row(row, ())
    return rows, limits


def _row(row: dict[str, Any], operations: tuple[str, ...]) -> ErrorRow:
    return ErrorRow(
        code=int(row["code"]), http_status=int(row["http_status"]), message=str(row["message"]), operations=operations
    )


def _row_with_operations(row: ErrorRow, operations: tuple[str, ...]) -> ErrorRow:
    return ErrorRow(row.code, row.http_status, row.message, operations)
