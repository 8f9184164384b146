"""Reads an HTML page (as a vendor serves it, as a browser saves it, as a reader mode copies it) into the
Markdown layout the other readers read, so one reader finds the endpoint, sections and tables of every page.

The page is parsed by selectolax (the Lexbor HTML5 parser), never by patterns: headings become ``#``
headings, tables pipe tables (``rowspan`` and ``colspan`` cells repeated into every row and column they
span), lists ``-`` items indented by depth, ``pre`` blocks fenced code, and other blocks lines of their own.
What a browser adds around the document is left out: scripts, styles, hidden elements, navigation, headers
and footers, and everything outside ``<main>`` (or a lone ``<article>``) when the page has one.

Nested fields keep their nesting: a parameter table inside a row's cell lists that row's fields (written
``parent.child``), and a name cell indented further than the rows above it (by ``padding-left``,
``margin-left`` or ``text-indent``, or by leading no-break and em spaces) is marked ``└`` at its depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..text import squash
from .columns import param_columns

_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|main|article|div|table|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "iframe", "button", "select", "nav", "header"}
    | {"footer", "aside", "img", "link", "meta", "-comment"}
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "tr", "blockquote", "figure", "figcaption", "details"}
    | {"summary", "dl", "dt", "dd", "form", "fieldset", "address", "hr", "body", "li"}
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_INDENT_STYLE = re.compile(r"(?:padding-left|margin-left|text-indent)\s*:\s*([\d.]+)\s*(px|em|rem)?", re.IGNORECASE)
_WIDE_SPACES = "\u00a0\u2002\u2003\u3000"
_WIDE_TO_SPACES = str.maketrans({space: "  " for space in _WIDE_SPACES})
_TREE_MARKS = "└∟├"


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML document or fragment rather than Markdown or captured text."""
    return bool(_HTML_START.match(text))


def html_to_text(html: str) -> str:
    """The page's content in the Markdown layout the text readers read; its address as front matter."""
    tree = LexborHTMLParser(html)
    out = _Lines()
    address = _address(tree, html)
    if address:
        out.extend(["---", f"source_url: {address}", "---"])
    root = _content_root(tree)
    if root is not None:
        _walk(root, out)
    out.newline()
    return "\n".join(out.lines) + "\n"


def _address(tree: LexborHTMLParser, html: str) -> str | None:
    """Where the page was saved from: its canonical link, its og:url, or the browser's "saved from" note."""
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None and canonical.attributes.get("href"):
        return canonical.attributes["href"]
    og_url = tree.css_first('meta[property="og:url"]')
    if og_url is not None and og_url.attributes.get("content"):
        return og_url.attributes["content"]
    saved = _SAVED_FROM.search(html)
    return saved.group(1) if saved else None


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """``<main>`` when the page marks its content so, else its one ``<article>``, else the body."""
    for selector in ("main", '[role="main"]'):
        found = tree.css(selector)
        if len(found) == 1:
            return found[0]
    articles = tree.css("article")
    return articles[0] if len(articles) == 1 else tree.body


@dataclass
class _Lines:
    """Text being written: whole lines, and the inline words of the line under way."""

    lines: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def inline(self, text: str) -> None:
        self.words.append(text)

    def newline(self) -> None:
        line = squash("".join(self.words))
        self.words = []
        if line:
            self.lines.append(line)

    def blank(self) -> None:
        self.newline()
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def extend(self, lines: list[str]) -> None:
        self.newline()
        self.lines.extend(lines)


def _walk(node: LexborNode, out: _Lines) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            out.inline(child.text_content or "")
        elif tag in _SKIPPED or _hidden(child):
            continue
        elif tag in _HEADINGS:
            out.blank()
            out.extend(["#" * _HEADINGS[tag] + " " + _inline_text(child)])
            out.blank()
        elif tag == "table":
            out.blank()
            out.extend(_table(child))
            out.blank()
        elif tag == "pre":
            out.blank()
            out.extend(["```", *(child.text(deep=True) or "").strip("\n").splitlines(), "```"])
            out.blank()
        elif tag in ("ul", "ol"):
            out.newline()
            _list(child, out, depth=0)
        elif tag == "br":
            out.newline()
        elif tag in _BLOCKS:
            out.blank() if tag == "p" else out.newline()
            _walk(child, out)
            out.blank() if tag == "p" else out.newline()
        else:
            _walk(child, out)


