"""Tencent Cloud Chat (IM) REST API: destroy_group, the routes of every group operation, and the UserSig check
every call goes through (the other group operations live in _tencent_groups and _tencent_members).

Every answer is HTTP 200 with ``{"ActionStatus", "ErrorCode", "ErrorInfo"}``; only injected gateway faults
answer otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import _tencent_groups, _tencent_members
from ._catalogue import error_row
from ._faults import Fault
from ._pipeline import Caller, Emulator, Result, gateway_error_page
from ._ratelimit import Refusal
from ._usersig import UserSigFailure, verify_usersig

VENDOR = "tencent"
MAX_GROUP_ID_BYTES = 48
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
REST_FREQUENCY_LIMITED = 60007


class TencentDialect:
    """UserSig in the query string, ``ActionStatus`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> Caller | Result:
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
        return Caller(app=str(app.sdkappid))

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
# operationId -> (the action, the body field naming the audit record's target)
GROUP_OPERATIONS: dict[str, tuple[Callable[[Emulator, Any], Result], str | None]] = {
    "create_group": (_tencent_groups.create_group, "GroupId"),
    "get_group_info": (_tencent_groups.get_group_info, None),
    "get_appid_group_list": (_tencent_groups.get_appid_group_list, None),
    "modify_group_base_info": (_tencent_groups.modify_group_base_info, "GroupId"),
    "change_group_owner": (_tencent_groups.change_group_owner, "GroupId"),
    "get_group_member_info": (_tencent_members.get_group_member_info, "GroupId"),
    "add_group_member": (_tencent_members.add_group_member, "GroupId"),
    "delete_group_member": (_tencent_members.delete_group_member, "GroupId"),
    "get_joined_group_list": (_tencent_members.get_joined_group_list, "Member_Account"),
}


def routes(emulator: Emulator) -> list[Route]:
    """The Tencent paths, bound to ``emulator``."""

    async def destroy(request: Request) -> Response:
        body = _json(await request.body())
        group_id = body.get("GroupId") if isinstance(body, dict) else None
        target = group_id if isinstance(group_id, str) else None
        return await emulator.call(DIALECT, "destroy_group", target, request, lambda c: destroy_group(emulator, body))

    def group_route(operation: str) -> Route:
        action, target_field = GROUP_OPERATIONS[operation]

        async def handle(request: Request) -> Response:
            body = _json(await request.body())
            target = body.get(target_field) if target_field and isinstance(body, dict) else None
            return await emulator.call(
                DIALECT,
                operation,
                target if isinstance(target, str) else None,
                request,
                lambda _: action(emulator, body),
            )

        return Route(f"/v4/group_open_http_svc/{operation}", handle, methods=["POST"])

    async def unknown_command(request: Request) -> Response:
        command = f"{request.path_params['service']}/{request.path_params['command']}"
        return await emulator.call(DIALECT, command, None, request, lambda _: Result(10003))

    return [
        Route("/v4/group_open_http_svc/destroy_group", destroy, methods=["POST"]),
        *(group_route(operation) for operation in GROUP_OPERATIONS),
        Route("/v4/{service}/{command}", unknown_command, methods=["POST"]),
    ]


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def group_id_is_well_formed(group_id: str) -> bool:
    """Group ids are printable ASCII of at most 48 bytes (auto ids start with @TGS#; custom ids are allowed)."""
    return (
        0 < len(group_id) <= MAX_GROUP_ID_BYTES
        and group_id.isascii()
        and group_id.isprintable()
        and " " not in group_id
    )


def destroy_group(emulator: Emulator, body: Any) -> Result:
    """Disband the group; a missing or already disbanded group answers 10010."""
    group_id = body.get("GroupId") if isinstance(body, dict) else None
    if not isinstance(group_id, str):
        return Result(INVALID_PARAMETER)
    if not group_id_is_well_formed(group_id):
        return Result(10015)
    group = emulator.state.tencent_groups.get(group_id)
    if group is None or group.destroyed:
        return Result(10010)
    group.destroyed = True
    return Result(0, effect="disbanded")
