"""The changes we make to openapi-python-client's models: they show themselves through ``ModelRepr``, a
field the spec marks ``x-as-string`` is read as text whether the vendor sends it as text or as a number, and
the models a model refers to are imported once, not on every call.

The tool's model template is used as it is (``tool/model.py.jinja``); its output passes through
:func:`with_model_repr`, which turns attrs' own repr off and makes the class inherit
:class:`imgroup.runtime.ModelRepr` (the fields a model holds, never absent ones or credentials), and
:func:`with_string_fields`, which reads each marked field through :func:`imgroup.runtime.as_string`. The tool
itself is handed :func:`tool_document`, where each marked field is a plain string; and
:func:`with_references_imported_once`, which moves the tool's in-method imports to the end of the module. A copy
of the tool's 250-line template would drift from the pinned tool; these edits fail loudly if it ever changes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from openapi_python_client import strings

ATTRS_IMPORT = "from attrs import define as _attrs_define\n"
RUNTIME_IMPORT = "from imgroup.runtime import ModelRepr\n"
AS_STRING = "x-as-string"  # a field the vendor sends as a number or as text, kept as text (specs/README.md)
# The tool's imports of the models a model refers to: under TYPE_CHECKING for the annotations, and again at the
# start of each method that builds or reads one (``# noqa: PLC0415`` in its template).
TYPE_CHECKING_IMPORTS = re.compile(r"^if TYPE_CHECKING:\n((?: +from \.\.models\.\w+ import \w+\n)+)", re.MULTILINE)
REFERENCES_COMMENT = (
    "# Imported after the class, which a model that refers back to this one needs (generator/models.py).\n"
)
IN_METHOD_IMPORT = re.compile(r"^ +(from \.\.models\.\w+ import \w+)(?: *# noqa: PLC0415)?\n", re.MULTILINE)


class ModelTemplateChanged(RuntimeError):
    """openapi-python-client's model template no longer has the lines our filter edits."""


def with_model_repr(text: str, class_name: str) -> str:
    """The tool's rendering of model ``class_name``, its class made a ``ModelRepr`` without attrs' repr."""
    declaration = f"@_attrs_define\nclass {class_name}:\n"
    for anchor in (ATTRS_IMPORT, declaration):
        if text.count(anchor) != 1:
            raise ModelTemplateChanged(f"{class_name}: expected one {anchor!r} in the tool's model template")
    text = text.replace(ATTRS_IMPORT, ATTRS_IMPORT + RUNTIME_IMPORT)
    return text.replace(declaration, f"@_attrs_define(repr=False)\nclass {class_name}(ModelRepr):\n")


def with_string_fields(text: str, class_name: str, fields: Mapping[str, tuple[tuple[str, str], ...]]) -> str:
    """Model ``class_name`` (already a ``ModelRepr``) reading its ``x-as-string`` fields through ``as_string``."""
    marked = fields.get(class_name, ())
    if not marked:
        return text
    if text.count(RUNTIME_IMPORT) != 1:
        raise ModelTemplateChanged(f"{class_name}: expected one {RUNTIME_IMPORT!r} after with_model_repr")
    text = text.replace(RUNTIME_IMPORT, "from imgroup.runtime import ModelRepr, as_string\n")
    for python_name, wire_name in marked:
        reads = [f'{python_name} = d.pop("{wire_name}"{rest})' for rest in ("", ", UNSET")]
        found = [read for read in reads if text.count(read) == 1]
        if len(found) != 1:
            raise ModelTemplateChanged(f"{class_name}.{python_name}: expected one read of {wire_name!r}")
        text = text.replace(found[0], found[0].replace("d.pop(", "as_string(d.pop(", 1) + ")")
    return text


def with_references_imported_once(text: str, class_name: str) -> str:
    """Model ``class_name`` importing the models it refers to once, after its class, instead of in each method.

    The tool imports them inside ``to_dict`` and ``from_dict`` because models may refer to each other in a cycle;
    an import statement costs about 2 µs each time it runs, a quarter of parsing a small nested event. At the end
    of the module they run once, and a cycle still resolves: each module defines its class before it imports
    another, so a module that imports this one back while it loads finds the class already there.
    """
    block = TYPE_CHECKING_IMPORTS.search(text)
    in_methods = IN_METHOD_IMPORT.findall(text)
    if block is None:
        if in_methods:
            raise ModelTemplateChanged(f"{class_name}: imports in its methods but none under TYPE_CHECKING")
        return text
    imports = [line.strip() for line in block.group(1).splitlines()]
    if sorted(set(in_methods)) != sorted(imports):
        raise ModelTemplateChanged(f"{class_name}: its methods import other models than TYPE_CHECKING names")
    text = IN_METHOD_IMPORT.sub("", text[: block.start()] + text[block.end() :])
    return text.rstrip("\n") + "\n\n\n" + REFERENCES_COMMENT + "\n".join(imports) + "\n"


def string_fields(document: Mapping[str, Any], field_prefix: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """The ``x-as-string`` fields of each model, by the tool's class name: (Python name, wire name) pairs."""
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        marked = tuple(
            (str(strings.PythonIdentifier(wire, field_prefix)), wire)
            for wire, field in (schema.get("properties") or {}).items()
            if isinstance(field, dict) and field.get(AS_STRING)
        )
        if marked:
            found[str(strings.ClassName(name, ""))] = marked
    return found


def tool_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The spec as openapi-python-client reads it: each ``x-as-string`` field a plain string (so its model
    field is ``str``); the spec itself keeps both wire types, which the answer checks accept."""
    copied: dict[str, Any] = copy.deepcopy(dict(document))
    for schema in _schemas(copied):
        if schema.get(AS_STRING):
            schema["type"] = "string"
    return copied


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)
