"""Feishu chat members and managers: list_chat_members, add_chat_members, is_in_chat, add/remove_chat_managers.

Users are named by open_id (``ou_``) and bots by app id, as the rest of the emulator names them. Each
operation refuses with the codes its own page lists: an external chat answers 232033 where the page lists
that code (list_chat_members, is_in_chat, remove_chat_managers; not add_chat_managers), and an unknown chat
232001 where the page has no 232006 (the managers' pages).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _feishu_paging as paging
from ._feishu import DIALECT, MEMBER_ID_TYPES, _json_object
from ._feishu_chats import calling_bot, chat_of_member, live_chat, may_manage
from ._pipeline import Caller, Emulator, Result
from ._state import FeishuChat

LISTED_ID_TYPES = frozenset({"open_id", "union_id", "user_id"})
USER_ID_PREFIX = "ou_"
MAX_IDS = 50
MAX_BOTS_ADDED = 5
# A group chat's default member cap and manager cap (add_chat_members' and add_chat_managers' pages).
MAX_MEMBERS = 5000
MAX_MANAGERS = 10
MEMBER_CHAT_MODES = frozenset({"group", "topic"})
# succeed_type 0 refuses ids that name nobody, with the code of their kind.
NOT_EXISTED = {"open_id": 99992351, "user_id": 99992360, "union_id": 99992364}


def routes(emulator: Emulator) -> list[Route]:
    """The member and manager paths, bound to ``emulator``."""

    async def list_members(request: Request) -> Response:
        chat_id, query = request.path_params["chat_id"], dict(request.query_params)
        return await emulator.call(
            DIALECT, "list_chat_members", chat_id, request, lambda c: list_chat_members(emulator, c, chat_id, query)
        )

    async def add_members(request: Request) -> Response:
        chat_id, query = request.path_params["chat_id"], dict(request.query_params)
        body = _json_object(await request.body())
        return await emulator.call(
            DIALECT, "add_chat_members", chat_id, request,
            lambda c: add_chat_members(emulator, c, chat_id, query, body),
        )  # fmt: skip

    async def is_in(request: Request) -> Response:
        chat_id = request.path_params["chat_id"]
        return await emulator.call(DIALECT, "is_in_chat", chat_id, request, lambda c: is_in_chat(emulator, c, chat_id))

    def managers_route(operation: str, grant: bool) -> Any:
        async def change(request: Request) -> Response:
            chat_id, query = request.path_params["chat_id"], dict(request.query_params)
            body = _json_object(await request.body())
            return await emulator.call(
                DIALECT, operation, chat_id, request,
                lambda c: change_managers(emulator, c, operation, chat_id, query, body, grant=grant),
            )  # fmt: skip

        return change

    return [
        Route("/open-apis/im/v1/chats/{chat_id}/members", list_members, methods=["GET"]),
        Route("/open-apis/im/v1/chats/{chat_id}/members", add_members, methods=["POST"]),
        Route("/open-apis/im/v1/chats/{chat_id}/members/is_in_chat", is_in, methods=["GET"]),
        Route(
            "/open-apis/im/v1/chats/{chat_id}/managers/add_managers",
            managers_route("add_chat_managers", grant=True),
            methods=["POST"],
        ),
        Route(
            "/open-apis/im/v1/chats/{chat_id}/managers/delete_managers",
            managers_route("remove_chat_managers", grant=False),
            methods=["POST"],
        ),
    ]


def list_chat_members(emulator: Emulator, caller: Caller, chat_id: str, query: dict[str, str]) -> Result:
    """One page of the chat's users in id order (bots are not listed), with member_total."""
    app = calling_bot(emulator, caller)
    if isinstance(app, Result):
        return app
    id_type = query.get("member_id_type", "open_id")
    size = paging.page_size(query.get("page_size"))
    after = paging.decode_token(query.get("page_token"))
    if id_type not in LISTED_ID_TYPES or isinstance(size, Result) or isinstance(after, Result):
        return Result(232001)
    chat = chat_of_member(emulator, app, chat_id, "list_chat_members", refuse_external=True)
    if isinstance(chat, Result):
        return chat
    keys = sorted((member,) for member in chat.members)
    taken, has_more = paging.page_after(keys, after, size, lambda key: True)
    items = [
        {"member_id_type": id_type, "member_id": member, "name": member, "tenant_key": chat.tenant}
        for (member,) in taken
    ]
    answer = paging.page_answer(items, taken[-1] if taken else None, has_more)
    return Result(0, {**answer, "member_total": len(chat.members)})


