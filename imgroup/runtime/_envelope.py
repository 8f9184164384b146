"""Turns an HTTP answer into the vendor's envelope, or into the typed error it stands for.

Two envelope styles, named in each spec's ``x-imgroup.envelope``:

- ``code_msg_data`` (Feishu, Yunxin): ``{"code": int, "msg": str, "data": {...}}``, success when ``code`` is one
  of the vendor's success codes.
- ``action_status`` (Tencent): ``{"ActionStatus": "OK"|"FAIL", "ErrorCode": int, "ErrorInfo": str, ...}`` with
  HTTP 200 unless the network failed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, TypeGuard

import httpx

from imgroup.errors import ApiError

from ._vendor import Vendor

# How long to wait before retrying, in Feishu's header first, then the standard one.
RETRY_AFTER_HEADERS = ("x-ogw-ratelimit-reset", "retry-after")


def decode(vendor: Vendor, operation: str, response: httpx.Response) -> dict[str, Any]:
    """The envelope of a successful answer; raises the vendor's ApiError or ResponseFormatError otherwise."""
    request_id = request_id_of(vendor, response)
    status = response.status_code
    response_format = vendor.errors.response_format
    try:
        body = json.loads(response.content)
    except ValueError:
        raise response_format(
            operation,
            f"expected a JSON envelope, got {describe_body(response)}",
            http_status=status,
            request_id=request_id,
            retry_after=retry_after_of(response.headers),
        ) from None
    if not isinstance(body, dict):
        raise response_format(
            operation, f"expected a JSON object, got {type(body).__name__}", http_status=status, request_id=request_id
        )
    if vendor.envelope == "action_status":
        code = body.get("ErrorCode")
        action_status = body.get("ActionStatus")
        if not _is_int(code) or action_status not in ("OK", "FAIL"):
            raise response_format(
                operation,
                "the envelope lacks an integer ErrorCode or an ActionStatus of OK/FAIL",
                http_status=status,
                request_id=request_id,
            )
        if action_status == "OK" and code in vendor.success_codes:
            return body
        message = body.get("ErrorInfo")
    else:
        code = body.get("code")
        if not _is_int(code):
            raise response_format(
                operation, "the envelope lacks an integer code", http_status=status, request_id=request_id
            )
        if code in vendor.success_codes:
            return body
        message = body.get("msg")
    raise error_for(
        vendor,
        operation,
        code,
        message if isinstance(message, str) else "",
        http_status=status,
        request_id=request_id,
        retry_after=retry_after_of(response.headers),
    )


def answer_fields(vendor: Vendor, body: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The fields of a successful answer: the envelope's ``data``, or (Tencent) the envelope itself."""
    if vendor.envelope == "action_status":
        return body or {}
    data = (body or {}).get("data")
    return data if isinstance(data, Mapping) else {}


def error_for(
    vendor: Vendor,
    operation: str,
    code: int,
    message: str,
    *,
    http_status: int,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> ApiError:
    """The vendor's typed error for a business code: by the catalogue's category (the operation's own entry),
    else by the HTTP status."""
    info = vendor.lookup(code, operation)
    category = info.category if info is not None else _category_from_status(http_status)
    error_class = vendor.errors.by_category.get(category, vendor.errors.api) if category else vendor.errors.api
    return error_class(
        code=code,
        message=message,
        http_status=http_status,
        operation=operation,
        request_id=request_id,
        info=info,
        retry_after=retry_after,
    )


def request_id_of(vendor: Vendor, response: httpx.Response) -> str | None:
    """The vendor's id for this request (what support asks for), from the answer or the request we sent."""
    try:
        sent = response.request.headers
    except RuntimeError:  # a response built by hand has no request
        sent = httpx.Headers()
    for name in vendor.request_id_headers:
        value: str | None = response.headers.get(name) or sent.get(name)  # a trace id we sent, if not echoed
        if value:
            return value
    return None


def retry_after_of(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from ``x-ogw-ratelimit-reset`` or ``Retry-After`` (seconds or an HTTP date)."""
    for name in RETRY_AFTER_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        import email.utils  # an HTTP date is rare, and the email package is slow to import

        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            continue
        return max(0.0, when - (time.time() if now is None else now))
    return None


def describe_body(response: httpx.Response) -> str:
    """A short, safe description of a body that is not JSON (never the body of a credential answer)."""
    content = response.content
    if not content.strip():
        return "an empty body"
    content_type = response.headers.get("content-type", "unknown type")
    if b"<html" in content[:512].lower() or "html" in content_type:
        return f"an HTML page ({content_type}, {len(content)} bytes)"
    if content.lstrip()[:1] in (b"{", b"["):
        return f"truncated or invalid JSON ({len(content)} bytes)"
    return f"a non-JSON body ({content_type}, {len(content)} bytes)"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _category_from_status(http_status: int) -> str | None:
    if http_status == 429:
        return "rate_limited"
    if http_status == 401:
        return "unauthenticated"
    if http_status == 403:
        return "permission_denied"
    if http_status >= 500:
        return "unavailable"
    return None
