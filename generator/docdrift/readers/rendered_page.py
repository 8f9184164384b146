"""Reads a captured rendered API page (Feishu page 002, the Yunxin page 004): the method and the path on lines
of their own, parameters listed one field per line under ``Path 参数`` / ``Query 参数`` / ``Header 参数`` /
``Body 参数``, and, where the page has one, an error table whose every cell ends with ``|``."""

from __future__ import annotations

import re

from ..model import Location, Page, PageErrorRow, PageParam, PageUnreadable
from ..text import canonical_path, fold_width
from .columns import error_columns
from .pipe_table import error_rows, find_tables
from .rate_limit import parse_rate_limit
from .shared import bounds, entry_at

FORMAT = "rendered"

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_SECTION = re.compile(r"^\s*(Path|Query|Header|Body|Cookie)\s*(?:参数|param(?:eter)?s)", re.IGNORECASE)
_STOP = re.compile(r"^\s*(返回响应|响应示例|请求示例|示例代码|示例|Responses?|Examples?)\s*$", re.IGNORECASE)
_LOCATIONS = {"path": Location.PATH, "query": Location.QUERY, "header": Location.HEADER, "body": Location.BODY}


def find_endpoint(lines: list[str]) -> int | None:
    """Index of the method line that has the path on the next non-blank line, or None."""
    for index, line in enumerate(lines):
        if line.strip().upper() in _METHODS:
            following = next((later for later in lines[index + 1 : index + 3] if later.strip()), "")
            if following.strip().startswith("/"):
                return index
    return None


def looks_like(text: str) -> bool:
    """Whether ``text`` is a page in this format."""
    return find_endpoint(fold_width(text).splitlines()) is not None


def read(text: str, source: str) -> Page:
    """The page model of a rendered page; PageUnreadable when no method line is followed by a path line."""
    lines = fold_width(text).splitlines()
    at = find_endpoint(lines)
    if at is None:
        raise PageUnreadable(f"{source}: no HTTP method followed by a path on its own line")
    path_line = next(line for line in lines[at + 1 :] if line.strip())
    title = next((line.strip() for line in reversed(lines[:at]) if line.strip()), None)
    return Page(
        source=source,
        format=FORMAT,
        method=lines[at].strip().upper(),
        path=canonical_path(path_line.strip()),
        title=title,
        rate_limit=parse_rate_limit("\n".join(lines)),
        params=_params(lines[at:]),
        errors=_errors(lines, source),
    )


def _errors(lines: list[str], source: str) -> list[PageErrorRow] | None:
    rows: list[PageErrorRow] | None = None
    for table in find_tables(lines):
        columns = error_columns(table.header)
        if columns is None:
            continue
        rows = (rows or []) + error_rows(table, columns, source)
    return rows


def _params(lines: list[str]) -> dict[Location, list[PageParam]]:
    """Parameters by location; a location whose section lists none (a collapsed body schema) is left out."""
    found: dict[Location, list[PageParam]] = {}
    location: Location | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        section = _SECTION.match(line)
        if section:
            location = _LOCATIONS.get(section.group(1).lower())
            index += 1
            continue
        if _STOP.match(line):
            location = None
        entry = entry_at(lines, index) if location is not None else None
        if location is None or entry is None:
            index += 1
            continue
        name, json_type, required, used = entry
        minimum, maximum = _bounds_after(lines, index + used)
        found.setdefault(location, []).append(
            PageParam(name, location, required or location is Location.PATH, json_type, minimum, maximum)
        )
        index += used
    return found


def _bounds_after(lines: list[str], start: int) -> tuple[int | None, int | None]:
    """The bounds line among an entry's following lines (before the next entry or section), if any."""
    for index in range(start, len(lines)):
        if _SECTION.match(lines[index]) or _STOP.match(lines[index]) or entry_at(lines, index):
            break
        found = bounds(lines[index])
        if found is not None:
            return found
    return None, None
