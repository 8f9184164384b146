"""Feishu meeting chats: create_meeting_chat and unbind_meeting_chat, a chat bound to a calendar event."""

from __future__ import annotations

import secrets
import time

from .._pipeline import Emulator, Operation, Result, VendorRequest, query_target
from .._state import FeishuChat, MeetingChat

# The page: an event needs at least two attendees to get a meeting chat.
MIN_ATTENDEES = 2


def create_meeting_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """A chat of the event's attendees, owned by the calling bot and bound to the event.

    An event whose meeting chat is still bound answers that chat again: the emulator's choice, as no page we
    hold says what Feishu answers then.
    """
    calendar_id, event_id = request.path["calendar_id"], request.path["event_id"]
    state = emulator.state
    app = state.feishu_caller(request.app)
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


def unbind_meeting_chat(emulator: Emulator, request: VendorRequest) -> Result:
    """Unbind the event's meeting chat when it is the one named and the caller owns it."""
    calendar_id, event_id = request.path["calendar_id"], request.path["event_id"]
    chat_id = request.query.get("meeting_chat_id", "")
    app = emulator.state.feishu_caller(request.app)
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


def event_target(request: VendorRequest) -> str:
    """A meeting chat being created is known by its event: ``calendar_id/event_id``."""
    return f"{request.path['calendar_id']}/{request.path['event_id']}"


MEETING_CHAT = "/open-apis/calendar/v4/calendars/{calendar_id}/events/{event_id}/meeting_chat"
OPERATIONS = (
    Operation("POST", MEETING_CHAT, "create_meeting_chat", create_meeting_chat, event_target),
    Operation("DELETE", MEETING_CHAT, "unbind_meeting_chat", unbind_meeting_chat, query_target("meeting_chat_id")),
)
