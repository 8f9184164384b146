"""Feishu chats: the app sees, and acts on, only the chats its bot is in.

Peculiarities kept here: a user's chats are found by reading the members of every chat the bot is in (no
call lists another user's chats); ownership moves with update_chat's ``owner_id``; managers are listed on the
chat itself; counts come as strings; chats carry no creation time. Users are open_ids throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._adapter import Adapter, present, result_of, whole_number
from ._flow import Call, Collect, Flow
from ._records import ActionResult, Group, Membership, Role
from ._refs import GroupRef, UserRef

OPEN_ID = {"member_id_type": "open_id"}


class FeishuAdapter(Adapter):
    vendor = "feishu"
    package = "feishu_im"
    cannot_see = (
        "only the chats the app's bot is in (a user's other chats are not listed); chats carry no creation time"
    )

    def app_of(self, credentials: Any) -> str | None:
        return str(credentials["app_id"]) if credentials.get("app_id") else None

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        try:
            chat = yield Call("get_chat", (ref.id,), {"user_id_type": "open_id"})
        except self.errors.NotFoundError:  # AlreadyGoneError (dissolved) is one
            return None
        return _group(ref, chat)

    def list_groups(self) -> Flow[list[Group]]:
        listed = yield Collect("iter_chats", {"user_id_type": "open_id"})
        groups = []
        for summary in listed:
            group = yield from self.get(GroupRef("feishu", summary.chat_id))
            if group is not None:
                groups.append(group)
        return groups

    def _member_ids(self, chat_id: str) -> Flow[set[str]]:
        members = yield Collect("iter_chat_members", {"chat_id": chat_id, **OPEN_ID})
        return {member.member_id for member in members}

    def memberships(self, user: UserRef) -> Flow[list[Membership]]:
        return (yield from self.memberships_of([user]))

    def memberships_of(self, users: Sequence[UserRef]) -> Flow[list[Membership]]:
        # No call lists another user's chats: read the members of every chat the bot is in, once for all users.
        listed = yield Collect("iter_chats", {"user_id_type": "open_id"})
        memberships = []
        for summary in listed:
            member_ids = yield from self._member_ids(summary.chat_id)
            present_users = [user for user in users if user.id in member_ids]
            if not present_users:
                continue
            group = yield from self.get(GroupRef("feishu", summary.chat_id))
            if group is not None:
                for user in present_users:
                    memberships.append(Membership(group, user, _role(group, user) or Role.MEMBER))
        return memberships

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        role = _role(group, user)
        if role is not None:
            return role
        return Role.MEMBER if user.id in (yield from self._member_ids(group.id)) else None

    def disband(self, group: Group) -> Flow[ActionResult]:
        return result_of((yield Call("disband_chat", (group.id,))), "disbanded")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if (yield from self.role_of(group, successor)) is None:
            yield Call("add_chat_members", (group.id,), {"id_list": [successor.id], **OPEN_ID})
        answer = yield Call("update_chat", (group.id,), {"owner_id": successor.id, "user_id_type": "open_id"})
        return result_of(answer, f"owned by {successor}")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield Call("remove_chat_members", (group.id,), {"id_list": [user.id], **OPEN_ID})
        if user.id in (present(getattr(answer, "invalid_id_list", None)) or []):
            return ActionResult.already_done(f"{user} is not in the chat")
        return result_of(answer, "not in the chat")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield Call("remove_chat_managers", (group.id,), {"manager_ids": [user.id], **OPEN_ID})
        return result_of(answer, "not a manager")


def _role(group: Group, user: UserRef) -> Role | None:
    """The role the chat's own record shows: owner or manager; None when it takes a member list to say."""
    if group.owner == user.id:
        return Role.OWNER
    if user.id in (present(getattr(group.record, "user_manager_id_list", None)) or []):
        return Role.MANAGER
    return None


def _group(ref: GroupRef, chat: Any) -> Group:
    return Group(ref, present(chat.name), present(chat.owner_id), whole_number(chat.user_count), record=chat)
