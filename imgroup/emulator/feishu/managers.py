"""Feishu chat managers: add_chat_managers and remove_chat_managers, which only the chat's owner may call.

An unknown chat answers 232001, as these pages have no 232006; taking managers away is refused in an
external chat (remove_chat_managers' page lists 232033), granting is not.
"""

from __future__ import annotations

from .._pipeline import Emulator, Operation, Result, VendorRequest
from .._state import FeishuChat
from .chats import CHAT, CHAT_ID, calling_bot, chat_of_member
from .members import MAX_IDS, MEMBER_ID_TYPES

# A group chat's manager cap (add_chat_managers' page).
MAX_MANAGERS = 10


def add_chat_managers(emulator: Emulator, request: VendorRequest) -> Result:
    """Make members managers; the answer lists the managers afterwards."""
    return _change_managers(emulator, request, "add_chat_managers", grant=True)


def remove_chat_managers(emulator: Emulator, request: VendorRequest) -> Result:
    """Make managers ordinary members again; the answer lists the managers afterwards."""
    return _change_managers(emulator, request, "remove_chat_managers", grant=False)


def _change_managers(emulator: Emulator, request: VendorRequest, operation: str, *, grant: bool) -> Result:
    """Grant or take away the manager role, as the chat's owner."""
    app = calling_bot(emulator, request)
    if isinstance(app, Result):
        return app
    ids = request.body.get("manager_ids") if request.body is not None else None
    if (
        request.query.get("member_id_type", "open_id") not in MEMBER_ID_TYPES
        or not isinstance(ids, list)
        or not all(isinstance(i, str) for i in ids)
        or len(ids) > MAX_IDS
    ):
        return Result(232001)
    # Taking managers away is refused in an external chat (its page lists 232033); granting is not.
    chat = chat_of_member(emulator, app, request.path["chat_id"], operation, refuse_external=not grant)
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


MANAGERS = CHAT + "/managers"
OPERATIONS = (
    Operation("POST", MANAGERS + "/add_managers", "add_chat_managers", add_chat_managers, CHAT_ID, json_body=True),
    Operation(
        "POST", MANAGERS + "/delete_managers", "remove_chat_managers", remove_chat_managers, CHAT_ID, json_body=True
    ),
)
