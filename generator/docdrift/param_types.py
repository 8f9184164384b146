"""Maps the type names pages use (``int``, ``String``, ``string[]``) onto the JSON Schema names specs use."""

from __future__ import annotations

import re

from .text import compact_label

_ALIASES = {
    "string": "string",
    "str": "string",
    "int": "integer",
    "integer": "integer",
    "int32": "integer",
    "int64": "integer",
    "long": "integer",
    "uint32": "integer",
    "uint64": "integer",
    "number": "number",
    "float": "number",
    "double": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "object": "object",
    "map": "object",
    "json": "object",
    "jsonobject": "object",
    "jsonarray": "array",
    "array": "array",
    "list": "array",
}
_ARRAY = re.compile(r"^(?:array(?:\[.*\]|<.*>)?|.+\[\]|list<.*>)$")


def canonical_type(name: str) -> str | None:
    """The JSON Schema type a page's type name means, or None when the text is not a type name."""
    key = compact_label(name)
    if key in _ALIASES:
        return _ALIASES[key]
    if _ARRAY.match(key):
        return "array"
    return None
