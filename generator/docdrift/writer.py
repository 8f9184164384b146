"""``check-docs --write``: carries added and changed error codes from a page into the spec, editing the YAML
text in place so that everything else (comments, quoting, key order, line breaks) stays as it was.

The spec is parsed with ``yaml.compose``, whose nodes know where they start and end in the text; the
writer replaces exactly the scalars that change (``message``, ``http_status``), adds ``review: true`` to
each row it touches, and inserts new rows, in page order, after the row the page lists before them.
A changed row keeps our description, action, category and retry flag. Removed codes and every other kind
of difference are only reported: they need a person. The edited text is parsed again and checked before
it is returned.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.spec import load_yaml

from .compare import WRITABLE_CODES, Difference, Kind
from .model import PageErrorRow
from .triage import guess_category

REVIEW_KEY = "review"


class WriteRefused(Exception):
    """The spec's layout is one the writer will not edit safely (a flow-style or aliased catalogue)."""


def apply_differences(
    text: str, path: str, method: str, page_rows: list[PageErrorRow], differences: list[Difference]
) -> str:
    """``text`` (a spec) with the writable ``differences`` of operation ``method path`` carried in.

    ``page_rows`` is the page's error table, which gives new rows their place in page order.
    """
    wanted = [difference for difference in differences if difference.kind in WRITABLE_CODES]
    if not wanted:
        return text
    catalogue = _catalogue_node(yaml.compose(text), path, method.lower())
    items = _items_by_code(catalogue)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end of the text
    for difference in wanted:
        if difference.kind is Kind.CODE_MESSAGE_CHANGED:
            message = json.dumps(difference.page, ensure_ascii=False)
            edits.append(_replace_value(text, items[int(difference.subject)], "message", message))
        elif difference.kind is Kind.CODE_STATUS_CHANGED:
            edits.append(_replace_value(text, items[int(difference.subject)], "http_status", str(difference.page)))
    added = {int(d.subject) for d in wanted if d.kind is Kind.CODE_ADDED}
    # New rows go in before the review marks: at a shared position the edit applied first ends up last.
    edits.extend(_insertions(text, catalogue, items, page_rows, added))
    changed = {int(d.subject) for d in wanted if d.kind is not Kind.CODE_ADDED}
    edits.extend(_mark_for_review(text, items[code]) for code in sorted(changed))
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    _verify(text, path, method.lower(), wanted)
    return text


def _catalogue_node(root: Node, path: str, method: str) -> SequenceNode:
    operation = child_node(child_node(child_node(root, "paths"), path), method)
    catalogue = child_node(operation, "x-error-codes")
    if not isinstance(catalogue, SequenceNode):
        raise WriteRefused(f"{method.upper()} {path}: x-error-codes is not a list")
    if catalogue.flow_style and catalogue.value:
        raise WriteRefused(f"{method.upper()} {path}: x-error-codes is a non-empty flow-style list")
    return catalogue


def child_node(node: Node | None, key: str) -> Node:
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value
    raise WriteRefused(f"the spec has no key {key!r} where the operation should be")


def _items_by_code(catalogue: SequenceNode) -> dict[int, MappingNode]:
    items = {}
    for item in catalogue.value:
        if not isinstance(item, MappingNode) or item.flow_style:
            raise WriteRefused(f"line {item.start_mark.line + 1}: a catalogue row is not a block mapping")
        if not catalogue.start_mark.index <= item.start_mark.index <= catalogue.end_mark.index:
            raise WriteRefused(f"line {item.start_mark.line + 1}: a catalogue row is a YAML alias; edit it by hand")
        items[int(child_node(item, "code").value)] = item
    return items


def _replace_value(text: str, item: MappingNode, key: str, replacement: str) -> tuple[int, int, str]:
    value = child_node(item, key)
    start, end = int(value.start_mark.index), int(value.end_mark.index)
    # A block scalar (``|``) ends after its line break; the quoted replacement needs one too.
    return start, end, replacement + ("\n" if text[end - 1] == "\n" else "")


def _mark_for_review(text: str, item: MappingNode) -> tuple[int, int, str]:
    for key_node, value in item.value:
        if key_node.value == REVIEW_KEY:
            return value.start_mark.index, value.end_mark.index, "true"
    at = end_of_mapping(text, item)
    return at, at, f"{' ' * item.start_mark.column}{REVIEW_KEY}: true\n"


