"""Feishu chats: get_chat, list_chats, search_chats, create_chat, update_chat (it moves ownership too), disband_chat.

Every rule that decides an answer sits here beside the state it reads. An operation whose page had no
error table we could read (specs/feishu.yaml names them) refuses with the chat chapter's codes, whose rows
the catalogue has from the other operations; one with a table answers only the codes it lists.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from .._catalogue import documents_errors, listed_for
from .._pipeline import Emulator, Operation, Result, VendorRequest, path_target
from .._state import FeishuApp, FeishuChat
from . import events, paging
from .dialect import VENDOR

OPERATE_AS_OWNER_SCOPE = "im:chat:operate_as_owner"
USER_ID_TYPES = frozenset({"open_id", "union_id", "user_id"})
SORT_TYPES = frozenset({"ByCreateTimeAsc", "ByActiveTimeDesc"})
PERMISSIONS = frozenset({"only_owner", "all_members"})
# What an ordinary member may change when the chat lets all members edit it (update_chat's page).
MEMBER_EDITABLE = frozenset({"avatar", "name", "description", "i18n_names"})
SETTING_VALUES: dict[str, frozenset[str]] = {
    "add_member_permission": PERMISSIONS,
    "share_card_permission": frozenset({"allowed", "not_allowed"}),
    "at_all_permission": PERMISSIONS,
    "edit_permission": PERMISSIONS,
    "join_message_visibility": frozenset({"only_owner", "all_members", "not_anyone"}),
    "leave_message_visibility": frozenset({"only_owner", "all_members", "not_anyone"}),
    "membership_approval": frozenset({"no_approval_required", "approval_required"}),
    "group_message_type": frozenset({"chat", "thread"}),
    "urgent_setting": PERMISSIONS,
    "video_conference_setting": PERMISSIONS,
    "hide_member_count_setting": frozenset({"all_members", "only_owner"}),
}
MAX_NEW_USERS = 50
MAX_NEW_BOTS = 5

_by_creation: dict[str, tuple[dict[str, FeishuChat], int, list[paging.SortKey]]] = {}


# --- who may do what ---------------------------------------------------------------------------------------


def calling_bot(emulator: Emulator, request: VendorRequest) -> FeishuApp | Result:
    """The caller's app, when it exists and has its bot enabled."""
    app = emulator.state.feishu_caller(request.app)
    if app is None:
        return Result(232004)
    if not app.bot_enabled:
        return Result(232025)
    return app


def code_for(operation: str, code: int, otherwise: int) -> int:
    """``code`` when the operation's page lists it (or its table is unknown), else the page's ``otherwise``."""
    listed = listed_for(VENDOR, code, operation) or not documents_errors(VENDOR, operation)
    return code if listed else otherwise


def live_chat(emulator: Emulator, app: FeishuApp, chat_id: str, operation: str) -> FeishuChat | Result:
    """The chat, when it exists, is alive and belongs to the app's tenant."""
    chat = emulator.state.feishu_chats.get(chat_id)
    invalid = code_for(operation, 232006, 232001)
    if chat is None:
        return Result(invalid)
    if chat.dissolved:
        # A page that does not list "already dissolved" treats a dissolved chat id as an invalid one.
        return Result(232009 if listed_for(VENDOR, 232009, operation) else invalid)
    if chat.tenant != app.tenant:
        return Result(232010)
    return chat


def chat_of_member(
    emulator: Emulator, app: FeishuApp, chat_id: str, operation: str, *, refuse_external: bool = False
) -> FeishuChat | Result:
    """The live chat of the app's tenant, when it has the app's bot in it."""
    chat = live_chat(emulator, app, chat_id, operation)
    if isinstance(chat, Result):
        return chat
    if refuse_external and chat.external:
        return Result(232033)
    if app.app_id not in chat.bots:
        return Result(232011)
    return chat


