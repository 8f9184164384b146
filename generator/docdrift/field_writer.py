"""``check-docs --write`` for request-body fields: a field a page adds, at any depth, is written into the
spec's schema for a person to review, editing the YAML text in place as the code writer does.

The new property goes at the end of its object's ``properties`` (the request body's schema, or the schema of
the object field it belongs to, following ``$ref`` and array ``items``), with the page's type, a
description saying it awaits review, an example of its type and ``x-review: true``; a required field's name
is added to the object's ``required`` list. Fields the page adds under a field it also adds are written
inside it. Removed fields and changed ones are only reported: they need a person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.spec import load_yaml

from .compare import Difference, Kind
from .model import Location, PageParam
from .readers.nesting import parent_of
from .spec_model import operations_of
from .writer import WriteRefused, child_node, end_of_mapping, line_start

REVIEW_KEY = "x-review"
_EXAMPLES: dict[str | None, object] = {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}
_EXAMPLES["object"] = {}


@dataclass
class _NewField:
    param: PageParam
    children: list[_NewField] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.param.name.rpartition(".")[2]


def add_body_fields(text: str, path: str, method: str, differences: list[Difference]) -> str:
    """``text`` (a spec) with the body fields ``differences`` add to operation ``method path`` written in."""
    added = [
        difference.page
        for difference in differences
        if difference.kind is Kind.PARAM_ADDED
        and isinstance(difference.page, PageParam)
        and difference.page.location is Location.BODY
    ]
    if not added:
        return text
    root = yaml.compose(text)
    body = _body_schema(root, path, method.lower())
    edits: list[tuple[int, int, str]] = []
    for parent, fields in _by_parent(added).items():
        edits.extend(_insert(text, _object_at(root, body, parent), fields))
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    _verify(text, path, method.lower(), added)
    return text


def _by_parent(added: list[PageParam]) -> dict[str, list[_NewField]]:
    """New fields grouped by the existing object they go into; a field under a new field goes inside it."""
    new: dict[str, _NewField] = {}
    top: dict[str, list[_NewField]] = {}
    for param in added:
        entry = _NewField(param)
        new[param.name] = entry
        parent = parent_of(param.name)
        if parent in new:
            new[parent].children.append(entry)
        else:
            top.setdefault(parent, []).append(entry)
    return top


def _body_schema(root: Node, path: str, method: str) -> MappingNode:
    operation = child_node(child_node(child_node(root, "paths"), path), method)
    schema = child_node(
        child_node(child_node(child_node(operation, "requestBody"), "content"), "application/json"), "schema"
    )
    return _followed(root, schema)


def _followed(root: Node, node: Node) -> MappingNode:
    """``node`` with a local ``$ref`` followed, as a block mapping the writer can edit."""
    for _ in range(20):
        ref = _value(node, "$ref")
        if not isinstance(ref, ScalarNode):
            break
        node = root
        for part in str(ref.value).lstrip("#/").split("/"):
            node = child_node(node, part)
    if not isinstance(node, MappingNode) or node.flow_style:
        raise WriteRefused(f"line {node.start_mark.line + 1}: a schema is not a block mapping; edit it by hand")
    return node


def _object_at(root: Node, body: MappingNode, dotted: str) -> MappingNode:
    """The schema of the object field ``dotted`` (``configuration``, ``MemberList``) inside the body schema."""
    node = body
    for part in [part for part in dotted.split(".") if part]:
        node = _followed(root, child_node(child_node(node, "properties"), part))
        items = _value(node, "items")
        if items is not None:
            node = _followed(root, items)
    return node


def _value(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value
    return None


def _insert(text: str, schema: MappingNode, fields: list[_NewField]) -> list[tuple[int, int, str]]:
    properties = _value(schema, "properties")
    if not isinstance(properties, MappingNode) or properties.flow_style or not properties.value:
        raise WriteRefused(f"line {schema.start_mark.line + 1}: an object without block properties; edit it by hand")
    column = int(properties.value[0][0].start_mark.column)
    at = end_of_mapping(text, properties)
    block = "".join(_field_text(entry, column) for entry in fields)
    edits = [(at, at, block)]
    required = [entry.key for entry in fields if entry.param.required]
    if required:
        edits.append(_add_required(text, schema, required))
    return edits


def _field_text(entry: _NewField, column: int) -> str:
    """The YAML of one new property (and of the new fields inside it), its key at ``column``."""
    pad, inner = " " * column, " " * (column + 2)
    kind = entry.param.type or ("object" if entry.children else None)
    lines = [f"{pad}{entry.key}:"]
    if kind is not None:
        lines.append(f"{inner}type: {kind}")
    lines.append(f'{inner}description: "Not reviewed yet: see the vendor\'s page."')
    lines.append(f"{inner}example: {json.dumps(_EXAMPLES.get(kind))}")
    lines.append(f"{inner}{REVIEW_KEY}: true")
    if entry.children:
        required = [child.key for child in entry.children if child.param.required]
        if required:
            lines.append(f"{inner}required: {json.dumps(required)}")
        lines.append(f"{inner}properties:")
    text = "\n".join(lines) + "\n"
    return text + "".join(_field_text(child, column + 4) for child in entry.children)


def _add_required(text: str, schema: MappingNode, names: list[str]) -> tuple[int, int, str]:
    listed = _value(schema, "required")
    if isinstance(listed, SequenceNode) and (listed.flow_style or not listed.value):
        values = [str(item.value) for item in listed.value] + names
        return int(listed.start_mark.index), int(listed.end_mark.index), json.dumps(values)
    if isinstance(listed, SequenceNode):
        last = listed.value[-1]
        at = _end_of_line(text, int(last.end_mark.index))
        prefix = text[line_start(text, int(last.start_mark.index)) : int(last.start_mark.index)]
        return at, at, "".join(f"{prefix}{name}\n" for name in names)
    key = next(key for key, _ in schema.value if isinstance(key, ScalarNode) and key.value == "properties")
    at = line_start(text, int(key.start_mark.index))
    return at, at, f"{' ' * int(key.start_mark.column)}required: {json.dumps(names)}\n"


def _end_of_line(text: str, index: int) -> int:
    """Index just past the line holding ``index``."""
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline + 1


def _verify(text: str, path: str, method: str, added: list[PageParam]) -> None:
    """Every added field is where its path says, as the checker reads the edited spec; WriteRefused if not."""
    operations = operations_of(Path("edited spec"), load_yaml(text))
    body = [op.params.get(Location.BODY, []) for op in operations if (op.path, op.method.lower()) == (path, method)]
    names = {param.name for params in body for param in params}
    missing = [param.name for param in added if param.name not in names]
    if missing:
        raise WriteRefused(f"{method.upper()} {path}: adding {', '.join(missing)} did not land; spec left unchanged")
