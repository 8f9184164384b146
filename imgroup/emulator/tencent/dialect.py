"""Tencent Cloud Chat's dialect: the UserSig check every call goes through, and the ``ActionStatus`` envelope.

Every answer is HTTP 200 with ``{"ActionStatus", "ErrorCode", "ErrorInfo"}``; only injected gateway faults
answer otherwise. A command the emulator does not know answers 10003.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._catalogue import error_row
from .._faults import Fault
from .._pipeline import Emulator, Handler, Operation, Result, Target, VendorRequest, gateway_error_page, no_target
from .._ratelimit import Refusal
from .._usersig import UserSigFailure, verify_usersig

VENDOR = "tencent"
MAX_RANDOM = 2**32 - 1
USERSIG_CODES = {
    UserSigFailure.EMPTY: 70002,
    UserSigFailure.UNDECODABLE: 70003,
    UserSigFailure.SDKAPPID_MISMATCH: 70014,
    UserSigFailure.IDENTIFIER_MISMATCH: 70013,
    UserSigFailure.BAD_SIGNATURE: 70009,
    UserSigFailure.EXPIRED: 70001,
}
INVALID_PARAMETER = 10004
UNKNOWN_COMMAND = 10003
REST_FREQUENCY_LIMITED = 60007


class TencentDialect:
    """UserSig in the query string, ``ActionStatus`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> str | Result:
        query = request.query_params
        raw_sdkappid = query.get("sdkappid", "")
        if not raw_sdkappid.isdigit():
            return Result(60006)
        app = emulator.state.tencent_apps.get(int(raw_sdkappid))
        if app is None:
            return Result(70020)
        identifier = query.get("identifier", "")
        if not identifier or "usersig" not in query:
            return Result(60004)
        raw_random = query.get("random", "")
        if not raw_random.isdigit() or int(raw_random) > MAX_RANDOM or query.get("contenttype") != "json":
            return Result(INVALID_PARAMETER)
        failure = verify_usersig(
            query["usersig"], sdkappid=app.sdkappid, identifier=identifier, key=app.secret_key, now=time.time()
        )
        if failure is not None:
            return Result(USERSIG_CODES[failure])
        if identifier != app.admin:
            return Result(70403)
        return str(app.sdkappid)

    def answer(self, result: Result) -> tuple[int, Response]:
        if result.code == 0:
            body = {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", **(result.data or {})}
        else:
            body = {
                "ActionStatus": "FAIL",
                "ErrorCode": result.code,
                "ErrorInfo": error_row(VENDOR, result.code).message,
            }
        return 200, JSONResponse(body, headers=result.headers)

    def rate_limited(self, refusal: Refusal) -> Result:
        return Result(REST_FREQUENCY_LIMITED)

    def server_error(self, fault: Fault) -> tuple[int | None, Response]:
        if fault.kind == "html":
            return None, gateway_error_page(fault)
        body = {"ActionStatus": "FAIL", "ErrorCode": 10002, "ErrorInfo": error_row(VENDOR, 10002).message}
        return 10002, JSONResponse(body, status_code=fault.status)


DIALECT = TencentDialect()


def command(name: str, handler: Handler, target: Target = no_target) -> Operation:
    """The row of a group command: a POST of a JSON body to ``/v4/group_open_http_svc/{name}``, its operationId."""
    return Operation("POST", f"/v4/group_open_http_svc/{name}", name, handler, target, json_body=True)


def unknown_command(emulator: Emulator, request: VendorRequest) -> Result:
    """Any other ``/v4/{service}/{command}``: Tencent answers 10003, after checking the UserSig."""
    return Result(UNKNOWN_COMMAND)


# Last of Tencent's routes: every command the emulator knows is matched before it.
UNKNOWN_COMMAND_OPERATION = Operation("POST", "/v4/{service}/{command}", "{service}/{command}", unknown_command)
