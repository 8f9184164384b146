"""Feishu chats: the app sees, and acts on, only the chats its bot is in.

Peculiarities kept here: a user's chats are found by reading the members of every chat the bot is in (no
call lists another user's chats); ownership moves with update_chat's ``owner_id``; managers are listed on the
chat itself, and leave with their membership; an unknown or dissolved chat's id is "invalid"; counts come as
strings; chats carry no creation time. Users are open_ids throughout. The app can change only the chats its
bot owns, manages, or created (with the im:chat:operate_as_owner scope); others fail as permission denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._adapter import Adapter, present, result_of, whole_number
from ._flow import Call, Collect, Flow
from ._records import ActionResult, Group, Membership, Role, Survey
from ._refs import GroupRef, UserRef

OPEN_ID = {"member_id_type": "open_id"}
UNKNOWN_CHAT = 232006


class FeishuAdapter(Adapter):
    vendor = "feishu"
    package = "feishu_im"
    cannot_see = (
        "only the chats the app's bot is in (a user's other chats are not listed); chats carry no creation time"
    )
    # Only a chat's owner may remove its managers (232038), which an app's bot seldom is; removing the member
    # ends the role with the membership.
    removes_managers_separately = False

    def app_of(self, credentials: Any) -> str | None:
        return str(credentials["app_id"]) if credentials.get("app_id") else None

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        try:
            chat = yield Call("get_chat", (ref.id,), {"user_id_type": "open_id"})
        except self.errors.ApiError as error:
            # Feishu calls a chat id it does not know, or a dissolved chat's, invalid (232006).
            if isinstance(error, self.errors.NotFoundError) or error.code == UNKNOWN_CHAT:
                return None
            raise
        return _group(ref, chat)

    # A chat the app may not read (an external chat, say) is noted as unreadable; it does not stop a survey.

    def survey_groups(self) -> Flow[Survey[Group]]:
        listed = yield Collect("iter_chats", {"user_id_type": "open_id"})
        survey: Survey[Group] = Survey([])
        for summary in listed:
            ref = GroupRef("feishu", summary.chat_id)
            try:
                group = yield from self.get(ref)
            except self.errors.ApiError as error:
                survey.unreadable[str(ref)] = f"[{error.code}] {error.message}"
                continue
            if group is not None:
                survey.found.append(group)
        return survey

    def survey_memberships(self, users: Sequence[UserRef]) -> Flow[Survey[Membership]]:
        # No call lists another user's chats: read the members of every chat the bot is in, once for all users.
        listed = yield Collect("iter_chats", {"user_id_type": "open_id"})
        survey: Survey[Membership] = Survey([])
        for summary in listed:
            ref = GroupRef("feishu", summary.chat_id)
            try:
                member_ids = yield from self._member_ids(ref.id)
                in_chat = [user for user in users if user.id in member_ids]
                group = (yield from self.get(ref)) if in_chat else None
            except self.errors.ApiError as error:
                survey.unreadable[str(ref)] = f"[{error.code}] {error.message}"
                continue
            if group is not None:
                survey.found.extend(Membership(group, user, _role(group, user) or Role.MEMBER) for user in in_chat)
        return survey

    def _member_ids(self, chat_id: str) -> Flow[set[str]]:
        members = yield Collect("iter_chat_members", {"chat_id": chat_id, **OPEN_ID})
        return {member.member_id for member in members}

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
    return Group(
        ref, present(chat.name) or None, present(chat.owner_id) or None, whole_number(chat.user_count), record=chat
    )
