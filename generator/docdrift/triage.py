"""Guesses a category and a retry flag for an error code a page adds, erring on the side of doing nothing.

The guess only has to be safe until a person reviews the row (the writer marks it ``review: true``):
it never says ``already_gone`` (that would count a failure as done), and it calls a code retryable only
when the page says outright that it is about load (a rate limit, a busy or unavailable service).
"""

from __future__ import annotations

_RATE = ("rate limit", "rate-limit", "frequency", "too many", "too frequent", "限流", "频率", "频控")
_UNAVAILABLE = ("unavailable", "busy", "timeout", "timed out", "繁忙", "超时")
_INTERNAL = ("internal", "内部")
_PERMISSION = ("permission", "forbidden", "not allowed", "no authority", "unauthorized", "权限")
_NOT_FOUND = ("not found", "not exist", "does not exist", "不存在")
_INVALID = ("invalid", "parameter", "illegal", "非法", "参数")


def guess_category(http_status: int | None, message: str) -> tuple[str, bool]:
    """``(category, retryable)`` for a code known only by its HTTP status and message."""
    text = message.lower()
    if http_status == 429 or _mentions(text, _RATE):
        return "rate_limited", True
    if http_status in (502, 503, 504) or _mentions(text, _UNAVAILABLE):
        return "unavailable", True
    if (http_status or 0) >= 500 or _mentions(text, _INTERNAL):
        return "internal", False
    if http_status == 401:
        return "unauthenticated", False
    if http_status == 403 or _mentions(text, _PERMISSION):
        return "permission_denied", False
    if http_status == 404 or _mentions(text, _NOT_FOUND):
        return "not_found", False
    if _mentions(text, _INVALID):
        return "invalid_argument", False
    return "failed_precondition", False


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)
