"""One reader per page format, and ``read_page`` to pick the right one.

Formats, tried in this order:

- ``markdown``: Feishu Markdown pages (a ``名称 | 值`` request table with ``HTTP Method``).
- ``rendered``: captured rendered pages (method and path on lines of their own; Feishu 002, Yunxin 004).
- ``cell-lines``: the Tencent page, one table cell per line.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Page, PageUnreadable
from . import cell_lines_page, markdown_page, rendered_page

READERS = (markdown_page, rendered_page, cell_lines_page)


def read_page(text: str, source: str) -> Page:
    """The page model of ``text``; PageUnreadable saying why when no reader recognises it."""
    for reader in READERS:
        if reader.looks_like(text):
            page: Page = reader.read(text, source)
            return page
    raise PageUnreadable(
        f"{source}: not a page format we read (no 'HTTP Method |' request table, no method line followed by"
        " a path line, no 'Error Code'/'Description' table with a request URL)"
    )


def read_page_file(path: Path) -> Page:
    """``read_page`` on a file; PageUnreadable when it cannot be read as UTF-8 text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PageUnreadable(f"{path}: cannot read the file ({error.__class__.__name__}: {error})") from error
    return read_page(text, str(path))
