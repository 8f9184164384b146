"""Reads a Feishu documentation page in Markdown (pages 000 and 003): front matter, a ``名称 | 值`` request
table, parameter tables under their headings and a pipe-table error catalogue."""

from __future__ import annotations

import re

from ..model import Location, Page, PageParam, PageUnreadable
from ..param_types import canonical_type
from ..text import canonical_path, clean_cell, fold_width
from .columns import error_columns, is_yes, param_columns
from .pipe_table import PipeTable, error_rows, find_tables
from .rate_limit import parse_rate_limit

FORMAT = "markdown"

_REQUEST_ROW = re.compile(r"^\s*(HTTP URL|HTTP Method|接口频率限制)\s*\|\s*(.+?)\s*$", re.MULTILINE)
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^\s*#{1,6}\s*(.+?)\s*$")
_SECTION = {
    "请求头": Location.HEADER,
    "路径参数": Location.PATH,
    "查询参数": Location.QUERY,
    "请求体": Location.BODY,
}
# A Markdown page lays out its whole request, so a section it lacks is a section with no parameters.
_ALWAYS_DOCUMENTED = (Location.PATH, Location.QUERY, Location.BODY)


def looks_like(text: str) -> bool:
    """Whether ``text`` is a page in this format."""
    return bool(re.search(r"^\s*HTTP Method\s*\|", fold_width(text), re.MULTILINE))


def read(text: str, source: str) -> Page:
    """The page model of a Markdown page; PageUnreadable when it names no method or URL."""
    text = fold_width(text)
    request = {key: value for key, value in _REQUEST_ROW.findall(text)}
    if "HTTP URL" not in request or "HTTP Method" not in request:
        raise PageUnreadable(f"{source}: the request table has no 'HTTP URL' and 'HTTP Method' rows")
    url = clean_cell(request["HTTP URL"])
    path = canonical_path(re.sub(r"^[a-z]+://[^/]+", "", url))
    front = _front_matter(text)
    lines = text.splitlines()
    page = Page(
        source=source,
        format=FORMAT,
        method=clean_cell(request["HTTP Method"]).upper(),
        path=path,
        url=front.get("source_url"),
        title=front.get("title"),
        rate_limit=parse_rate_limit(request.get("接口频率限制", "")),
        params={location: [] for location in _ALWAYS_DOCUMENTED},
    )
    for table in find_tables(lines):
        columns = error_columns(table.header)
        if columns is not None:
            page.errors = (page.errors or []) + error_rows(table, columns, source)
            continue
        location = _section_of(lines, table.line)
        columns = param_columns(table.header)
        if location is not None and columns is not None:
            page.params[location] = page.params.get(location, []) + _params(table, columns, location)
    return page


def _front_matter(text: str) -> dict[str, str]:
    match = _FRONT.match(text)
    if not match:
        return {}
    pairs = (line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def _section_of(lines: list[str], line: int) -> Location | None:
    for candidate in range(line - 1, -1, -1):
        heading = _HEADING.match(lines[candidate])
        if heading:
            return _SECTION.get(heading.group(1).replace(" ", ""))
    return None


def _params(table: PipeTable, columns: dict[str, int], location: Location) -> list[PageParam]:
    params = []
    for cells in table.rows:
        name = clean_cell(cells[columns["name"]])
        if not name or name.startswith("└"):  # a nested field of the one above; specs compare top level only
            continue
        required = location is Location.PATH or (
            "required" in columns and is_yes(clean_cell(cells[columns["required"]]))
        )
        params.append(
            PageParam(
                name=name,
                location=location,
                required=required,
                type=canonical_type(clean_cell(cells[columns["type"]])),
            )
        )
    return params
