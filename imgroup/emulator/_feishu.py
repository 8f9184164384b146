"""Feishu (Lark) Open Platform: the token endpoint, disband_chat, remove_chat_members, unbind_meeting_chat.

Answers use the ``{"code", "msg", "data"}`` envelope with the catalogue row's HTTP status and an
``X-Tt-Logid`` header on every answer. Only tenant_access_tokens this emulator issued are accepted.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import time
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._catalogue import error_row, listed_for
from ._faults import Fault
from ._pipeline import Caller, Emulator, Result, gateway_error_page
from ._ratelimit import Refusal

VENDOR = "feishu"
# A token is handed out again until under 30 minutes of it remain; then a new one is issued.
TOKEN_REUSE_MIN_REMAINING_S = 1800
MEMBER_ID_TYPES = frozenset({"open_id", "user_id", "union_id", "app_id"})
OPERATE_AS_OWNER_SCOPE = "im:chat:operate_as_owner"


def _with_log_id(response: Response) -> Response:
    """Add ``X-Tt-Logid`` spelled as Feishu spells it: lark-oapi looks it up case-sensitively."""
    log_id = time.strftime("%Y%m%d%H%M%S") + os.urandom(10).hex().upper()
    response.raw_headers.append((b"X-Tt-Logid", log_id.encode()))
    return response


class FeishuDialect:
    """Bearer tenant_access_tokens in, ``{"code", "msg", "data"}`` out."""

    vendor = VENDOR

    def authenticate(self, request: Request, emulator: Emulator) -> Caller | Result:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            return Result(99991661)
        issued = emulator.feishu_tokens.get(token.strip())
        if issued is None:
            # We never issue user tokens, so any u- token is one Feishu would not know either.
            return Result(99991668 if token.startswith("u-") else 99991663)
        app_id, expires_at = issued
        if time.time() >= expires_at or app_id not in emulator.state.feishu_apps:
            return Result(99991663)
        return Caller(app=app_id)

    def answer(self, result: Result) -> tuple[int, Response]:
        headers = result.headers
        if result.code == 0:
            if isinstance(result.data, dict) and "tenant_access_token" in result.data:
                body = {"code": 0, "msg": "ok", **result.data}
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


def routes(emulator: Emulator) -> list[Route]:
    """The Feishu paths, bound to ``emulator``."""

    async def tenant_access_token(request: Request) -> Response:
        body = _json_object(await request.body())
        app_id = body.get("app_id") if body is not None else None
        target = app_id if isinstance(app_id, str) else None
        return await emulator.call(
            DIALECT, "get_tenant_access_token", target, request, lambda _: issue_token(emulator, body), auth=False
        )

    async def disband(request: Request) -> Response:
        chat_id = request.path_params["chat_id"]
        return await emulator.call(
            DIALECT, "disband_chat", chat_id, request, lambda c: disband_chat(emulator, c, chat_id)
        )

    async def remove_members(request: Request) -> Response:
        chat_id = request.path_params["chat_id"]
        body = _json_object(await request.body())
        id_type = request.query_params.get("member_id_type", "open_id")
        return await emulator.call(
            DIALECT, "remove_chat_members", chat_id, request,
            lambda c: remove_chat_members(emulator, c, chat_id, id_type, body),
        )  # fmt: skip

    async def unbind(request: Request) -> Response:
        calendar_id, event_id = request.path_params["calendar_id"], request.path_params["event_id"]
        chat_id = request.query_params.get("meeting_chat_id", "")
        return await emulator.call(
            DIALECT, "unbind_meeting_chat", chat_id or None, request,
            lambda c: unbind_meeting_chat(emulator, c, calendar_id, event_id, chat_id),
        )  # fmt: skip

    return [
        Route("/open-apis/auth/v3/tenant_access_token/internal", tenant_access_token, methods=["POST"]),
        Route("/open-apis/im/v1/chats/{chat_id}", disband, methods=["DELETE"]),
        Route("/open-apis/im/v1/chats/{chat_id}/members", remove_members, methods=["DELETE"]),
        Route(
            "/open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/meeting_chat", unbind, methods=["DELETE"]
        ),
    ]


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def issue_token(emulator: Emulator, body: dict[str, Any] | None) -> Result:
    """Hand out a tenant_access_token, reusing the app's current one while over 30 minutes of it remain."""
    if body is None or not isinstance(body.get("app_id"), str) or not isinstance(body.get("app_secret"), str):
        return Result(10003)
    app = emulator.state.feishu_apps.get(body["app_id"])
    if app is None:
        return Result(10003)
    if not secrets.compare_digest(app.app_secret.encode(), body["app_secret"].encode()):
        return Result(10014, app=app.app_id)
    now = time.time()
    current = emulator.feishu_current_token.get(app.app_id)
    expires_at = emulator.feishu_tokens[current][1] if current in emulator.feishu_tokens else 0.0
    if current is None or expires_at - now < TOKEN_REUSE_MIN_REMAINING_S:
        current = "t-" + secrets.token_hex(20)
        expires_at = now + emulator.plan.token_ttl_s
        emulator.feishu_tokens[current] = (app.app_id, expires_at)
        emulator.feishu_current_token[app.app_id] = current
    return Result(0, {"tenant_access_token": current, "expire": int(expires_at - now)}, app=app.app_id)


