"""Names the columns of a table from its header labels, in any order and any language the vocabulary knows."""

from __future__ import annotations

import re

from ..text import compact_label
from .vocabulary import ERROR_COLUMNS, PARAM_COLUMNS, REQUIRED_WORDS

_ALL_LABELS = frozenset(
    label for roles in (ERROR_COLUMNS, PARAM_COLUMNS) for labels in roles.values() for label in labels
)


def label_key(label: str) -> str:
    """A header label reduced for lookup: compacted, without a parenthesised note (``类型(必填)``) and without
    prose a capture glued before it (``...specific to this API:Error Code``)."""
    key = compact_label(label)
    key = re.sub(r"^.*:", "", key)
    return re.sub(r"\(.*", "", key)


def is_label(text: str) -> bool:
    """Whether ``text`` is a column label of an error or a parameter table."""
    return label_key(text) in _ALL_LABELS


def error_columns(header: list[str]) -> dict[str, int] | None:
    """Column index by role (code, message, status, advice) for an error table; None for any other table."""
    roles = _assign(header, ERROR_COLUMNS)
    return roles if {"code", "message"} <= roles.keys() else None


def param_columns(header: list[str]) -> dict[str, int] | None:
    """Column index by role (name, type, required, description) for a parameter table; None otherwise."""
    roles = _assign(header, PARAM_COLUMNS)
    return roles if {"name", "type"} <= roles.keys() else None


def is_table_header(cells: list[str]) -> bool:
    """Whether ``cells`` are all column labels and name an error or a parameter table (at least two of them)."""
    return (
        len(cells) >= 2
        and all(is_label(cell) for cell in cells)
        and (error_columns(cells) is not None or param_columns(cells) is not None)
    )


def is_yes(cell: str) -> bool:
    """Whether a required-ness cell says yes (是, Yes, 必需, 必填, true)."""
    return compact_label(cell) in REQUIRED_WORDS


def _assign(header: list[str], roles: dict[str, set[str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, label in enumerate(header):
        key = label_key(label)
        for role, labels in roles.items():
            if key in labels and role not in found:
                found[role] = index
                break
    return found
