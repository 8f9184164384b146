"""Tencent Cloud Chat groups: the app admin reads and changes any group of the app.

Peculiarities kept here: a group's profile and its members' roles come from one get_group_info call; a
user's groups come from get_joined_group_list, asked to include the groups it leaves out by default (huge
and inactive ones); an admin (manager) leaves the group with the member, since the API set has no call that
only demotes one; removing someone who is not a member succeeds; account_check says whether up to 100 UserIDs
exist (were imported) in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from tencent_im import registry as tencent
from tencent_im.models import AccountCheckResult, GroupInfo, GroupInfoMember

from imgroup.runtime.types import Unset

from ._adapter import Adapter, present, result_of, whole_number
from ._flow import Flow, call, collect, read
from ._records import ActionResult, Group, Membership, Presence, Role, Roster, Survey, UserLookup
from ._refs import GroupRef, UserRef

ROLES = {"Owner": Role.OWNER, "Admin": Role.MANAGER, "Member": Role.MEMBER}
BASE_FIELDS = ["Type", "Name", "Owner_Account", "CreateTime", "MemberNum"]
INFO_BATCH = 50  # get_group_info answers at most 50 groups a call
ACCOUNT_BATCH = 100  # account_check answers at most 100 accounts a call
ACCOUNT_STATUS = {"Imported": Presence.EXISTS, "NotImported": Presence.MISSING}
GROUP_GONE = 10010
BAD_GROUP_ID = 10015
T = TypeVar("T")


class TencentAdapter(Adapter):
    vendor = "tencent"
    entry = tencent.ENTRY
    removes_managers_separately = False
    roster_batch = INFO_BATCH

    def app_of(self, credentials: Mapping[str, object]) -> str | None:
        return str(credentials.get("sdkappid")) if credentials.get("sdkappid") is not None else None

    def _infos(self, group_ids: list[str], *, with_roles: bool) -> Flow[list[GroupInfo]]:
        wanted: dict[str, list[str]] = {"GroupBaseInfoFilter": BASE_FIELDS}
        if with_roles:  # every member's role: what role_of reads, without another call
            wanted["MemberInfoFilter"] = ["Role"]
        answer = yield from read(tencent.get_group_info.bind(group_id_list=group_ids, response_filter=wanted))
        return list(present(answer.group_info) or [])

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        infos = yield from self._infos([ref.id], with_roles=True)
        info = next((info for info in infos if info.group_id == ref.id), None)
        if info is None or info.error_code in (GROUP_GONE, BAD_GROUP_ID):
            return None
        return _group(ref, info)

    def list_group_refs(self) -> Flow[list[GroupRef]]:
        listed = yield from collect(tencent.iter_groups.bind())
        return [GroupRef("tencent", item.group_id) for item in listed]

    def survey_groups(self) -> Flow[Survey[Group]]:
        group_ids = [ref.id for ref in (yield from self.list_group_refs())]
        survey: Survey[Group] = Survey([])
        for start in range(0, len(group_ids), INFO_BATCH):
            infos = yield from self._infos(group_ids[start : start + INFO_BATCH], with_roles=False)
            _sort(infos, survey, lambda ref, info: survey.found.append(_group(ref, info)))
        return survey

    def read_rosters(self, refs: Sequence[GroupRef]) -> Flow[Survey[Roster]]:
        survey: Survey[Roster] = Survey([])
        infos = yield from self._infos([ref.id for ref in refs], with_roles=True)
        _sort(infos, survey, lambda ref, info: survey.found.append(_roster(ref, info)))
        return survey

    def survey_memberships(self, users: Sequence[UserRef]) -> Flow[Survey[Membership]]:
        found: list[Membership] = []
        for user in users:
            found.extend((yield from self._memberships(user)))
        return Survey(found)

    def _memberships(self, user: UserRef) -> Flow[list[Membership]]:
        joined = yield from collect(
            tencent.iter_joined_groups.bind(
                member_account=user.id,
                with_huge_groups=1,
                with_no_active_groups=1,
                response_filter={"GroupBaseInfoFilter": BASE_FIELDS, "SelfInfoFilter": ["Role"]},
            )
        )
        memberships = []
        for item in joined:
            self_info = present(item.self_info)
            role_name = present(self_info.role) if self_info is not None else None
            role = ROLES.get(role_name or "Member", Role.MEMBER)
            group = Group(
                GroupRef("tencent", item.group_id),
                present(item.name) or None,
                present(item.owner_account) or None,
                whole_number(item.member_num),
                _created(item.create_time),
                record=item,
            )
            memberships.append(Membership(group, user, role))
        return memberships

    def find_users(self, users: Sequence[UserRef]) -> Flow[dict[UserRef, UserLookup]]:
        user_ids = list(dict.fromkeys(user.id for user in users))
        answered: dict[str, UserLookup] = {}
        for start in range(0, len(user_ids), ACCOUNT_BATCH):
            batch = user_ids[start : start + ACCOUNT_BATCH]
            answer = yield from read(tencent.account_check.bind(check_item=[{"UserID": user_id} for user_id in batch]))
            answered.update((item.user_id, _lookup(item)) for item in present(answer.result_item) or [])
        unanswered = UserLookup(Presence.UNCHECKED, "account_check answered nothing for it")
        return {user: answered.get(user.id, unanswered) for user in users}

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        members = _members(group)
        if members is None:  # a Group from a listing: read the roles now
            fresh = yield from self.get(group.ref)
            members = _members(fresh) if fresh is not None else None
        for member in members or []:
            if member.member_account == user.id:
                return ROLES.get(present(member.role) or "Member", Role.MEMBER)
        return None

    def disband(self, group: Group) -> Flow[ActionResult]:
        return result_of((yield from call(tencent.destroy_group.bind(group_id=group.id))), "disbanded")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if (yield from self.role_of(group, successor)) is None:
            yield from call(
                tencent.add_group_member.bind(
                    group_id=group.id, member_list=[{"Member_Account": successor.id}], silence=1
                )
            )
        answer = yield from call(tencent.change_group_owner.bind(group_id=group.id, new_owner_account=successor.id))
        return result_of(answer, f"owned by {successor}")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield from call(
            tencent.delete_group_member.bind(group_id=group.id, member_to_del_account=[user.id], silence=1)
        )
        return result_of(answer, "not in the group")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        # No call of this API set only demotes an admin; removing the member removes the admin with it.
        return (yield from self.remove_member(group, user))


def _sort(infos: list[GroupInfo], survey: Survey[T], found: Callable[[GroupRef, GroupInfo], None]) -> None:
    """Each answered group to ``found``, or to the survey's unreadable; one gone since it was listed to neither."""
    for info in infos:
        ref, code = GroupRef("tencent", info.group_id), info.error_code
        if not code:
            found(ref, info)
        elif code not in (GROUP_GONE, BAD_GROUP_ID):  # gone since it was listed: nothing to say
            survey.unreadable[str(ref)] = f"[{code}] {present(info.error_info) or ''}".rstrip()