def disband_chat(emulator: Emulator, caller: Caller, chat_id: str) -> Result:
    """Dissolve the chat when the caller's bot owns it, or created it and may act as owner."""
    app = emulator.state.feishu_apps.get(caller.app)
    if app is None:
        return Result(232004)
    if not app.bot_enabled:
        return Result(232025)
    chat = emulator.state.feishu_chats.get(chat_id)
    if chat is None:
        return Result(232006)
    if chat.dissolved:
        return Result(232009)
    if chat.tenant != app.tenant:
        return Result(232010)
    if chat.chat_mode != "group":
        return Result(232008)
    if chat.external:
        return Result(232033)
    if app.app_id not in chat.bots:
        return Result(232011)
    creator_may_act = chat.creator == app.app_id and app.has_scope(OPERATE_AS_OWNER_SCOPE)
    if chat.owner != app.app_id and not creator_may_act:
        return Result(232017)
    chat.dissolved = True
    return Result(0, {}, effect="disbanded")


def remove_chat_members(
    emulator: Emulator, caller: Caller, chat_id: str, id_type: str, body: dict[str, Any] | None
) -> Result:
    """Remove the listed users and bots; ids that are not in the chat come back in ``invalid_id_list``."""
    operation = "remove_chat_members"
    app = emulator.state.feishu_apps.get(caller.app)
    if app is None:
        return Result(232004)
    if not app.bot_enabled:
        return Result(232025)
    id_list = body.get("id_list") if body is not None else None
    if id_type not in MEMBER_ID_TYPES or not isinstance(id_list, list) or not all(isinstance(i, str) for i in id_list):
        return Result(232001)
    if not id_list:
        return Result(232027)
    chat = emulator.state.feishu_chats.get(chat_id)
    if chat is None:
        return Result(232006)
    if chat.dissolved:
        # This page does not list "already dissolved"; a dissolved chat id is then simply not a valid chat id.
        return Result(232009 if listed_for(VENDOR, 232009, operation) else 232006)
    if chat.tenant != app.tenant:
        return Result(232010)
    if chat.external:
        return Result(232033)
    if app.app_id not in chat.bots:
        return Result(232011 if listed_for(VENDOR, 232011, operation) else 232014)
    may_manage = chat.owner == app.app_id or app.app_id in chat.managers
    if not may_manage and not (chat.creator == app.app_id and app.has_scope(OPERATE_AS_OWNER_SCOPE)):
        return Result(232014)
    if chat.owner in id_list:
        return Result(232076)
    invalid = [member_id for member_id in id_list if not chat.has_participant(member_id)]
    removed = [member_id for member_id in dict.fromkeys(id_list) if chat.has_participant(member_id)]
    for member_id in removed:
        chat.members.discard(member_id)
        chat.bots.discard(member_id)
        chat.managers.discard(member_id)
    return Result(0, {"invalid_id_list": invalid}, effect=f"removed:{len(removed)}" if removed else None)


def unbind_meeting_chat(emulator: Emulator, caller: Caller, calendar_id: str, event_id: str, chat_id: str) -> Result:
    """Unbind the event's meeting chat when it is the one named and the caller owns it."""
    app = emulator.state.feishu_apps.get(caller.app)
    if app is None or not app.bot_enabled:
        return Result(190007)
    if not chat_id:
        return Result(190002)
    meeting = emulator.state.meeting_chats.get((calendar_id, event_id))
    if meeting is None:
        known_calendar = any(m.calendar_id == calendar_id for m in emulator.state.meeting_chats.values())
        return Result(193001 if known_calendar else 191000)
    if not meeting.bound or meeting.chat_id != chat_id:
        return Result(195108)
    if meeting.owner != app.app_id:
        return Result(195107)
    meeting.bound = False
    return Result(0, {}, effect="unbound")
