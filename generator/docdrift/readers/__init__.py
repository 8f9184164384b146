"""Reads a vendor page by its structure, whichever site or language it comes from.

Every page the checker reads is made of the same parts, laid out differently by each site:

- an endpoint (``endpoint``): a request table, a request line, a method line over a path line, or a sample URL;
- request sections (``sections``): headings such as ``路径参数``, ``Path parameters``, ``Path 参数`` or
  ``Request fields`` saying where the parameters listed under them travel;
- tables (``pipe_table``, ``line_tables``): pipe tables with or without a rule, one-cell-per-line tables,
  tab- or space-separated rows; a table is an error table or a parameter table by its column labels;
- field entries (``shared``): a parameter written as a name line, a type line and a required-ness line.

The words each site uses live in ``vocabulary``; a new layout of the same parts needs words, not a reader.
An HTML page (``html``) is laid out as Markdown first, so the same parts are found in it.
``Page.format`` names the layout found (for reports and tests): ``markdown`` (request table), ``rendered``
(method line), ``request-line``, and for sample-URL pages ``cell-lines`` or ``pipe-tables``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Location, Page, PageErrorRow, PageParam, PageUnreadable
from ..param_types import canonical_type
from ..text import clean_cell, fold_width
from .columns import error_columns, is_yes, param_columns
from .endpoint import Endpoint, find_endpoint
from .html import html_to_text, looks_like_html
from .line_tables import LineTable, find_line_tables
from .nesting import FieldPaths, split_depth
from .pipe_table import PipeTable, error_rows, find_tables
from .rate_limit import parse_rate_limit
from .sections import heading, locations, object_prefixes
from .shared import bounds, entry_at

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_TITLE = re.compile(r"^\s*#\s+(.+?)\s*$", re.MULTILINE)
_NOT_TITLES = frozenset({"please select"})
# Pages that lay out their whole request: a location they have no section for is one without parameters.
_FULL_LAYOUTS = frozenset({"request-table", "request-line"})
_ALWAYS_DOCUMENTED = (Location.PATH, Location.QUERY, Location.BODY)
_FORMATS = {"request-table": "markdown", "method-line": "rendered", "request-line": "request-line"}

Table = PipeTable | LineTable


def read_page(text: str, source: str) -> Page:
    """The page model of ``text``; PageUnreadable saying why when it has no endpoint we can find.

    An HTML page is first laid out as the Markdown the other layouts are read as (``html``); its format is
    then ``html/`` and the layout found in it (``html/markdown``).
    """
    if looks_like_html(text):
        page = _read_text(html_to_text(text), source)
        page.format = f"html/{page.format}"
        return page
    return _read_text(text, source)


def _read_text(text: str, source: str) -> Page:
    text = fold_width(text)
    lines = text.splitlines()
    endpoint = find_endpoint(lines, source)
    pipe_tables = find_tables(lines)
    taken = {line for table in pipe_tables for line in range(table.line, table.end)}
    tables: list[Table] = [*pipe_tables, *find_line_tables(lines, taken)]
    if endpoint is None or (endpoint.form == "sample-url" and not tables):
        raise PageUnreadable(
            f"{source}: not a page format we read (no request table with 'HTTP URL' and 'HTTP Method' rows, no"
            " request line such as 'GET https://host/path', no method line followed by a path line, no request"
            " URL with an error or parameter table)"
        )
    front = _front_matter(text)
    where = locations(lines)
    params = _table_params(lines, tables, where, body_by_default=endpoint.form == "sample-url")
    for location, found in _entry_params(lines, where, tables).items():
        params[location] = params.get(location, []) + found
    if endpoint.form in _FULL_LAYOUTS:
        params = {location: params.get(location, []) for location in _ALWAYS_DOCUMENTED} | params
    return Page(
        source=source,
        format=_format(endpoint, tables),
        method=endpoint.method,
        path=endpoint.path,
        url=front.get("source_url"),
        title=front.get("title") or _title(lines, text, endpoint),
        rate_limit=parse_rate_limit(endpoint.rate_text if endpoint.rate_text is not None else text),
        params=params,
        errors=_errors(tables, source),
    )


def read_page_file(path: Path) -> Page:
    """``read_page`` on a file; PageUnreadable when it cannot be read as UTF-8 text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PageUnreadable(f"{path}: cannot read the file ({error.__class__.__name__}: {error})") from error
    return read_page(text, str(path))


def _format(endpoint: Endpoint, tables: list[Table]) -> str:
    if endpoint.form in _FORMATS:
        return _FORMATS[endpoint.form]
    cell_lines = any(isinstance(table, LineTable) and table.form == "cell-lines" for table in tables)
    return "cell-lines" if cell_lines else "pipe-tables"


