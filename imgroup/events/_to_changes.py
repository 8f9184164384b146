"""Each typed event, as the vendor-neutral changes the inventory applies (``imgroup.inventory.changes``).

Users are named by the ids the inventory keeps: Feishu's open_id, Tencent's account, Yunxin's accid. Events
that change nothing the inventory holds (a bot added to or removed from a chat: which chats exist and who is in
them is unchanged; store-app tickets; Yunxin's message copies, whose team notifications no page decodes)
answer no change; their handlers still run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypedDict

from feishu_im import models as feishu
from tencent_im import models as tencent

from imgroup.groups import Role
from imgroup.inventory.changes import (
    AnyChange,
    GroupCreated,
    GroupDisbanded,
    GroupRenamed,
    MembersJoined,
    MembersLeft,
    OwnerChanged,
)

from ._handlers import EventContext


class _Where(TypedDict):
    vendor: str
    app: str
    tenant: str
    group_id: str
    at: datetime | None


def to_changes(event: object, context: EventContext) -> list[AnyChange]:
    """The changes ``event`` (a generated event model) reports; empty for events that report none."""
    match event:
        case feishu.ChatDisbandedEvent() | feishu.ChatUpdatedEvent():
            return _feishu_chat(event, context)
        case feishu.ChatMemberUserAddedEvent():
            where = _feishu_where(event.header, event.event.chat_id, context)
            return [MembersJoined(**where, users=_open_ids(event.event.users))]
        case feishu.ChatMemberUserDeletedEvent() | feishu.ChatMemberUserWithdrawnEvent():
            where = _feishu_where(event.header, event.event.chat_id, context)
            return [MembersLeft(**where, users=_open_ids(event.event.users))]
        case (
            tencent.AfterCreateGroupEvent()
            | tencent.AfterNewMemberJoinEvent()
            | tencent.AfterMemberExitEvent()
            | tencent.AfterGroupDestroyedEvent()
            | tencent.AfterGroupInfoChangedEvent()
            | tencent.AfterChangeGroupOwnerEvent()
        ):
            return _tencent(event, context)
    return []


def _feishu_chat(event: feishu.ChatDisbandedEvent | feishu.ChatUpdatedEvent, context: EventContext) -> list[AnyChange]:
    where = _feishu_where(event.header, event.event.chat_id, context)
    if isinstance(event, feishu.ChatDisbandedEvent):
        return [GroupDisbanded(**where)]
    changes: list[AnyChange] = []
    after, before = event.event.after_change, event.event.before_change
    if isinstance(after, feishu.EventChatChange):
        owner = _open_id(after.owner_id)
        if owner:
            previous = _open_id(before.owner_id) if isinstance(before, feishu.EventChatChange) else None
            changes.append(OwnerChanged(**where, owner=owner, previous_owner=previous))
        if isinstance(after.name, str):
            changes.append(GroupRenamed(**where, name=after.name))
    return changes


def _tencent(
    event: tencent.AfterCreateGroupEvent
    | tencent.AfterNewMemberJoinEvent
    | tencent.AfterMemberExitEvent
    | tencent.AfterGroupDestroyedEvent
    | tencent.AfterGroupInfoChangedEvent
    | tencent.AfterChangeGroupOwnerEvent,
    context: EventContext,
) -> list[AnyChange]:
    at = _from_millis(event.event_time)
    where = _Where(vendor=context.vendor, app=context.app, tenant=context.tenant, group_id=event.group_id, at=at)
    match event:
        case tencent.AfterCreateGroupEvent():
            owner = event.owner_account if isinstance(event.owner_account, str) else None
            members = {account: Role.MEMBER for account in _accounts(event.member_list)}
            if owner:
                members[owner] = Role.OWNER
            name = event.name if isinstance(event.name, str) else None
            return [GroupCreated(**where, name=name, owner=owner, members=members)]
        case tencent.AfterNewMemberJoinEvent():
            return [MembersJoined(**where, users=_accounts(event.new_member_list))]
        case tencent.AfterMemberExitEvent():
            return [MembersLeft(**where, users=_accounts(event.exit_member_list))]
        case tencent.AfterGroupDestroyedEvent():
            return [GroupDisbanded(**where)]
        case tencent.AfterGroupInfoChangedEvent():
            return [GroupRenamed(**where, name=event.name)] if isinstance(event.name, str) else []
        case tencent.AfterChangeGroupOwnerEvent():
            previous = event.old_owner_account if isinstance(event.old_owner_account, str) else None
            return [OwnerChanged(**where, owner=event.new_owner_account, previous_owner=previous)]
    return []


def _feishu_where(header: feishu.EventHeader, chat_id: str, context: EventContext) -> _Where:
    return _Where(
        vendor=context.vendor,
        app=header.app_id,
        tenant=header.tenant_key if isinstance(header.tenant_key, str) else "",
        group_id=chat_id,
        at=_from_millis(header.create_time),
    )


def _open_id(user: object) -> str | None:
    if isinstance(user, feishu.EventUserId) and isinstance(user.open_id, str) and user.open_id:
        return user.open_id
    return None


def _open_ids(users: object) -> tuple[str, ...]:
    if not isinstance(users, list):
        return ()
    found = (_open_id(user.user_id) for user in users if isinstance(user, feishu.EventChatMemberUser))
    return tuple(user for user in found if user)


def _accounts(members: Iterable[tencent.CallbackMember] | object) -> tuple[str, ...]:
    if not isinstance(members, list):
        return ()
    return tuple(member.member_account for member in members if isinstance(member, tencent.CallbackMember))


def _from_millis(value: object) -> datetime | None:
    """A vendor's millisecond timestamp (text or number) as an aware datetime; None when absent or not a number."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None