def _hidden(node: LexborNode) -> bool:
    attributes = node.attributes
    style = (attributes.get("style") or "").replace(" ", "").lower()
    return (
        "hidden" in attributes
        or attributes.get("aria-hidden") == "true"
        or "display:none" in style
        or attributes.get("role") in _CHROME_ROLES
    )


def _list(node: LexborNode, out: _Lines, depth: int) -> None:
    """Each item on a line of its own, ``-`` after two spaces per level; an item's own lists below it."""
    for item in node.iter():
        if item.tag != "li" or _hidden(item):
            continue
        words = _Lines()
        nested = []
        for child in item.iter(include_text=True):
            if child.tag in ("ul", "ol"):
                nested.append(child)
            elif child.tag == "-text":
                words.inline(child.text_content or "")
            elif child.tag not in _SKIPPED and not _hidden(child):
                words.inline(" " + _inline_text(child) + " ")
        words.newline()
        out.extend([f"{'  ' * depth}- {' '.join(words.lines)}"])
        for inner in nested:
            _list(inner, out, depth + 1)


def _inline_text(node: LexborNode) -> str:
    """A node's text on one line (line breaks and blocks become spaces), tables inside it left out."""
    words = _Lines()
    _walk_inline(node, words)
    words.newline()
    return " ".join(words.lines)


def _walk_inline(node: LexborNode, out: _Lines) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            out.inline(child.text_content or "")
        elif tag == "table" or tag in _SKIPPED or _hidden(child):
            continue
        else:
            out.inline(" " if tag in _BLOCKS or tag == "br" else "")
            _walk_inline(child, out)
            out.inline(" " if tag in _BLOCKS else "")


# --- tables -----------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    indent: float
    node: LexborNode


@dataclass
class _Table:
    """A table's header and rows; each row's depth says how far below the top level its field sits."""

    header: list[str]
    rows: list[tuple[list[str], int]]


def _table(node: LexborNode) -> list[str]:
    """The table as pipe-table lines: the first row is the header, spanned cells repeated, nested fields marked."""
    table = _read_table(node)
    if table is None:
        return []
    columns = param_columns(table.header)
    lines = [_pipe_row(table.header), _pipe_row(["---"] * len(table.header))]
    for cells, depth in table.rows:
        if columns is not None and depth:
            cells = [*cells]
            cells[columns["name"]] = f"{'  ' * (depth - 1)}└ {cells[columns['name']]}"
        lines.append(_pipe_row(cells))
    return lines


def _read_table(node: LexborNode) -> _Table | None:
    grid = _grid(_rows(node))
    if not grid:
        return None
    width = max(len(row) for row in grid)
    grid = [row + [_Cell("", 0.0, node)] * (width - len(row)) for row in grid]
    header = [cell.text for cell in grid[0]]
    columns = param_columns(header)
    if columns is None:
        return _Table(header, [([cell.text for cell in row], 0) for row in grid[1:]])
    # A name that carries its own tree mark (``└ zh_cn``) keeps it, and its indentation, for the text reader.
    marked = [_has_mark(row[columns["name"]].text) for row in grid[1:]]
    levels = sorted({row[columns["name"]].indent for row, mark in zip(grid[1:], marked, strict=True) if not mark})
    rows: list[tuple[list[str], int]] = []
    for row, mark in zip(grid[1:], marked, strict=True):
        name = row[columns["name"]].text
        cells = [cell.text for cell in row]
        if mark:
            cells[columns["name"]] = name.translate(_WIDE_TO_SPACES)
            rows.append((cells, 0))
        else:
            cells[columns["name"]] = name.strip(_WIDE_SPACES + " ")
            rows.append((cells, levels.index(row[columns["name"]].indent)))
        depth = rows[-1][1]
        rows.extend(_nested_rows(row, columns, width, depth))
    return _Table(header, rows)


