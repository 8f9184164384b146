"""Tencent Cloud Chat group members: list a group's members, add, remove, and list the groups a user is in."""

from __future__ import annotations

import time
from typing import Any

from ._pipeline import Emulator, Result
from ._state import TENCENT_ROLES, TencentGroup
from ._tencent_groups import (
    INVALID_PARAMETER,
    LIST_TYPES,
    NO_PERMISSION,
    BadBody,
    checked,
    choice,
    field,
    int_field,
    live_group,
    same_type,
    strings,
    text_field,
)

TOO_MANY_ACCOUNTS = 10005
GROUP_FULL = 10014
NO_SUCH_USER = 10019
MAX_MEMBER_PAGE = 200
MAX_ADD = 300
MAX_DELETE = 500
MAX_JOINED_PAGE = 5000
NO_MEMBER_CHANGES = ("AVChatRoom", "BChatRoom")  # the pages: these types take no added or removed members
MEMBER_FIELDS = ("Role", "JoinTime", "MsgSeq", "MsgFlag", "LastSendMsgTime", "ShutUpUntil", "NameCard")


def member_entry(group: TencentGroup, account: str, role: str, wanted: list[str] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "Role": role,
        "JoinTime": group.join_time(account),
        "MsgSeq": 0,
        "MsgFlag": "AcceptAndNotify",
        "LastSendMsgTime": 0,
        "ShutUpUntil": 0,
        "NameCard": "",
    }
    return {"Member_Account": account} | {k: v for k, v in fields.items() if wanted is None or k in wanted}


@checked
def get_group_member_info(emulator: Emulator, body: dict[str, Any]) -> Result:
    """A page of members, owner first, then admins and members by UserID; MemberNum counts them all.

    Community groups asked with ``Next`` page by key instead: Next is the last UserID answered ("" when done).
    """
    wanted = strings(body, "MemberInfoFilter")
    roles = strings(body, "MemberRoleFilter")
    if roles is not None and not set(roles) <= set(TENCENT_ROLES):
        raise BadBody("MemberRoleFilter")
    strings(body, "AppDefinedDataFilter_GroupMember")
    limit = int_field(body, "Limit", 1, MAX_MEMBER_PAGE)
    offset = int_field(body, "Offset", 0) or 0
    after = field(body, "Next", str)
    group = live_group(emulator, body)
    if isinstance(group, Result):
        return group
    if group.type == "AVChatRoom":
        return Result(NO_PERMISSION)
    everyone = group.participants()
    chosen = [(account, role) for account, role in everyone if roles is None or role in roles]
    data: dict[str, Any] = {"MemberNum": len(everyone)}
    if group.type == "Community" and after is not None:
        if after:
            keys = [account for account, _ in chosen]
            chosen = chosen[keys.index(after) + 1 :] if after in keys else []
        page = chosen[: limit or len(chosen)]
        data["Next"] = page[-1][0] if len(chosen) > len(page) else ""
    else:
        page = chosen[offset : offset + limit if limit else None]
    data["MemberList"] = [member_entry(group, account, role, wanted) for account, role in page]
    return Result(0, data=data)


@checked
def add_group_member(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Add imported users; each answers Result 1 (added) or 2 (already in the group)."""
    choice(body, "Silence", (0, 1))
    entries = field(body, "MemberList", list, required=True)
    accounts: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadBody("MemberList")
        accounts.append(str(text_field(entry, "Member_Account", required=True)))
    if not accounts:
        raise BadBody("MemberList")
    if len(accounts) > MAX_ADD:
        return Result(TOO_MANY_ACCOUNTS)
    group = live_group(emulator, body)
    if isinstance(group, Result):
        return group
    if group.type in NO_MEMBER_CHANGES:
        return Result(NO_PERMISSION)
    if any(account not in emulator.state.tencent_accounts for account in accounts):
        return Result(NO_SUCH_USER)
    newcomers = list(dict.fromkeys(a for a in accounts if group.role_of(a) is None))
    limit = group.profile.get("MaxMemberNum")
    if limit is not None and len(group.participants()) + len(newcomers) > limit:
        return Result(GROUP_FULL)
    now = int(time.time())
    for account in newcomers:
        group.set_role(account, "Member")
        group.join_times[account] = now
    results = [{"Member_Account": a, "Result": 1 if a in newcomers else 2} for a in accounts]
    return Result(0, data={"MemberList": results}, effect=f"added:{len(newcomers)}" if newcomers else None)


@checked
def delete_group_member(emulator: Emulator, body: dict[str, Any]) -> Result:
    """Remove members; users not in the group are skipped and the call still succeeds. The owner: 10007."""
    choice(body, "Silence", (0, 1))
    text_field(body, "Reason")
    accounts = strings(body, "MemberToDel_Account", required=True)
    if not accounts:
        raise BadBody("MemberToDel_Account")
    if len(accounts) > MAX_DELETE:
        return Result(TOO_MANY_ACCOUNTS)
    group = live_group(emulator, body)
    if isinstance(group, Result):
        return group
    if group.type in NO_MEMBER_CHANGES:
        return Result(INVALID_PARAMETER)  # the page: these types answer 10004 to removals
    if group.owner and group.owner in accounts:
        return Result(NO_PERMISSION)
    removed = sum(group.remove(account) for account in set(accounts))
    return Result(0, effect=f"removed:{removed}" if removed else None)


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
