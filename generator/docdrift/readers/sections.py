"""Works out which request location (path, query, header, body) each line of a page sits under.

A section starts at a heading the vocabulary knows: a Markdown heading (``### 路径参数``, ``### Path
parameters``), a line of its own (``Request fields``, ``路径参数``) or an apifox section line (``Path 参数``,
``Body 参数application/json``). The response, examples and error headings end it, and so does any Markdown
heading the vocabulary does not know, except one that names an object of the section (``#### configuration``,
``configuration 参数说明``): the fields listed under it are that object's. Other lines (descriptions, table
rows) leave the section as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Location
from ..text import compact_label
from .nesting import dotted
from .vocabulary import OBJECT_WORDS, SECTIONS, STOPS

_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*(.+?)\s*#*\s*$")
_APIFOX_SECTION = re.compile(r"^\s*(Path|Query|Header|Body|Cookie)\s*(?:参数|param(?:eter)?s)", re.IGNORECASE)
_APIFOX_LOCATIONS = {"path": Location.PATH, "query": Location.QUERY, "header": Location.HEADER, "body": Location.BODY}
_OBJECT_HEADING = re.compile(r"^`?([A-Za-z_][\w.\[\]]*)`?\s*(.*?)\s*$")


@dataclass(frozen=True)
class Heading:
    """A heading line; ``location`` is None for one that ends the request sections (a response, an example)."""

    location: Location | None
    names_object: str | None = None
    """The object whose fields follow (``configuration``); such a heading keeps the section it is in."""


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
    if key in STOPS:
        return Heading(None)
    named = _object_named(text, markdown=markdown is not None)
    if named is not None:
        return Heading(None, names_object=named)
    return Heading(None) if markdown else None


def _object_named(text: str, markdown: bool) -> str | None:
    """The object a heading names: a name, then words such as 参数说明 or ``fields`` (which a line that is
    not a Markdown heading must have, or every name alone on its line would be a heading)."""
    found = _OBJECT_HEADING.match(text.strip())
    if found is None:
        return None
    words = compact_label(found.group(2)).rstrip(":")
    if words in OBJECT_WORDS or (markdown and not words):
        return dotted(found.group(1))
    return None


def locations(lines: list[str]) -> list[Location | None]:
    """For each line, the location of the request section it is in (None outside every request section)."""
    return [location for location, _ in _walk(lines)]


def object_prefixes(lines: list[str]) -> list[str]:
    """For each line, the object whose fields it lists (from the last object heading in its section), or ''."""
    return [prefix for _, prefix in _walk(lines)]


def _walk(lines: list[str]) -> list[tuple[Location | None, str]]:
    """Each line's section and object. An object heading counts only for a name the section listed above
    it (a ``### Notes`` heading after a parameter table still ends the section)."""
    found: list[tuple[Location | None, str]] = []
    current: Location | None = None
    prefix = ""
    above: list[str] = []  # the section's lines so far
    for line in lines:
        head = heading(line)
        if head is not None and head.names_object is not None and _listed(head.names_object, above):
            prefix = head.names_object
        elif head is not None:
            current, prefix, above = head.location, "", []
        above.append(line)
        found.append((current, prefix))
    return found


def _listed(path: str, above: list[str]) -> bool:
    name = re.escape(path.rpartition(".")[2])
    return any(re.search(rf"(?<![\w.]){name}(?!\w)", line) for line in above[1:])