def _errors(tables: list[Table], source: str) -> list[PageErrorRow] | None:
    """Every error table's rows, in page order; None when the page has no error table."""
    rows: list[PageErrorRow] | None = None
    for table in sorted(tables, key=lambda table: table.line):
        columns = error_columns(table.header)
        if columns is None:
            continue
        found = error_rows(table, columns, source) if isinstance(table, PipeTable) else _line_error_rows(table, columns)
        rows = (rows or []) + found
    return rows


def _line_error_rows(table: LineTable, columns: dict[str, int]) -> list[PageErrorRow]:
    """The rows of a pipe-less error table (their codes are digits: the table finder only keeps such rows)."""
    rows = []
    for cells in table.rows:
        status = cells[columns["status"]] if "status" in columns else ""
        rows.append(
            PageErrorRow(
                code=int(cells[columns["code"]]),
                message=clean_cell(cells[columns["message"]]),
                http_status=int(status) if status.isdigit() else None,
                advice=clean_cell(cells[columns["advice"]]) if "advice" in columns else "",
            )
        )
    return rows


def _table_params(
    lines: list[str], tables: list[Table], where: list[Location | None], body_by_default: bool
) -> dict[Location, list[PageParam]]:
    """Parameters of the parameter tables that sit in a request section.

    With ``body_by_default`` (a page whose request is a URL and a JSON body, as Tencent's), a table with a
    required-ness column on a page without headings is the request body: captures of those pages often drop
    the headings, and only the request table says which fields are required (the response table does not).
    """
    found: dict[Location, list[PageParam]] = {}
    prefixes = object_prefixes(lines)
    for table in sorted(tables, key=lambda table: table.line):
        columns = param_columns(table.header)
        location = where[table.line]
        if location is None and body_by_default and columns is not None and "required" in columns:
            location = None if any(heading(line) for line in lines[: table.line]) else Location.BODY
        if location is None or columns is None:
            continue
        paths = FieldPaths(prefix=prefixes[table.line])
        depths = table.depths if isinstance(table, LineTable) else []
        for index, cells in enumerate(table.rows):
            param = _row_param(cells, columns, location, paths, depths[index] if depths else None)
            if param is not None:
                found.setdefault(location, []).append(param)
    return found


def _row_param(
    cells: list[str], columns: dict[str, int], location: Location, paths: FieldPaths, depth: tuple[int, int] | None
) -> PageParam | None:
    """The parameter of one table row, named by its path among the rows above (a nested field's parent first).

    A spaced row's depth was read off its line; a pipe row's comes from its name cell (marks, indentation).
    """
    raw, cell_depth = split_depth(cells[columns["name"]])
    name = clean_cell(raw)
    if not name:
        return None
    path = paths.path(name, depth if depth is not None else cell_depth)
    required = location is Location.PATH or ("required" in columns and is_yes(clean_cell(cells[columns["required"]])))
    return PageParam(path, location, required, canonical_type(clean_cell(cells[columns["type"]])))


def _entry_params(
    lines: list[str], where: list[Location | None], tables: list[Table]
) -> dict[Location, list[PageParam]]:
    """Parameters written as field entries in a request section, outside every table; with the bounds line
    that may follow an entry (``>= 1<= 2``)."""
    inside = {line for table in tables for line in range(table.line, table.end)}
    prefixes = object_prefixes(lines)
    found: dict[Location, list[PageParam]] = {}
    index = 0
    while index < len(lines):
        location = where[index]
        entry = None
        if location is not None and index not in inside and heading(lines[index]) is None:
            entry = entry_at(lines, index)
        if location is None or entry is None:
            index += 1
            continue
        name, json_type, required, used = entry
        minimum, maximum = _bounds_after(lines, index + used, where)
        path = FieldPaths(prefix=prefixes[index]).path(name, (0, 0))
        found.setdefault(location, []).append(
            PageParam(path, location, required or location is Location.PATH, json_type, minimum, maximum)
        )
        index += used
    return found


def _bounds_after(lines: list[str], start: int, where: list[Location | None]) -> tuple[int | None, int | None]:
    """The bounds line among an entry's following lines (before the next entry or heading), if any."""
    for index in range(start, len(lines)):
        if heading(lines[index]) is not None or where[index] is None or entry_at(lines, index):
            break
        found = bounds(lines[index])
        if found is not None:
            return found
    return None, None


def _front_matter(text: str) -> dict[str, str]:
    match = _FRONT.match(text)
    if not match:
        return {}
    pairs = (line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def _title(lines: list[str], text: str, endpoint: Endpoint) -> str | None:
    """The line above a method line (apifox puts the title there), else the first Markdown title, else the
    first line of text."""
    if endpoint.form == "method-line":
        return next((line.strip() for line in reversed(lines[: endpoint.line]) if line.strip()), None)
    markdown = _TITLE.search(text)
    if markdown:
        return markdown.group(1)
    return next((line.strip() for line in lines if line.strip() and line.strip() not in _NOT_TITLES), None)
