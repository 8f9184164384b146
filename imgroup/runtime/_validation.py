"""Checks arguments against the spec's constraints before anything is sent, and answers against their shapes.

The rules are a JSON Schema subset the generator writes into each operation's module; the errors raised are
the vendor's own classes (``feishu_im.ValidationError``), given by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from imgroup._plural import counted

from ._vendor import ErrorClasses

Rules = Mapping[str, Any]


def check(errors: ErrorClasses, operation: str, field: str, value: object, rules: Rules, *, required: bool) -> None:
    """Raise ValidationError naming ``field`` when ``value`` breaks ``rules`` (a JSON Schema subset)."""
    if value is None:
        if required:
            raise errors.validation(operation, field, "is required")
        return
    problem = _problem(value, rules)
    if problem is not None:
        raise errors.validation(operation, field, problem)


def check_answer(
    errors: ErrorClasses,
    operation: str,
    data: Mapping[str, Any],
    fields: Mapping[str, tuple[Rules, bool]],
    *,
    request_id: str | None,
) -> None:
    """Raise ResponseFormatError when a successful answer's fields are missing or of the wrong shape."""
    for name, (rules, required) in fields.items():
        if name not in data or data[name] is None:
            if required:
                raise errors.response_format(
                    operation, f"the answer lacks {name}", http_status=200, request_id=request_id
                )
            continue
        problem = _problem(data[name], rules)
        if problem is not None:
            raise errors.response_format(
                operation, f"the answer's {name} {problem}", http_status=200, request_id=request_id
            )


def _problem(value: object, rules: Rules) -> str | None:
    kind = rules.get("type")
    if isinstance(kind, list):  # one of several JSON types (an id Yunxin sends as a number or as text)
        problems = [_problem(value, {**rules, "type": one}) for one in kind]
        if None in problems:
            return None
        return "must be " + " or ".join(f"a {one}" if one != "integer" else "an integer" for one in kind)
    if kind == "string":
        if not isinstance(value, str):
            return f"must be a string, not {type(value).__name__}"
        if len(value) < rules.get("min_length", 0):
            return (
                "must not be empty"
                if rules["min_length"] == 1
                else f"must be at least {rules['min_length']} characters"
            )
        if "max_length" in rules and len(value) > rules["max_length"]:
            return f"must be at most {rules['max_length']} characters (got {len(value)})"
        if "pattern" in rules and re.search(rules["pattern"], value) is None:
            return f"must match {rules['pattern']}"
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"must be an integer, not {type(value).__name__}"
        if "minimum" in rules and value < rules["minimum"]:
            return f"must be at least {rules['minimum']} (got {value})"
        if "maximum" in rules and value > rules["maximum"]:
            return f"must be at most {rules['maximum']} (got {value})"
    elif kind == "array":
        if not isinstance(value, (list, tuple)):
            return f"must be a list, not {type(value).__name__}"
        if len(value) < rules.get("min_items", 0):
            return "must not be empty" if rules["min_items"] == 1 else f"must hold at least {rules['min_items']} items"
        if "max_items" in rules and len(value) > rules["max_items"]:
            return f"must hold at most {counted(rules['max_items'], 'item')} (got {len(value)})"
        for index, item in enumerate(value):
            item_problem = _problem(item, rules.get("items", {}))
            if item_problem is not None:
                return f"[{index}] {item_problem}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return f"must be true or false, not {type(value).__name__}"
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"must be a number, not {type(value).__name__}"
    elif kind == "object":
        if not isinstance(value, Mapping):
            return f"must be a mapping, not {type(value).__name__}"
        for name in rules.get("required", ()):
            if value.get(name) is None:
                return f"lacks the field {name}"
        for name, field_rules in rules.get("properties", {}).items():
            if value.get(name) is not None:
                field_problem = _problem(value[name], field_rules)
                if field_problem is not None:
                    return f"field {name} {field_problem}"
    if "enum" in rules and value not in rules["enum"]:
        return "must be one of " + ", ".join(repr(option) for option in rules["enum"]) + f" (got {value!r})"
    return None
