"""Prints differences for a maintainer: one block per page, one line per difference."""

from __future__ import annotations

from .compare import Difference, Kind, describe, is_known
from .matcher import Match
from .model import Page, PageErrorRow, PageParam, RateLimit

_SIGN = {
    Kind.CODE_ADDED: "+",
    Kind.PARAM_ADDED: "+",
    Kind.CODE_REMOVED: "-",
    Kind.PARAM_REMOVED: "-",
}


def format_page_report(page: Page, found: Match, differences: list[Difference]) -> str:
    """The block for one page: which operation it matched, then each difference or 'agrees' (and a note when
    the only difference is an older route the spec keeps, which fails ``check-docs`` only with ``--strict``)."""
    title = f" ({page.title})" if page.title else ""
    source = page.source
    lines = [f"{source}{title}: {found.operation.label} [matched by {found.how}]"]
    if not differences:
        lines.append("  agrees with the spec")
    lines.extend("  " + format_difference(difference, source) for difference in differences)
    if differences and all(is_known(difference) for difference in differences):
        lines.append("  otherwise agrees; the spec keeps this older route, so it fails only with --strict")
    return "\n".join(lines)


def format_difference(difference: Difference, source: str = "the page") -> str:
    """One line such as ``+ error code added 232099: HTTP 400 "New message"``."""
    sign = _SIGN.get(difference.kind, "~")
    if difference.kind is Kind.OLDER_ROUTE:
        return (
            f"{sign} {source} documents the older route of {difference.subject} ({difference.page});"
            f" current route {difference.ours}"
        )
    head = f"{sign} {difference.kind.value} {difference.subject}"
    if difference.kind is Kind.CODE_ADDED:
        return f"{head}: {_value(difference.page)}"
    if difference.kind in (Kind.CODE_REMOVED, Kind.PARAM_REMOVED):
        return f"{head} (spec: {_value(difference.ours)})"
    if difference.kind is Kind.PARAM_ADDED:
        return f"{head} ({_value(difference.page)})"
    return f"{head}: spec {_value(difference.ours)} -> page {_value(difference.page)}"


def _value(value: object) -> str:
    if isinstance(value, PageParam):
        return describe(value)
    if isinstance(value, PageErrorRow):
        status = f"HTTP {value.http_status} " if value.http_status is not None else ""
        return f'{status}"{value.message}"'
    if isinstance(value, RateLimit):
        parts = [f"{value.per_second}/s" if value.per_second is not None else "", ""]
        parts[1] = f"{value.per_minute}/min" if value.per_minute is not None else ""
        return ", ".join(part for part in parts if part) or "none"
    if isinstance(value, str):
        return f'"{value}"' if " " in value or not value else value
    if value is None:
        return "none"
    return str(value)