def may_manage(chat: FeishuChat, app: FeishuApp) -> bool:
    """Owner, manager, or the creating bot holding im:chat:operate_as_owner."""
    creator_may_act = chat.creator == app.app_id and app.has_scope(OPERATE_AS_OWNER_SCOPE)
    return chat.owner == app.app_id or app.app_id in chat.managers or creator_may_act


# --- answers -----------------------------------------------------------------------------------------------


def owner_fields(emulator: Emulator, chat: FeishuChat) -> dict[str, str]:
    # A bot owner has no user id: Feishu leaves owner_id and owner_id_type out then.
    if chat.owner in emulator.state.feishu_apps:
        return {}
    return {"owner_id": chat.owner, "owner_id_type": "open_id"}


def chat_summary(emulator: Emulator, chat: FeishuChat) -> dict[str, Any]:
    return {
        "chat_id": chat.chat_id,
        "avatar": "",
        "name": chat.name,
        "description": chat.description,
        **owner_fields(emulator, chat),
        "external": chat.external,
        "tenant_key": chat.tenant,
        "labels": [],
        "chat_status": "dissolved" if chat.dissolved else "normal",
        "chat_mode": chat.chat_mode,
    }


def chat_info(emulator: Emulator, chat: FeishuChat) -> dict[str, Any]:
    apps = emulator.state.feishu_apps
    return {
        "avatar": "",
        "name": chat.name,
        "description": chat.description,
        "add_member_permission": "all_members",
        "share_card_permission": "allowed",
        "at_all_permission": "all_members",
        "edit_permission": "all_members",
        **chat.settings,
        **owner_fields(emulator, chat),
        "user_manager_id_list": sorted(m for m in chat.managers if m not in apps),
        "bot_manager_id_list": sorted(m for m in chat.managers if m in apps),
        "chat_mode": chat.chat_mode,
        "chat_type": chat.chat_type,
        "chat_tag": "inner",
        "external": chat.external,
        "tenant_key": chat.tenant,
        "user_count": str(len(chat.members)),
        "bot_count": str(len(chat.bots)),
        "labels": [],
        "chat_status": "normal",
    }


# --- operations --------------------------------------------------------------------------------------------


def get_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """The chat's information; a bot outside the chat gets only its name, avatar, counts and status."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    chat = live_chat(emulator, app, request.path["chat_id"], "get_chat")
    if isinstance(chat, Result):
        return chat
    if chat.external:
        return Result(232033)
    info = chat_info(emulator, chat)
    if app.app_id not in chat.bots:
        info = {key: info[key] for key in ("avatar", "name", "user_count", "bot_count", "chat_status")}
    return Result(0, info)


def _sort_keys(emulator: Emulator, sort_type: str) -> list[paging.SortKey]:
    chats = emulator.state.feishu_chats
    if sort_type == "ByActiveTimeDesc":
        return sorted((-chat.active_at, chat_id) for chat_id, chat in chats.items())
    # Creation times never change, so the ascending order is kept until a chat is added or the state replaced.
    cached = _by_creation.get("keys")
    if cached is None or cached[0] is not chats or cached[1] != len(chats):
        cached = (chats, len(chats), sorted((chat.created_at, chat_id) for chat_id, chat in chats.items()))
        _by_creation["keys"] = cached
    return cached[2]


def _chat_page(
    emulator: Emulator, query: Mapping[str, str], sort_type: str, shows: Callable[[FeishuChat], bool]
) -> tuple[list[paging.SortKey], bool] | Result:
    size = paging.page_size(query.get("page_size"))
    if isinstance(size, Result):
        return size
    after = paging.decode_token(query.get("page_token"))
    if isinstance(after, Result):
        return after
    chats = emulator.state.feishu_chats
    return paging.page_after(_sort_keys(emulator, sort_type), after, size, lambda key: shows(chats[key[1]]))


def _bot_sees(app: FeishuApp, chat: FeishuChat) -> bool:
    """The bot is in the chat, and, for a store app, the chat is of the tenant its token is for: a store app's
    bot is in chats of many tenants, and a tenant's token reaches only that tenant's (as ``get_chat`` checks)."""
    return app.app_id in chat.bots and (app.app_type != "store" or chat.tenant == app.tenant)


def list_chats(emulator: Emulator, request: VendorRequest) -> Result:
    """One page of the live chats the calling bot is in, in creation order (or by last change)."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    query = request.query
    sort_type = query.get("sort_type", "ByCreateTimeAsc")
    if sort_type not in SORT_TYPES or query.get("user_id_type", "open_id") not in USER_ID_TYPES:
        return Result(232001)
    page = _chat_page(emulator, query, sort_type, lambda chat: not chat.dissolved and _bot_sees(app, chat))
    if isinstance(page, Result):
        return page
    keys, has_more = page
    chats = emulator.state.feishu_chats
    items = [chat_summary(emulator, chats[key[1]]) for key in keys]
    return Result(0, paging.page_answer(items, keys[-1] if keys else None, has_more))


