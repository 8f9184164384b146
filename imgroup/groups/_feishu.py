"""Feishu chats: the app sees, and acts on, only the chats its bot is in.

Peculiarities kept here: a user's chats are found by reading the members of every chat the bot is in (no
call lists another user's chats); ownership moves with update_chat's ``owner_id``; managers are listed on the
chat itself, and leave with their membership; an unknown or dissolved chat's id is "invalid"; counts come as
strings; chats carry no creation time. Users are open_ids throughout. The app can change only the chats its
bot owns, manages, or created (with the im:chat:operate_as_owner scope); others fail as permission denied.
Whether a person exists comes from the contacts (get_user, one call each): an id that names no one is invalid
(41012), a person who left is still there, resigned; one outside the app's contact scope (41050), or an app
without a contact scope at all, cannot be told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feishu_im import registry as feishu
from feishu_im.models import ChatInfo

from imgroup.errors import ApiError, NotFoundError, PermissionDeniedError

from ._adapter import Adapter, present, result_of, whole_number
from ._flow import AlreadyDone, Flow, call, collect, read
from ._records import ActionResult, Group, Membership, Presence, Role, Roster, Survey, UserLookup
from ._refs import GroupRef, UserRef

UNKNOWN_CHAT = 232006
NO_SUCH_USER = 41012


class FeishuAdapter(Adapter):
    vendor = "feishu"
    entry = feishu.ENTRY
    cannot_see = (
        "only the chats the app's bot is in (a user's other chats are not listed); chats carry no creation time"
    )
    # Only a chat's owner may remove its managers (232038), which an app's bot seldom is; removing the member
    # ends the role with the membership.
    removes_managers_separately = False

    def app_of(self, credentials: Mapping[str, object]) -> str | None:
        return str(credentials["app_id"]) if credentials.get("app_id") else None

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        try:
            chat = yield from read(feishu.get_chat.bind(ref.id, user_id_type="open_id"))
        except ApiError as error:
            # Feishu calls a chat id it does not know, or a dissolved chat's, invalid (232006).
            if isinstance(error, NotFoundError) or error.code == UNKNOWN_CHAT:
                return None
            raise
        return _group(ref, chat)

    # A chat the app may not read (an external chat, say) is noted as unreadable; it does not stop a survey.

    def list_group_refs(self) -> Flow[list[GroupRef]]:
        listed = yield from collect(feishu.iter_chats.bind(user_id_type="open_id"))
        return [GroupRef("feishu", chat_id) for summary in listed if (chat_id := present(summary.chat_id))]

    def survey_groups(self) -> Flow[Survey[Group]]:
        survey: Survey[Group] = Survey([])
        for ref in (yield from self.list_group_refs()):
            try:
                group = yield from self.get(ref)
            except ApiError as error:
                survey.unreadable[str(ref)] = f"[{error.code}] {error.message}"
                continue
            if group is not None:
                survey.found.append(group)
        return survey

    def read_rosters(self, refs: Sequence[GroupRef]) -> Flow[Survey[Roster]]:
        # The chat names its owner and managers; its member list (people, not bots) names everyone else.
        survey: Survey[Roster] = Survey([])
        for ref in refs:
            try:
                group = yield from self.get(ref)
                member_ids = (yield from self._member_ids(ref.id)) if group is not None else set()
            except ApiError as error:
                survey.unreadable[str(ref)] = f"[{error.code}] {error.message}"
                continue
            if group is not None:
                roles = {user: _role(group, UserRef("feishu", user)) or Role.MEMBER for user in sorted(member_ids)}
                survey.found.append(Roster(group, roles))
        return survey

    def survey_memberships(self, users: Sequence[UserRef]) -> Flow[Survey[Membership]]:
        # No call lists another user's chats: read the members of every chat the bot is in, once for all users.
        survey: Survey[Membership] = Survey([])
        for ref in (yield from self.list_group_refs()):
            try:
                member_ids = yield from self._member_ids(ref.id)
                in_chat = [user for user in users if user.id in member_ids]
                group = (yield from self.get(ref)) if in_chat else None
            except ApiError as error:
                survey.unreadable[str(ref)] = f"[{error.code}] {error.message}"
                continue
            if group is not None:
                survey.found.extend(Membership(group, user, _role(group, user) or Role.MEMBER) for user in in_chat)
        return survey

    def find_users(self, users: Sequence[UserRef]) -> Flow[dict[UserRef, UserLookup]]:
        found: dict[UserRef, UserLookup] = {}
        for user in users:
            try:
                answer = yield from read(feishu.get_user.bind(user.id, user_id_type="open_id"))
            except ApiError as error:
                if error.code == NO_SUCH_USER:
                    found[user] = UserLookup(Presence.MISSING)
                    continue
                if not isinstance(error, PermissionDeniedError):
                    raise
                # Outside the app's contact scope (41050), or no contact scope at all (99991672): the app may
                # not read this person, which says nothing of whether they exist.
                found[user] = UserLookup(Presence.UNCHECKED, f"[{error.code}] {error.message}")
                continue
            person = present(answer.user)
            status = present(person.status) if person is not None else None
            resigned = status is not None and present(status.is_resigned) is True
            found[user] = UserLookup(Presence.RESIGNED if resigned else Presence.EXISTS)
        return found

    def _member_ids(self, chat_id: str) -> Flow[set[str]]:
        members = yield from collect(feishu.iter_chat_members.bind(chat_id, member_id_type="open_id"))
        return {member_id for member in members if (member_id := present(member.member_id))}

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        role = _role(group, user)
        if role is not None:
            return role
        return Role.MEMBER if user.id in (yield from self._member_ids(group.id)) else None

    def disband(self, group: Group) -> Flow[ActionResult]:
        return result_of((yield from call(feishu.disband_chat.bind(group.id))), "disbanded")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if (yield from self.role_of(group, successor)) is None:
            yield from call(feishu.add_chat_members.bind(group.id, id_list=[successor.id], member_id_type="open_id"))
        answer = yield from call(feishu.update_chat.bind(group.id, owner_id=successor.id, user_id_type="open_id"))
        return result_of(answer, f"owned by {successor}")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield from call(feishu.remove_chat_members.bind(group.id, id_list=[user.id], member_id_type="open_id"))
        if not isinstance(answer, AlreadyDone) and user.id in (present(answer.invalid_id_list) or []):
            return ActionResult.already_done(f"{user} is not in the chat")
        return result_of(answer, "not in the chat")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield from call(
            feishu.remove_chat_managers.bind(group.id, manager_ids=[user.id], member_id_type="open_id")
        )
        return result_of(answer, "not a manager")


def _role(group: Group, user: UserRef) -> Role | None:
    """The role the chat's own record shows: owner or manager; None when it takes a member list to say."""
    if group.owner == user.id:
        return Role.OWNER
    chat = group.record
    if isinstance(chat, ChatInfo) and user.id in (present(chat.user_manager_id_list) or []):
        return Role.MANAGER
    return None


def _group(ref: GroupRef, chat: ChatInfo) -> Group:
    return Group(
        ref, present(chat.name) or None, present(chat.owner_id) or None, whole_number(chat.user_count), record=chat
    )
