"""Names the columns of a table from its header labels, in any order and either language."""

from __future__ import annotations

import re

from ..text import compact_label

# Labels are compared after compact_label (width-folded, lower case, no spaces).
_ERROR_ROLES = {
    "status": {"http状态码", "http状态", "httpstatus", "httpstatuscode", "状态码", "statuscode"},
    "code": {"错误码", "错误代码", "errorcode", "code"},
    "message": {"描述", "错误描述", "错误信息", "message", "msg", "description", "errormessage", "errorinfo"},
    "advice": {"排查建议", "解决方案", "处理建议", "troubleshooting", "suggestion", "solution", "advice"},
}
_PARAM_ROLES = {
    "name": {"名称", "参数", "参数名", "字段", "name", "parameter", "field"},
    "type": {"类型", "参数类型", "type"},
    "required": {"必填", "是否必填", "必选", "必需", "required"},
    "description": {"描述", "说明", "description"},
}
_YES = {"是", "yes", "true", "必填", "必需", "必选", "required", "y"}


def error_columns(header: list[str]) -> dict[str, int] | None:
    """Column index by role (code, message, status, advice) for an error table; None for any other table."""
    roles = _assign(header, _ERROR_ROLES)
    return roles if {"code", "message"} <= roles.keys() else None


def param_columns(header: list[str]) -> dict[str, int] | None:
    """Column index by role (name, type, required, description) for a parameter table; None otherwise."""
    roles = _assign(header, _PARAM_ROLES)
    return roles if {"name", "type"} <= roles.keys() else None


def is_yes(cell: str) -> bool:
    """Whether a required-ness cell says yes (是, Yes, 必需, true)."""
    return compact_label(cell) in _YES


def _assign(header: list[str], roles: dict[str, set[str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, label in enumerate(header):
        key = re.sub(r"[(（].*", "", compact_label(label))
        for role, labels in roles.items():
            if key in labels and role not in found:
                found[role] = index
                break
    return found
