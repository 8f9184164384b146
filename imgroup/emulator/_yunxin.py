"""NetEase Yunxin IM server API: the dialect (the CheckSum check every call goes through) and dismiss_team.

The other team operations are in _yunxin_teams.py and _yunxin_members.py.

Every answer is HTTP 200 with ``{"code", "msg", "data"}``; success is code 200.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._catalogue import error_row
from ._checksum import checksum_is_valid
from ._faults import Fault
from ._pipeline import Caller, Emulator, Result, gateway_error_page
from ._ratelimit import Refusal
from ._state import EmulatorState
from ._yunxin_rules import answered

VENDOR = "yunxin"
SUCCESS = 200
PARAMETER_ERROR = 414
RATE_LIMITED = 416
MAX_EXTENSION_LENGTH = 512
ADVANCED_TEAM, SUPER_TEAM = 1, 2


class YunxinDialect:
    """AppKey, Nonce, CurTime and CheckSum headers in, ``{"code", "msg", "data"}`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> Caller | Result:
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
        return Caller(app=app.app_key) if valid else Result(PARAMETER_ERROR)

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


def routes(emulator: Emulator) -> list[Route]:
    """The Yunxin paths, bound to ``emulator``."""

    async def dismiss(request: Request) -> Response:
        team_id = request.path_params["team_id"]
        body = parse_json(await request.body())
        return await emulator.call(
            DIALECT, "dismiss_team", team_id, request, lambda c: dismiss_team(emulator, team_id, body)
        )

    return [Route("/im/v2/teams/{team_id}", dismiss, methods=["DELETE"])]


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def dismiss_team(emulator: Emulator, team_id: str, body: Any) -> Result:
    """Dismiss the team when the operator may: owner or manager of an advanced team, owner of a super team."""
    if not isinstance(body, dict):
        return Result(PARAMETER_ERROR)
    team_type, operator, extension = body.get("team_type"), body.get("operator_id"), body.get("extension")
    if isinstance(team_type, bool) or team_type not in (ADVANCED_TEAM, SUPER_TEAM):
        return Result(PARAMETER_ERROR)
    if not isinstance(operator, str) or not operator:
        return Result(PARAMETER_ERROR)
    if extension is not None and not isinstance(extension, str):
        return Result(PARAMETER_ERROR)
    if team_type == ADVANCED_TEAM and extension is not None and len(extension) > MAX_EXTENSION_LENGTH:
        return Result(PARAMETER_ERROR)
    team = emulator.state.yunxin_teams.get(team_id)
    if team is None or team.dismissed:
        return Result(108404)
    if team.team_type != team_type:
        # Asked to dismiss an advanced team that is a super team: "not an advanced team"; the other way
        # round there is no super team with this id.
        return Result(108302 if team_type == ADVANCED_TEAM else 108404)
    if operator not in emulator.state.yunxin_accounts:
        return Result(102404)
    role = team.role_of(operator)
    if role is None:
        return Result(109404)
    if team.team_type == SUPER_TEAM and role != "owner":
        return Result(109427)
    if role == "member":
        return Result(109432)
    team.dismissed = True
    return Result(SUCCESS, {}, effect="disbanded")


def endpoint(
    emulator: Emulator, operation: str, handler: Callable[[EmulatorState, Request, Any], Result], *, body: bool
) -> Callable[[Request], Awaitable[Response]]:
    """A team route's endpoint: read the JSON body if the operation has one, answer through the pipeline.

    The audit log's target is the team: from the path, or from the query where the path has none.
    """

    async def serve(request: Request) -> Response:
        payload = parse_json(await request.body()) if body else None
        target = request.path_params.get("team_id") or request.query_params.get("team_id")
        return await emulator.call(
            DIALECT, operation, target, request, lambda c: answered(lambda: handler(emulator.state, request, payload))
        )

    return serve