def _roster(ref: GroupRef, info: GroupInfo) -> Roster:
    members = present(info.member_list) or []
    return Roster(
        _group(ref, info),
        {
            account: ROLES.get(present(member.role) or "Member", Role.MEMBER)
            for member in members
            if (account := present(member.member_account))
        },
    )


def _lookup(item: AccountCheckResult) -> UserLookup:
    """One account_check result: Imported exists, NotImported does not; a ResultCode says it was not checked."""
    if code := present(item.result_code):
        return UserLookup(Presence.UNCHECKED, f"[{code}] {present(item.result_info) or ''}".rstrip())
    status = present(item.account_status)
    presence = ACCOUNT_STATUS.get(status or "")
    return UserLookup(presence) if presence else UserLookup(Presence.UNCHECKED, f"AccountStatus {status!r}")


def _members(group: Group) -> list[GroupInfoMember] | None:
    """The roles a group read with get_group_info carries; None for one from a listing (a JoinedGroup)."""
    return present(group.record.member_list) if isinstance(group.record, GroupInfo) else None


def _group(ref: GroupRef, info: GroupInfo) -> Group:
    return Group(
        ref,
        present(info.name) or None,
        present(info.owner_account) or None,
        whole_number(info.member_num),
        _created(info.create_time),
        record=info,
    )


def _created(value: int | Unset) -> datetime | None:
    seconds = whole_number(value)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None