def search_chats(emulator: Emulator, request: VendorRequest) -> Result:
    """One page of the chats the bot is in or that are public in its tenant, whose name or description match."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    query = request.query
    if query.get("user_id_type", "open_id") not in USER_ID_TYPES:
        return Result(232001)
    words = query.get("query", "").casefold()

    def shows(chat: FeishuChat) -> bool:
        visible = _bot_sees(app, chat) or (chat.chat_type == "public" and chat.tenant == app.tenant)
        matches = words in chat.name.casefold() or words in chat.description.casefold()
        return not chat.dissolved and visible and matches

    page = _chat_page(emulator, query, "ByCreateTimeAsc", shows)
    if isinstance(page, Result):
        return page
    keys, has_more = page
    chats = emulator.state.feishu_chats
    items = [chat_summary(emulator, chats[key[1]]) for key in keys]
    return Result(0, paging.page_answer(items, keys[-1] if keys else None, has_more))


def create_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """A new group chat owned by ``owner_id`` (or the calling bot), with the bot, the users and bots named."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    query, body = request.query, request.body if request.body is not None else {}
    users, bots = body.get("user_id_list", []), body.get("bot_id_list", [])
    name, chat_type = body.get("name", ""), body.get("chat_type", "private")
    well_formed = (
        query.get("user_id_type", "open_id") in USER_ID_TYPES
        and isinstance(users, list) and all(isinstance(u, str) and u for u in users) and len(users) <= MAX_NEW_USERS
        and isinstance(bots, list) and all(isinstance(b, str) for b in bots) and len(bots) <= MAX_NEW_BOTS
        and isinstance(name, str) and chat_type in ("private", "public")
        and body.get("chat_mode", "group") == "group"
        and isinstance(body.get("owner_id", ""), str)
    )  # fmt: skip
    if not well_formed:
        return Result(232001)
    if chat_type == "public" and not name:
        return Result(232042)
    if chat_type == "public" and len(name) < 2:
        return Result(232020)
    apps = emulator.state.feishu_apps
    if any(bot not in apps for bot in bots):
        return Result(232021)
    if any(apps[bot].tenant != app.tenant for bot in bots):
        return Result(232033)
    # One chat per uuid and owner_id (if any) within 10 hours; the emulator keeps them for its lifetime.
    uuid = query.get("uuid", "") and f"{query['uuid']}/{body.get('owner_id', '')}"
    earlier = emulator.state.chat_uuids.get((app.app_id, uuid)) if uuid else None
    if earlier is not None:
        # The same uuid succeeds once: a repeated request answers the chat the first one made.
        return Result(0, _created(emulator, emulator.state.feishu_chats[earlier]))
    owner = body.get("owner_id") or app.app_id
    now = int(time.time())
    chat = FeishuChat(
        chat_id="oc_" + secrets.token_hex(16),
        owner=owner,
        creator=app.app_id,
        tenant=app.tenant,
        members={*users, *([owner] if owner not in apps else [])},
        bots={app.app_id, *bots},
        # set_bot_manager applies when a user is made the owner.
        managers={app.app_id} if query.get("set_bot_manager") == "true" and owner not in apps else set(),
        name=name or ("(无主题)" if chat_type == "private" else ""),
        description=str(body.get("description", "")),
        chat_type=chat_type,
        created_at=now,
        active_at=now,
        settings={key: body[key] for key in SETTING_VALUES if key in body},
    )
    emulator.state.feishu_chats[chat.chat_id] = chat
    if uuid:
        emulator.state.chat_uuids[(app.app_id, uuid)] = chat.chat_id
    return Result(0, _created(emulator, chat), effect="created")


