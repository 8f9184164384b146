"""Works out which request location (path, query, header, body) each line of a page sits under.

A section starts at a heading the vocabulary knows: a Markdown heading (``### 路径参数``, ``### Path
parameters``), a line of its own (``Request fields``, ``路径参数``) or an apifox section line (``Path 参数``,
``Body 参数application/json``). The response, examples and error headings end it, and so does any Markdown
heading the vocabulary does not know. Other lines (descriptions, table rows) leave the section as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Location
from ..text import compact_label
from .vocabulary import SECTIONS, STOPS

_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*(.+?)\s*#*\s*$")
_APIFOX_SECTION = re.compile(r"^\s*(Path|Query|Header|Body|Cookie)\s*(?:参数|param(?:eter)?s)", re.IGNORECASE)
_APIFOX_LOCATIONS = {"path": Location.PATH, "query": Location.QUERY, "header": Location.HEADER, "body": Location.BODY}


@dataclass(frozen=True)
class Heading:
    """A heading line; ``location`` is None for one that ends the request sections (a response, an example)."""

    location: Location | None


def heading(line: str) -> Heading | None:
    """The heading ``line`` is, or None when it is not a heading."""
    markdown = _MARKDOWN_HEADING.match(line)
    text = markdown.group(1) if markdown else line
    apifox = _APIFOX_SECTION.match(text)
    if apifox:
        return Heading(_APIFOX_LOCATIONS.get(apifox.group(1).lower()))
    key = compact_label(text).rstrip(":")
    if key in SECTIONS:
        return Heading(SECTIONS[key])
    if key in STOPS or markdown:
        return Heading(None)
    return None


def locations(lines: list[str]) -> list[Location | None]:
    """For each line, the location of the request section it is in (None outside every request section)."""
    found: list[Location | None] = []
    current: Location | None = None
    for line in lines:
        head = heading(line)
        if head is not None:
            current = head.location
        found.append(current)
    return found
