"""Reads the Tencent Cloud Chat page format (page 001), where each table cell sits on a line of its own:
``Error Code`` / ``Description`` headers then code and message lines, ``Field`` / ``Type`` / ``Required`` /
``Description`` then four lines per request field, the endpoint only inside the sample request URL."""

from __future__ import annotations

import re

from ..model import Location, Page, PageErrorRow, PageParam, PageUnreadable
from ..text import canonical_path, compact_label, fold_width, squash
from .rate_limit import parse_rate_limit
from .shared import entry_at

FORMAT = "cell-lines"

_URL_PATH = re.compile(r"https?://\S+?(/v\d+/[\w/]+)")
_CODE = re.compile(r"^\s*\d+\s*$")
_ERROR_LABELS = {"errorcode": "code", "错误码": "code", "description": "message", "描述": "message"}
_FIELDS_HEADING = {"requestfields", "请求包字段", "请求字段"}
_FIELDS_END = {"sampleresponse", "应答包体示例", "responsefields", "应答包字段"}


def _error_header(lines: list[str]) -> tuple[int, list[str]] | None:
    """Index of the first line after the error table's label lines, and the labels' roles in page order."""
    for index in range(len(lines) - 1):
        roles = [_ERROR_LABELS.get(compact_label(line)) for line in lines[index : index + 2]]
        if sorted(role for role in roles if role) == ["code", "message"]:
            return index + 2, [role for role in roles if role]
    return None


def looks_like(text: str) -> bool:
    """Whether ``text`` is a page in this format."""
    lines = fold_width(text).splitlines()
    return _error_header(lines) is not None and _URL_PATH.search(fold_width(text)) is not None


def read(text: str, source: str) -> Page:
    """The page model of a one-cell-per-line page; PageUnreadable when it shows no request URL.

    The page states no HTTP method (every call of this API is a POST), so the method is left unknown and
    neither matched nor compared. The common query parameters (sdkappid, identifier, usersig, random,
    contenttype) are the signature, which the spec models as security, so they are not read.
    """
    text = fold_width(text)
    found = _URL_PATH.search(text)
    if found is None:
        raise PageUnreadable(f"{source}: no request URL with a /v<N>/ path")
    lines = text.splitlines()
    body = _fields(lines)
    return Page(
        source=source,
        format=FORMAT,
        path=canonical_path(found.group(1)),
        title=next((line.strip() for line in lines if line.strip() and line.strip() != "please select"), None),
        rate_limit=parse_rate_limit(text),
        params={Location.BODY: body} if body else {},
        errors=_errors(lines),
    )


def _fields(lines: list[str]) -> list[PageParam]:
    start = next((i for i, line in enumerate(lines) if compact_label(line) in _FIELDS_HEADING), None)
    if start is None:
        return []
    params = []
    for index in range(start + 1, len(lines)):
        if compact_label(lines[index]) in _FIELDS_END:
            break
        entry = entry_at(lines, index)
        # Here every field has a Type cell; demanding one keeps the header labels from reading as a field.
        if entry is not None and entry[1] is not None:
            name, json_type, required, _ = entry
            params.append(PageParam(name, Location.BODY, required, json_type))
    return params


def _errors(lines: list[str]) -> list[PageErrorRow] | None:
    header = _error_header(lines)
    if header is None:
        return None
    start, roles = header
    code_first = roles[0] == "code"
    rows: list[PageErrorRow] = []
    pending: list[str] = []  # message lines not yet given to a code
    code: int | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            if _next_block_has_code(lines, index + 1):
                continue
            break
        if _CODE.match(line):
            if code_first and code is not None:
                rows.append(PageErrorRow(code=code, message=squash(" ".join(pending))))
                pending = []
            code = int(line)
            if not code_first:
                rows.append(PageErrorRow(code=code, message=squash(" ".join(pending))))
                pending, code = [], None
        else:
            pending.append(line)
    if code_first and code is not None:
        rows.append(PageErrorRow(code=code, message=squash(" ".join(pending))))
    return rows


def _next_block_has_code(lines: list[str], start: int) -> bool:
    """Whether the lines from ``start`` up to the next blank line after some text hold a code line: a blank
    line inside the table is padding, one before the next section ends it."""
    seen_text = False
    for line in lines[start:]:
        if not line.strip():
            if seen_text:
                return False
            continue
        if _CODE.match(line):
            return True
        seen_text = True
    return False
