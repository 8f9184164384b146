"""Tencent Cloud Chat groups: create, read, list (all or a user's), change, move ownership and destroy.

Each action takes the decoded JSON body (``checked`` makes it a handler) and answers a Result whose ``data``
holds the top-level answer fields beside ``ActionStatus``/``ErrorCode``/``ErrorInfo``.
"""

from __future__ import annotations

import time
from typing import Any

from .._catalogue import error_row
from .._pipeline import Emulator, Result, body_target
from .._state import TencentGroup
from . import callbacks
from .arguments import BadBody, checked, choice, field, int_field, strings, text_field
from .dialect import INVALID_PARAMETER, VENDOR, command

NO_PERMISSION = 10007
GROUP_GONE = 10010
BAD_GROUP_ID = 10015
GROUP_ID_USED = 10021
TOO_MANY_ACCOUNTS = 10005
# create_group's page: the initial MemberList holds at most 500 members (10005 past that).
MAX_INITIAL_MEMBERS = 500
MAX_GROUP_ID_BYTES = 48
MAX_LIST_PAGE = 10_000
MAX_GROUP_INFO_IDS = 50
MAX_JOINED_PAGE = 5000
CREATE_TYPES = ("Private", "Public", "ChatRoom", "AVChatRoom", "Community")
LIST_TYPES = ("Public", "Private", "ChatRoom", "AVChatRoom", "BChatRoom", "Community")
JOIN_OPTIONS = ("FreeAccess", "NeedPermission", "DisableApply")
# The pages' old type names and the new ones they stand for (Private is now Work, ChatRoom now Meeting).
TYPE_ALIASES = {"Private": "Work", "ChatRoom": "Meeting"}


def well_formed(group_id: str) -> bool:
    """Group ids are printable ASCII of at most 48 bytes (auto ids start with @TGS#; custom ids are allowed)."""
    return (
        0 < len(group_id) <= MAX_GROUP_ID_BYTES
        and group_id.isascii()
        and group_id.isprintable()
        and " " not in group_id
    )


def same_type(stored: str, asked: str) -> bool:
    return stored == asked or stored == TYPE_ALIASES.get(asked) or asked == TYPE_ALIASES.get(stored)


def live_group(emulator: Emulator, body: dict[str, Any]) -> TencentGroup | Result:
    """The group ``body["GroupId"]`` names, or the Result for a malformed (10015) or gone (10010) one."""
    group_id = text_field(body, "GroupId", required=True)
    assert group_id is not None
    if not well_formed(group_id):
        return Result(BAD_GROUP_ID)
    group = emulator.state.tencent_groups.get(group_id)
    if group is None or group.destroyed:
        return Result(GROUP_GONE)
    return group


@checked
def create_group(emulator: Emulator, body: dict[str, Any]) -> Result:
    """A new group of the type asked, with its owner and initial members.

    10005 past 500 initial members, 10021 when a live group has the id, 10007 for members of an AVChatRoom.
    """
    group_type = choice(body, "Type", CREATE_TYPES, required=True)
    name = text_field(body, "Name", required=True)
    owner = text_field(body, "Owner_Account") or ""
    group_id = text_field(body, "GroupId")
    members = field(body, "MemberList", list) or []
    if len(members) > MAX_INITIAL_MEMBERS:
        return Result(TOO_MANY_ACCOUNTS)
    initial: list[tuple[str, str]] = []
    for member in members:
        if not isinstance(member, dict):
            raise BadBody("MemberList")
        account = text_field(member, "Member_Account", required=True)
        role = choice(member, "Role", ("Admin",)) or "Member"
        initial.append((str(account), role))
    profile = {key: body[key] for key in ("Introduction", "Notification", "FaceUrl") if text_field(body, key)}
    if (max_members := int_field(body, "MaxMemberCount", 1)) is not None:
        profile["MaxMemberNum"] = max_members
    if join_option := choice(body, "ApplyJoinOption", JOIN_OPTIONS):
        profile["ApplyJoinOption"] = join_option
    defined = custom_fields(body)
    state = emulator.state
    if group_id is not None:
        if not well_formed(group_id):
            return Result(BAD_GROUP_ID)
        existing = state.tencent_groups.get(group_id)
        if existing is not None and not existing.destroyed:
            return Result(GROUP_ID_USED)
    if group_type == "AVChatRoom" and initial:
        return Result(NO_PERMISSION)
    now = int(time.time())
    group = TencentGroup(
        group_id=group_id or f"@TGS#2{state.tencent_last_seq + 1:08X}",
        type=group_type,
        owner=owner,
        name=str(name),
        created_at=now,
        profile=profile,
        app_defined_data={key: value for key, value in defined.items() if value},
    )
    for account, role in initial:
        if account != owner:
            group.set_role(account, role)
    state.add_tencent_group(group)
    notices = [callbacks.group_created(group)]
    return Result(0, data={"GroupId": group.group_id}, effect="created", notices=notices)


