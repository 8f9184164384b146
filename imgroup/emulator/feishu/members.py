"""Feishu chat members: list_chat_members, add_chat_members, remove_chat_members, is_in_chat.

Users are named by open_id (``ou_``) and bots by app id, as the rest of the emulator names them. Each
operation refuses with the codes its own page lists; an external chat answers 232033 to every one of them.
"""

from __future__ import annotations

import time

from .._catalogue import listed_for
from .._pipeline import Emulator, Operation, Result, VendorRequest
from . import events, paging
from .chats import CHAT, CHAT_ID, calling_bot, chat_of_member, live_chat, may_manage
from .dialect import VENDOR

MEMBER_ID_TYPES = frozenset({"open_id", "user_id", "union_id", "app_id"})
LISTED_ID_TYPES = frozenset({"open_id", "union_id", "user_id"})
USER_ID_PREFIX = "ou_"
MAX_IDS = 50
MAX_BOTS_ADDED = 5
# A group chat's default member cap (add_chat_members' page).
MAX_MEMBERS = 5000
MEMBER_CHAT_MODES = frozenset({"group", "topic"})
# succeed_type 0 refuses ids that name nobody, with the code of their kind.
NOT_EXISTED = {"open_id": 99992351, "user_id": 99992360, "union_id": 99992364}


def list_chat_members(emulator: Emulator, request: VendorRequest) -> Result:
    """One page of the chat's users in id order (bots are not listed), with member_total."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    query = request.query
    id_type = query.get("member_id_type", "open_id")
    size = paging.page_size(query.get("page_size"))
    after = paging.decode_token(query.get("page_token"))
    if id_type not in LISTED_ID_TYPES or isinstance(size, Result) or isinstance(after, Result):
        return Result(232001)
    chat = chat_of_member(emulator, app, request.path["chat_id"], "list_chat_members", refuse_external=True)
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


def add_chat_members(emulator: Emulator, request: VendorRequest) -> Result:
    """Add users (``ou_`` ids) and bots (app ids); what happens to ids that name nobody is ``succeed_type``'s."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    query, body = request.query, request.body
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
    chat = chat_of_member(emulator, app, request.path["chat_id"], "add_chat_members", refuse_external=True)
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
    # Bots added by a bot trigger no event (im.chat.member.bot.added_v1's page); users added do.
    notices = events.users_added(emulator.state, chat, joining)
    return Result(0, data, effect=f"added:{len(added)}" if added else None, notices=notices)


def is_in_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """Whether the calling bot is in the (live) chat."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    chat = live_chat(emulator, app, request.path["chat_id"], "is_in_chat")
    if isinstance(chat, Result):
        return chat
    if chat.external:
        return Result(232033)
    return Result(0, {"is_in_chat": app.app_id in chat.bots})


def remove_chat_members(emulator: Emulator, request: VendorRequest) -> Result:
    """Remove the listed users and bots; ids that are not in the chat come back in ``invalid_id_list``."""
    operation = "remove_chat_members"
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    id_type = request.query.get("member_id_type", "open_id")
    id_list = request.body.get("id_list") if request.body is not None else None
    if id_type not in MEMBER_ID_TYPES or not isinstance(id_list, list) or not all(isinstance(i, str) for i in id_list):
        return Result(232001)
    if not id_list:
        return Result(232027)
    chat = emulator.state.feishu_chats.get(request.path["chat_id"])
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
    if not may_manage(chat, app):
        return Result(232014)
    if chat.owner in id_list:
        return Result(232076)
    invalid = [member_id for member_id in id_list if not chat.has_participant(member_id)]
    removed = [member_id for member_id in dict.fromkeys(id_list) if chat.has_participant(member_id)]
    bots = [member_id for member_id in removed if member_id in chat.bots]
    for member_id in removed:
        chat.members.discard(member_id)
        chat.bots.discard(member_id)
        chat.managers.discard(member_id)
    users = [member_id for member_id in removed if member_id not in bots]
    state = emulator.state
    notices = events.users_deleted(state, chat, users) + events.bots_deleted(state, chat, bots)
    effect = f"removed:{len(removed)}" if removed else None
    return Result(0, {"invalid_id_list": invalid}, effect=effect, notices=notices)


MEMBERS = CHAT + "/members"
OPERATIONS = (
    Operation("GET", MEMBERS, "list_chat_members", list_chat_members, CHAT_ID),
    Operation("POST", MEMBERS, "add_chat_members", add_chat_members, CHAT_ID, json_body=True),
    Operation("DELETE", MEMBERS, "remove_chat_members", remove_chat_members, CHAT_ID, json_body=True),
    Operation("GET", MEMBERS + "/is_in_chat", "is_in_chat", is_in_chat, CHAT_ID),
)
