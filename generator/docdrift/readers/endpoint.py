"""Finds what a page says it documents: the HTTP method and path, in whichever of four forms the page uses.

In order of trust:

- ``request-table``: a ``名称 | 值`` table with ``HTTP URL`` and ``HTTP Method`` rows (Feishu, Lark), which
  may also hold the rate limit;
- ``request-line``: a line of its own such as ``GET https://open.yunxinapi.com/im/v2.1/teams/:{team_id}``
  (Yunxin's current pages);
- ``method-line``: a method on one line and the path on the next (apifox captures), skipping a navigation
  list whose method lines are followed by titles;
- ``sample-url``: a request URL alone on a line (Tencent), which states no method: every Tencent call is a
  POST, so the method is left unknown and neither matched nor compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import PageUnreadable
from ..text import canonical_path, clean_cell, compact_label
from .pipe_table import split_cells
from .vocabulary import HTTP_METHODS, REQUEST_ROWS

_METHOD = "|".join(sorted(HTTP_METHODS))
_REQUEST_LINE = re.compile(rf"^\s*`?({_METHOD})\s+`?(https?://[^\s`]+|/[^\s`]*)`?\s*$")
_URL_LINE = re.compile(r"^\s*`?(https?://[^\s`]+)`?\s*$")


@dataclass(frozen=True)
class Endpoint:
    """The endpoint a page documents and where it says so."""

    method: str | None
    path: str
    line: int
    form: str
    rate_text: str | None = None
    """The request table's rate-limit row; None when the page has no request table."""


def find_endpoint(lines: list[str], source: str) -> Endpoint | None:
    """The page's endpoint in the most trusted form it has; None when it has none."""
    return _request_table(lines, source) or _request_line(lines) or _method_line(lines) or _sample_url(lines)


def _request_table(lines: list[str], source: str) -> Endpoint | None:
    rows: dict[str, tuple[int, str]] = {}
    for index, line in enumerate(lines):
        cells = split_cells(line) if "|" in line else []
        role = REQUEST_ROWS.get(compact_label(clean_cell(cells[0]))) if len(cells) >= 2 else None
        if role is not None and role not in rows:
            rows[role] = (index, clean_cell("|".join(cells[1:])))
    if "url" not in rows and "method" not in rows:
        return None
    if "url" not in rows or "method" not in rows:
        raise PageUnreadable(f"{source}: the request table has no 'HTTP URL' and 'HTTP Method' rows")
    url_line, url = rows["url"]
    rate = rows.get("rate")
    return Endpoint(rows["method"][1].upper(), _path_of(url), url_line, "request-table", rate[1] if rate else "")


def _request_line(lines: list[str]) -> Endpoint | None:
    for index, line in enumerate(lines):
        found = _REQUEST_LINE.match(line)
        if found:
            return Endpoint(found.group(1).upper(), _path_of(found.group(2)), index, "request-line")
    return None


def _method_line(lines: list[str]) -> Endpoint | None:
    for index, line in enumerate(lines):
        if line.strip().upper() in HTTP_METHODS:
            following = next((later for later in lines[index + 1 : index + 3] if later.strip()), "")
            if following.strip().startswith("/"):
                return Endpoint(line.strip().upper(), canonical_path(following.strip()), index, "method-line")
    return None


def _sample_url(lines: list[str]) -> Endpoint | None:
    for index, line in enumerate(lines):
        found = _URL_LINE.match(line)
        if found and urlsplit(found.group(1)).path.strip("/"):
            return Endpoint(None, _path_of(found.group(1)), index, "sample-url")
    return None


def _path_of(url: str) -> str:
    """The path of a URL (or of a bare path), in the spec's form."""
    return canonical_path(urlsplit(url).path if "://" in url else url)
