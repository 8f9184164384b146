"""NetEase Yunxin's dialect: the CheckSum check every call goes through, and the ``{"code", "msg", "data"}`` envelope.

Every answer is HTTP 200; success is code 200.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._catalogue import error_row
from .._checksum import checksum_is_valid
from .._faults import Fault
from .._pipeline import Emulator, Handler, Operation, Result, VendorRequest, gateway_error_page
from .._ratelimit import Refusal

VENDOR = "yunxin"
SUCCESS = 200
PARAMETER_ERROR = 414
RATE_LIMITED = 416
TEAM_ACTIONS = "/im/v2/teams/{team_id}/actions"  # the path under which a team's owner acts on it


class YunxinDialect:
    """AppKey, Nonce, CurTime and CheckSum headers in, ``{"code", "msg", "data"}`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> str | Result:
        headers = request.headers
        app_key = headers.get("appkey", "")
        if not app_key:
            return Result(PARAMETER_ERROR)
        app = emulator.state.yunxin_apps.get(app_key)
        if app is None:
            return Result(101303)
        valid = checksum_is_valid(
            app_secret=app.app_secret,
            nonce=headers.get("nonce", ""),
            curtime=headers.get("curtime", ""),
            sent_checksum=headers.get("checksum", ""),
            now=time.time(),
        )
        return app.app_key if valid else Result(PARAMETER_ERROR)

    def answer(self, result: Result) -> tuple[int, Response]:
        if result.code == SUCCESS:
            body = {"code": SUCCESS, "msg": "success", "data": result.data if result.data is not None else {}}
        else:
            body = {"code": result.code, "msg": error_row(VENDOR, result.code).message}
        return 200, JSONResponse(body, headers=result.headers)

    def rate_limited(self, refusal: Refusal) -> Result:
        return Result(RATE_LIMITED)

    def server_error(self, fault: Fault) -> tuple[int | None, Response]:
        if fault.kind == "html":
            return None, gateway_error_page(fault)
        code = 503 if fault.status == 503 else 500
        return code, JSONResponse({"code": code, "msg": error_row(VENDOR, code).message}, status_code=fault.status)


DIALECT = YunxinDialect()


def team_target(request: VendorRequest) -> str | None:
    """The audit target of a team operation: the team, from the path, or from the query where the path has none."""
    return request.path.get("team_id") or request.query.get("team_id")


def operation(method: str, path: str, operation_id: str, handler: Handler, *, json_body: bool = False) -> Operation:
    """A row of a Yunxin route table: every Yunxin operation names the team it acts on in the audit log."""
    return Operation(method, path, operation_id, handler, team_target, json_body=json_body)
