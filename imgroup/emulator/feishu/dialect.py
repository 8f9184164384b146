"""Feishu's dialect: tenant_access_tokens in, ``{"code", "msg", "data"}`` out.

Answers carry the catalogue row's HTTP status and an ``X-Tt-Logid`` header, every one of them. Only
tenant_access_tokens this emulator issued are accepted.
"""

from __future__ import annotations

import math
import os
import time
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._catalogue import error_row
from .._faults import Fault
from .._pipeline import Emulator, Result, gateway_error_page
from .._ratelimit import Refusal

VENDOR = "feishu"


def _with_log_id(response: Response) -> Response:
    """Add ``X-Tt-Logid`` spelled as Feishu spells it: lark-oapi looks it up case-sensitively."""
    log_id = time.strftime("%Y%m%d%H%M%S") + os.urandom(10).hex().upper()
    response.raw_headers.append((b"X-Tt-Logid", log_id.encode()))
    return response


class FeishuDialect:
    """Bearer tenant_access_tokens in, ``{"code", "msg", "data"}`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> str | Result:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            return Result(99991661)
        issued = emulator.feishu_tokens.get(token.strip())
        if issued is None:
            # We never issue user tokens, so any u- token is one Feishu would not know either.
            return Result(99991668 if token.startswith("u-") else 99991663)
        app_id, expires_at = issued
        if time.time() >= expires_at or emulator.state.feishu_caller(app_id) is None:
            return Result(99991663)
        return app_id

    def answer(self, result: Result) -> tuple[int, Response]:
        headers = result.headers
        if result.code == 0:
            if result.top_level:  # the token calls: fields beside code and msg (a handler may give its own msg)
                body = {"code": 0, "msg": "success", **(result.data or {})}
            else:
                body = {"code": 0, "msg": "success", "data": result.data if result.data is not None else {}}
            return 200, _with_log_id(JSONResponse(body, headers=headers))
        row = error_row(VENDOR, result.code)
        status, message = row.http_status, row.message
        return status, _with_log_id(
            JSONResponse({"code": result.code, "msg": message}, status_code=status, headers=headers)
        )

    def rate_limited(self, refusal: Refusal) -> Result:
        headers = {
            "x-ogw-ratelimit-limit": str(refusal.limit),
            "x-ogw-ratelimit-reset": str(math.ceil(refusal.reset_s)),
        }
        return Result(99991400, headers=headers)

    def server_error(self, fault: Fault) -> tuple[int | None, Response]:
        if fault.kind == "html":
            return None, _with_log_id(gateway_error_page(fault))
        body = {"code": fault.status, "msg": HTTPStatus(fault.status).phrase}
        return None, _with_log_id(JSONResponse(body, status_code=fault.status))


DIALECT = FeishuDialect()
