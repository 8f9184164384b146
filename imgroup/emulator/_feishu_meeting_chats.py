"""Feishu meeting chats: create_meeting_chat (unbind_meeting_chat is in _feishu.py)."""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._feishu import DIALECT
from ._pipeline import Caller, Emulator, Result
from ._state import FeishuChat, MeetingChat

# The page: an event needs at least two attendees to get a meeting chat.
MIN_ATTENDEES = 2


def routes(emulator: Emulator) -> list[Route]:
    """The meeting chat path for POST, bound to ``emulator``."""

    async def create(request: Request) -> Response:
        calendar_id, event_id = request.path_params["calendar_id"], request.path_params["event_id"]
        return await emulator.call(
            DIALECT, "create_meeting_chat", f"{calendar_id}/{event_id}", request,
            lambda c: create_meeting_chat(emulator, c, calendar_id, event_id),
        )  # fmt: skip

    return [
        Route("/open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/meeting_chat", create, methods=["POST"])
    ]


def create_meeting_chat(emulator: Emulator, caller: Caller, calendar_id: str, event_id: str) -> Result:
    """A chat of the event's attendees, owned by the calling bot and bound to the event.

    An event whose meeting chat is still bound answers that chat again: the emulator's choice, as no page we
    hold says what Feishu answers then.
    """
    state = emulator.state
    app = state.feishu_apps.get(caller.app)
    if app is None or not app.bot_enabled:
        return Result(190007)
    event = state.calendar_events.get((calendar_id, event_id))
    if event is None:
        known_calendar = any(key[0] == calendar_id for key in (*state.calendar_events, *state.meeting_chats))
        return Result(193001 if known_calendar else 191000)
    if len(event.attendees) < MIN_ATTENDEES:
        return Result(195109)
    bound = state.meeting_chats.get((calendar_id, event_id))
    if bound is not None and bound.bound:
        return Result(0, _answer(bound.chat_id))
    now = int(time.time())
    chat = FeishuChat(
        chat_id="oc_" + secrets.token_hex(16),
        owner=app.app_id,
        creator=app.app_id,
        tenant=app.tenant,
        members=set(event.attendees),
        bots={app.app_id},
        created_at=now,
        active_at=now,
    )
    state.feishu_chats[chat.chat_id] = chat
    state.meeting_chats[(calendar_id, event_id)] = MeetingChat(
        calendar_id=calendar_id, event_id=event_id, chat_id=chat.chat_id, owner=app.app_id
    )
    return Result(0, _answer(chat.chat_id), effect="created")


def _answer(chat_id: str) -> dict[str, str]:
    return {"meeting_chat_id": chat_id, "applink": f"https://applink.feishu.cn/client/chat/open?openChatId={chat_id}"}