def custom_fields(body: dict[str, Any]) -> dict[str, str]:
    entries = field(body, "AppDefinedData", list) or []
    fields: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadBody("AppDefinedData")
        fields[str(text_field(entry, "Key", required=True))] = field(entry, "Value", str, required=True)  # "" deletes
    return fields


@checked
def get_group_info(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Each group's profile, or its own 10010/10015: the call as a whole succeeds."""
    group_ids = strings(body, "GroupIdList", required=True)
    assert group_ids is not None
    if not 0 < len(group_ids) <= MAX_GROUP_INFO_IDS:
        raise BadBody("GroupIdList")
    response_filter = field(body, "ResponseFilter", dict)
    base_filter = strings(response_filter, "GroupBaseInfoFilter") if response_filter is not None else None
    member_filter = strings(response_filter, "MemberInfoFilter") if response_filter is not None else None
    answers = []
    for group_id in group_ids:
        looked_up = live_group(emulator, {"GroupId": group_id})
        if isinstance(looked_up, Result):
            message = error_row(VENDOR, looked_up.code).message
            answers.append({"GroupId": group_id, "ErrorCode": looked_up.code, "ErrorInfo": message})
            continue
        answers.append(group_profile(looked_up, response_filter is not None, base_filter, member_filter))
    return Result(0, data={"GroupInfo": answers})


def group_profile(
    group: TencentGroup, filtered: bool, base_filter: list[str] | None, member_filter: list[str] | None
) -> dict[str, Any]:
    """get_group_info's entry for ``group``; with a ResponseFilter, only the parts it names."""
    base: dict[str, Any] = {
        "Type": group.type,
        "Name": group.name,
        "Introduction": group.profile.get("Introduction", ""),
        "Notification": group.profile.get("Notification", ""),
        "FaceUrl": group.profile.get("FaceUrl", ""),
        "Owner_Account": group.owner,
        "CreateTime": group.created_at,
        "MemberNum": len(group.participants()),
        "MaxMemberNum": group.profile.get("MaxMemberNum", 0),
        "ApplyJoinOption": group.profile.get("ApplyJoinOption", "NeedPermission"),
        "ShutUpAllMember": group.profile.get("ShutUpAllMember", "Off"),
    }
    if filtered:
        base = {key: value for key, value in base.items() if key in (base_filter or [])}
    entry: dict[str, Any] = {"GroupId": group.group_id, "ErrorCode": 0, "ErrorInfo": "", **base}
    if not filtered or member_filter is not None:
        wanted = None if not filtered else set(member_filter or [])
        entry["MemberList"] = [
            {
                key: value
                for key, value in (("Role", role), ("JoinTime", group.join_time(account)))
                if wanted is None or key in wanted
            }
            | {"Member_Account": account}
            for account, role in group.participants()
        ]
    if not filtered:
        entry["AppDefinedData"] = [{"Key": k, "Value": v} for k, v in sorted(group.app_defined_data.items())]
    return entry


@checked
def get_appid_group_list(emulator: Emulator, body: dict[str, Any]) -> Result:
    """One page of live group ids in listing order after the cursor ``Next`` (the last seq seen; 0 first).

    Groups created or destroyed meanwhile neither shift nor repeat the others: the cursor is a key, not a
    position. Next is 0 on the last page.
    """
    limit = int_field(body, "Limit", 1, MAX_LIST_PAGE) or MAX_LIST_PAGE
    after = int_field(body, "Next", 0) or 0
    # "GroupType": "" asks for every type, as leaving it out does: a published client sends it by default.
    group_type = choice(body, "GroupType", ("", *LIST_TYPES)) or None
    live = [
        group
        for group in emulator.state.tencent_groups.values()
        if not group.destroyed and (group_type is None or same_type(group.type, group_type))
    ]
    remaining = [group for group in live if group.seq > after]
    page = remaining[:limit]
    next_cursor = page[-1].seq if len(remaining) > limit else 0
    return Result(
        0,
        data={"TotalCount": len(live), "GroupIdList": [{"GroupId": g.group_id} for g in page], "Next": next_cursor},
    )


@checked
def modify_group_base_info(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Change the fields sent; an empty custom-field Value deletes that field."""
    name = text_field(body, "Name")
    if name == "":
        raise BadBody("Name")
    changes: dict[str, Any] = {
        key: body[key] for key in ("Introduction", "Notification", "FaceUrl") if text_field(body, key) is not None
    }
    if (max_members := int_field(body, "MaxMemberNum", 1)) is not None:
        changes["MaxMemberNum"] = max_members
    if join_option := choice(body, "ApplyJoinOption", JOIN_OPTIONS):
        changes["ApplyJoinOption"] = join_option
    if mute := choice(body, "MuteAllMember", ("On", "Off")):
        changes["ShutUpAllMember"] = mute
    defined = custom_fields(body)
    group = live_group(emulator, body)
    if isinstance(group, Result):
        return group
    if name is not None:
        group.name = name
    group.profile.update(changes)
    for key, value in defined.items():
        if value:
            group.app_defined_data[key] = value
        else:
            group.app_defined_data.pop(key, None)
    notice = callbacks.info_changed(group, {**changes, **({"Name": name} if name is not None else {})})
    return Result(0, effect="modified", notices=[notice] if notice is not None else [])


@checked
def change_group_owner(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Make a member the owner; the former owner stays as a Member. AVChatRoom answers 10007.

    The pages say the new owner must be a member but name no code for one who is not; the emulator answers
    10004 (invalid parameter) then. Naming the current owner again changes nothing and succeeds.
    """
    new_owner = text_field(body, "NewOwner_Account", required=True)
    text_field(body, "From_Account")
    group = live_group(emulator, body)
    if isinstance(group, Result):
        return group
    if group.type == "AVChatRoom":
        return Result(NO_PERMISSION)
    if group.role_of(str(new_owner)) is None:
        return Result(INVALID_PARAMETER)
    if group.owner == new_owner:
        return Result(0)
    old_owner = group.owner
    group.set_role(str(new_owner), "Owner")
    return Result(0, effect=f"owner:{new_owner}", notices=[callbacks.owner_changed(group, old_owner)])


@checked
def destroy_group(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Disband the group; a missing or already disbanded group answers 10010.

    An empty GroupId is a malformed one here (10015), where live_group, and so every other command, answers 10004.
    """
    group_id = body.get("GroupId")
    if not isinstance(group_id, str):
        return Result(INVALID_PARAMETER)
    if not well_formed(group_id):
        return Result(BAD_GROUP_ID)
    group = emulator.state.tencent_groups.get(group_id)
    if group is None or group.destroyed:
        return Result(GROUP_GONE)
    group.destroyed = True
    return Result(0, effect="disbanded", notices=[callbacks.group_destroyed(group)])


@checked
def get_joined_group_list(emulator: Emulator, body: dict[str, Any]) -> Result:
    """A page of the live groups ``Member_Account`` is in, in listing order; AVChatRoom only when asked."""
    account = str(text_field(body, "Member_Account", required=True))
    limit = int_field(body, "Limit", 1, MAX_JOINED_PAGE)
    offset = int_field(body, "Offset", 0) or 0
    group_type = choice(body, "GroupType", LIST_TYPES)
    with_huge = choice(body, "WithHugeGroups", (0, 1))
    choice(body, "WithNoActiveGroups", (0, 1))
    response_filter = field(body, "ResponseFilter", dict) or {}
    base_filter = strings(response_filter, "GroupBaseInfoFilter") or []
    self_filter = strings(response_filter, "SelfInfoFilter")
    joined = [
        group
        for group in emulator.state.tencent_groups.values()
        if not group.destroyed
        and group.role_of(account) is not None
        and (group_type is None or same_type(group.type, group_type))
        and (group.type != "AVChatRoom" or with_huge == 1 or group_type == "AVChatRoom")
    ]
    page = joined[offset : offset + limit if limit else None]
    return Result(
        0,
        data={
            "TotalCount": len(joined),
            "GroupIdList": [joined_entry(g, account, base_filter, self_filter) for g in page],
        },
    )


def joined_entry(
    group: TencentGroup, account: str, base_filter: list[str], self_filter: list[str] | None
) -> dict[str, Any]:
    base = {
        "Type": group.type,
        "Name": group.name,
        "Owner_Account": group.owner,
        "CreateTime": group.created_at,
        "MemberNum": len(group.participants()),
    }
    entry: dict[str, Any] = {"GroupId": group.group_id} | {k: v for k, v in base.items() if k in base_filter}
    if self_filter is not None:
        mine = {
            "Role": group.role_of(account),
            "JoinTime": group.join_time(account),
            "MsgFlag": "AcceptAndNotify",
            "UnreadMsgNum": 0,
        }
        entry["SelfInfo"] = {k: v for k, v in mine.items() if not self_filter or k in self_filter}
    return entry


OPERATIONS = (
    command("destroy_group", destroy_group, body_target("GroupId")),
    command("create_group", create_group, body_target("GroupId")),
    command("get_group_info", get_group_info),
    command("get_appid_group_list", get_appid_group_list),
    command("modify_group_base_info", modify_group_base_info, body_target("GroupId")),
    command("change_group_owner", change_group_owner, body_target("GroupId")),
    command("get_joined_group_list", get_joined_group_list, body_target("Member_Account")),
)