def _insertions(
    text: str, catalogue: SequenceNode, items: dict[int, MappingNode], page_rows: list[PageErrorRow], added: set[int]
) -> list[tuple[int, int, str]]:
    """New rows, each placed after the row the page lists before it (or first, if the page lists none)."""
    if not added:
        return []
    statuses = Counter(_int(child_node(item, "http_status").value) for item in items.values())
    default_status = statuses.most_common(1)[0][0] if statuses else 200
    grouped: dict[int, list[str]] = {}
    anchor: MappingNode | None = None
    prefix = _row_prefix(text, catalogue)
    for row in page_rows:
        if row.code in items:
            anchor = items[row.code]
            continue
        if row.code not in added:
            continue
        if anchor is not None:
            at = end_of_mapping(text, anchor)
        elif catalogue.value:
            at = line_start(text, catalogue.value[0].start_mark.index)
        else:
            at = catalogue.end_mark.index
        grouped.setdefault(at, []).append(_row_text(prefix, row, default_status))
    edits = []
    for at, rows in grouped.items():
        block = "".join(rows)
        if not catalogue.value:  # `x-error-codes: []` becomes a block list under its key
            start = catalogue.start_mark.index
            edits.append((start, catalogue.end_mark.index, "\n" + block.rstrip("\n")))
        else:
            edits.append((at, at, block))
    return edits


def _row_text(prefix: str, row: PageErrorRow, default_status: int) -> str:
    category, retryable = guess_category(row.http_status, row.message)
    advice = f"Vendor's advice: {row.advice}" if row.advice else "Not reviewed yet: see the vendor's page."
    fields: list[tuple[str, Any]] = [
        ("code", row.code),
        ("http_status", row.http_status if row.http_status is not None else default_status),
        ("message", row.message),
        ("description", row.message),
        ("action", advice),
        ("retryable", retryable),
        ("category", _Plain(category)),
        (REVIEW_KEY, True),
    ]
    indent = " " * len(prefix)
    lines = [f"{prefix if index == 0 else indent}{key}: {_scalar(value)}" for index, (key, value) in enumerate(fields)]
    return "\n".join(lines) + "\n"


class _Plain(str):
    """A word written unquoted, as the specs write categories."""


def _scalar(value: Any) -> str:
    """A YAML scalar: a JSON string is a valid YAML double-quoted scalar; ints and booleans are plain."""
    if isinstance(value, _Plain):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _row_prefix(text: str, catalogue: SequenceNode) -> str:
    """What starts a row's first line (``"        - "``), copied from an existing row or derived from the key."""
    if catalogue.value:
        first = catalogue.value[0].start_mark
        return str(text[line_start(text, first.index) : first.index])
    key_column = int(catalogue.start_mark.column) - len("x-error-codes: ")
    return " " * (max(key_column, 0) + 2) + "- "


def end_of_mapping(text: str, item: MappingNode) -> int:
    """Index just past the line holding the end of the item's last value."""
    end = int(item.value[-1][1].end_mark.index)
    # A nested block ends where the next key starts, past the indentation of that key's line.
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    if end > 0 and text[end - 1] == "\n":
        return end
    newline = text.find("\n", end)
    return len(text) if newline == -1 else newline + 1


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _int(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else 0


def _verify(text: str, path: str, method: str, wanted: list[Difference]) -> None:
    """Parses the edited spec and checks every writable difference landed; WriteRefused if not."""
    rows = {int(row["code"]): row for row in load_yaml(text)["paths"][path][method]["x-error-codes"]}
    for difference in wanted:
        row = rows.get(int(difference.subject))
        landed = row is not None and row.get(REVIEW_KEY) is True
        if difference.kind is Kind.CODE_MESSAGE_CHANGED:
            landed = landed and row is not None and row["message"] == difference.page
        if difference.kind is Kind.CODE_STATUS_CHANGED:
            landed = landed and row is not None and row["http_status"] == difference.page
        if not landed:
            raise WriteRefused(
                f"{method.upper()} {path}: editing code {difference.subject} did not land; spec left unchanged"
            )