def add_chat_members(
    emulator: Emulator, caller: Caller, chat_id: str, query: dict[str, str], body: dict[str, Any] | None
) -> Result:
    """Add users (``ou_`` ids) and bots (app ids); what happens to ids that name nobody is ``succeed_type``'s."""
    app = calling_bot(emulator, caller)
    if isinstance(app, Result):
        return app
    id_type = query.get("member_id_type", "open_id")
    succeed_type = query.get("succeed_type", "0")
    id_list = body.get("id_list") if body is not None else None
    if (
        id_type not in MEMBER_ID_TYPES
        or succeed_type not in ("0", "1", "2")
        or not isinstance(id_list, list)
        or not all(isinstance(i, str) for i in id_list)
    ):
        return Result(232001)
    if not id_list:
        return Result(232027)
    chat = chat_of_member(emulator, app, chat_id, "add_chat_members", refuse_external=True)
    if isinstance(chat, Result):
        return chat
    if chat.chat_mode not in MEMBER_CHAT_MODES:
        return Result(232090)
    if chat.settings.get("add_member_permission") == "only_owner" and not may_manage(chat, app):
        return Result(232017)
    apps = emulator.state.feishu_apps
    if id_type == "app_id":
        bots, users = [i for i in dict.fromkeys(id_list) if i in apps], []
    else:
        bots, users = [], [i for i in dict.fromkeys(id_list) if i.startswith(USER_ID_PREFIX)]
    if len(users) > MAX_IDS or len(bots) > MAX_BOTS_ADDED:
        return Result(232001)
    unknown = [i for i in id_list if i not in bots and i not in users]
    if unknown and succeed_type == "0" and id_type in NOT_EXISTED:
        return Result(NOT_EXISTED[id_type])
    if unknown and succeed_type == "2":
        return Result(232043)
    if not users and not bots:
        return Result(232027)
    joining = [user for user in users if user not in chat.members]
    if len(chat.members) + len(joining) > MAX_MEMBERS:
        return Result(232013)
    added = joining + [bot for bot in bots if bot not in chat.bots]
    chat.members.update(users)
    chat.bots.update(bots)
    if added:
        chat.active_at = int(time.time())
    data = {"invalid_id_list": [], "not_existed_id_list": unknown, "pending_approval_id_list": []}
    return Result(0, data, effect=f"added:{len(added)}" if added else None)


def is_in_chat(emulator: Emulator, caller: Caller, chat_id: str) -> Result:
    """Whether the calling bot is in the (live) chat."""
    app = calling_bot(emulator, caller)
    if isinstance(app, Result):
        return app
    chat = live_chat(emulator, app, chat_id, "is_in_chat")
    if isinstance(chat, Result):
        return chat
    if chat.external:
        return Result(232033)
    return Result(0, {"is_in_chat": app.app_id in chat.bots})


def change_managers(
    emulator: Emulator,
    caller: Caller,
    operation: str,
    chat_id: str,
    query: dict[str, str],
    body: dict[str, Any] | None,
    *,
    grant: bool,
) -> Result:
    """Grant or take away the manager role, as the chat's owner; the answer lists the managers afterwards."""
    app = calling_bot(emulator, caller)
    if isinstance(app, Result):
        return app
    ids = body.get("manager_ids") if body is not None else None
    if (
        query.get("member_id_type", "open_id") not in MEMBER_ID_TYPES
        or not isinstance(ids, list)
        or not all(isinstance(i, str) for i in ids)
        or len(ids) > MAX_IDS
    ):
        return Result(232001)
    # Taking managers away is refused in an external chat (its page lists 232033); granting is not.
    chat = chat_of_member(emulator, app, chat_id, operation, refuse_external=not grant)
    if isinstance(chat, Result):
        return chat
    if chat.owner != app.app_id:
        return Result(232038)
    chosen = [i for i in dict.fromkeys(ids) if chat.has_participant(i) and i != chat.owner]
    if not chosen:
        return Result(232027)
    if grant:
        if len(chat.managers | set(chosen)) > MAX_MANAGERS:
            return Result(232040)
        chat.managers.update(chosen)
    else:
        chat.managers.difference_update(chosen)
    return Result(0, _managers(emulator, chat), effect=f"{'granted' if grant else 'revoked'}:{len(chosen)}")


def _managers(emulator: Emulator, chat: FeishuChat) -> dict[str, list[str]]:
    apps = emulator.state.feishu_apps
    return {
        "chat_managers": sorted(m for m in chat.managers if m not in apps),
        "chat_bot_managers": sorted(m for m in chat.managers if m in apps),
    }