def _has_mark(name: str) -> bool:
    return name.strip(_WIDE_SPACES + " ")[:1] in _TREE_MARKS


def _nested_rows(row: list[_Cell], columns: dict[str, int], width: int, depth: int) -> list[tuple[list[str], int]]:
    """The fields a parameter table inside one of the row's cells lists: the row's field's own fields, a
    level deeper, in the row's columns."""
    for cell in row:
        for inner in cell.node.css("table"):
            if _cell_of(inner) != cell.node.mem_id:
                continue
            table = _read_table(inner)
            inner_columns = param_columns(table.header) if table is not None else None
            if table is None or inner_columns is None:
                continue
            found = []
            for inner_cells, inner_depth in table.rows:
                cells = [""] * width
                for role, index in columns.items():
                    if role in inner_columns:
                        cells[index] = inner_cells[inner_columns[role]]
                found.append((cells, depth + 1 + inner_depth))
            return found
    return []


def _cell_of(table: LexborNode) -> int | None:
    """The id of the table cell a table sits in, if any."""
    node = table.parent
    while node is not None and node.tag not in ("td", "th"):
        node = node.parent
    return node.mem_id if node is not None else None


def _rows(table: LexborNode) -> list[list[LexborNode]]:
    """The table's own rows (not those of tables inside its cells), each as its cells."""
    rows = []
    for child in table.iter():
        parts = [child] if child.tag == "tr" else list(child.iter()) if child.tag in ("thead", "tbody", "tfoot") else []
        for row in parts:
            if row.tag == "tr" and not _hidden(row):
                rows.append([cell for cell in row.iter() if cell.tag in ("td", "th")])
    return rows


def _grid(rows: list[list[LexborNode]]) -> list[list[_Cell]]:
    """Rows of cells with every ``rowspan`` and ``colspan`` spelled out, so each row has every column."""
    grid: list[list[_Cell]] = []
    pending: dict[int, tuple[int, _Cell]] = {}  # column -> (rows still to fill, cell)
    for row in rows:
        out: list[_Cell] = []
        for node in row:
            while len(out) in pending:
                out.append(_take(pending, len(out)))
            cell = _Cell(_cell_text(node), _indent(node), node)
            for _ in range(_span(node, "colspan")):
                if _span(node, "rowspan") > 1:
                    pending[len(out)] = (_span(node, "rowspan") - 1, cell)
                out.append(cell)
        while len(out) in pending:
            out.append(_take(pending, len(out)))
        grid.append(out)
    return grid


def _take(pending: dict[int, tuple[int, _Cell]], column: int) -> _Cell:
    left, cell = pending.pop(column)
    if left > 1:
        pending[column] = (left - 1, cell)
    return cell


def _span(node: LexborNode, name: str) -> int:
    value = (node.attributes.get(name) or "1").strip()
    return max(1, min(int(value), 1000)) if value.isdigit() else 1


def _cell_text(node: LexborNode) -> str:
    """A cell's text on one line, its pipes escaped; wide spaces that indent it are kept at its start."""
    text = node.text(deep=True) or ""
    stripped = text.lstrip(" \t\r\n")
    lead = stripped[: len(stripped) - len(stripped.lstrip(_WIDE_SPACES))]
    return lead + _inline_text(node).replace("|", "\\|")


def _indent(node: LexborNode) -> float:
    """How far a cell's text is pushed right: CSS indentation on it or inside it, and leading wide spaces."""
    found = 0.0
    for styled in [node, *node.css("[style]")]:
        for amount, unit in _INDENT_STYLE.findall(styled.attributes.get("style") or ""):
            found += float(amount) * (16 if unit.lower() in ("em", "rem") else 1)
    text = node.text(deep=True) or ""
    stripped = text.lstrip(" \t\r\n")
    return found + 16 * (len(stripped) - len(stripped.lstrip(_WIDE_SPACES)))


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("\n", " ") for cell in cells) + " |"