def _created(emulator: Emulator, chat: FeishuChat) -> dict[str, Any]:
    info = chat_info(emulator, chat)
    for count in ("user_manager_id_list", "bot_manager_id_list", "user_count", "bot_count", "chat_status"):
        info.pop(count)
    return {"chat_id": chat.chat_id, **info}


def update_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """Change the fields given; ``owner_id`` hands the chat to another member, after which the bot is one too."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    body = request.body
    if body is None or any(key in SETTING_VALUES and value not in SETTING_VALUES[key] for key, value in body.items()):
        return Result(232001)
    chat = chat_of_member(emulator, app, request.path["chat_id"], "update_chat", refuse_external=True)
    if isinstance(chat, Result):
        return chat
    if chat.chat_mode != "group":
        return Result(232008)
    if not may_manage(chat, app):
        if chat.settings.get("edit_permission") == "only_owner":
            return Result(232002)
        if set(body) - MEMBER_EDITABLE:
            return Result(232016)
    new_owner = body.get("owner_id")
    if new_owner is not None:
        if not isinstance(new_owner, str) or not new_owner:
            return Result(232035)
        if new_owner not in chat.members:
            return Result(232012)
    name = body.get("name", chat.name)
    if chat.chat_type == "public" and isinstance(name, str) and len(name) < 2:
        return Result(232001)
    before = events.chat_fields(chat)
    if "name" in body:
        chat.name = str(body["name"])
    if "description" in body:
        chat.description = str(body["description"])
    if "chat_type" in body and body["chat_type"] in ("private", "public"):
        chat.chat_type = body["chat_type"]
    chat.settings.update({key: body[key] for key in SETTING_VALUES if key in body})
    chat.active_at = int(time.time())
    effect = "updated"
    if new_owner is not None and new_owner != chat.owner:
        # The old owner stays in the chat as an ordinary member.
        chat.managers.discard(new_owner)
        chat.owner = new_owner
        effect = "owner_changed"
    notices = events.chat_updated(emulator.state, chat, before, events.chat_fields(chat))
    return Result(0, {}, effect=effect, notices=notices)


def disband_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """Dissolve the chat when the caller's bot owns it, or created it and may act as owner."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    chat = emulator.state.feishu_chats.get(request.path["chat_id"])
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
    return Result(0, {}, effect="disbanded", notices=events.chat_disbanded(emulator.state, chat))


CHATS, CHAT = "/open-apis/im/v1/chats", "/open-apis/im/v1/chats/{chat_id}"
CHAT_ID = path_target("chat_id")  # the audit target of every operation on one chat
# /chats/search precedes /chats/{chat_id}, so "search" is never read as a chat id.
OPERATIONS = (
    Operation("GET", CHATS + "/search", "search_chats", search_chats),
    Operation("GET", CHATS, "list_chats", list_chats),
    Operation("POST", CHATS, "create_chat", create_chat, json_body=True),
    Operation("GET", CHAT, "get_chat", get_chat, CHAT_ID),
    Operation("PUT", CHAT, "update_chat", update_chat, CHAT_ID, json_body=True),
    Operation("DELETE", CHAT, "disband_chat", disband_chat, CHAT_ID),
)
