"""Tencent Cloud Chat group members: list a group's members, add members, remove members."""

from __future__ import annotations

import time
from typing import Any

from .._pipeline import Emulator, Result, body_target
from .._state import TENCENT_ROLES, TencentGroup
from . import callbacks
from .arguments import BadBody, checked, choice, field, int_field, strings, text_field
from .dialect import INVALID_PARAMETER, command
from .groups import NO_PERMISSION, TOO_MANY_ACCOUNTS, live_group

GROUP_FULL = 10014
NO_SUCH_USER = 10019
MAX_MEMBER_PAGE = 200
MAX_ADD = 300
MAX_DELETE = 500
NO_MEMBER_CHANGES = ("AVChatRoom", "BChatRoom")  # the pages: these types take no added or removed members


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

    Other groups page by Offset and Limit (Next is not theirs: ignored). Community groups page by Next only, as the
    page's field table says ("社群必填，社群不支持 Offset 参数"): a Community request without Next answers 10004,
    its Offset is ignored, and its answer's Next is the last UserID answered ("" when done). Limit 0 is taken as
    absent (every member), as dobyte/tencent-im sends it for a caller who set none.
    """
    wanted = strings(body, "MemberInfoFilter")
    roles = strings(body, "MemberRoleFilter")
    if roles is not None and not set(roles) <= set(TENCENT_ROLES):
        raise BadBody("MemberRoleFilter")
    strings(body, "AppDefinedDataFilter_GroupMember")
    limit = int_field(body, "Limit", 0, MAX_MEMBER_PAGE) or None
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
    if group.type == "Community":
        if after is None:
            raise BadBody("Next")
        page, data["Next"] = _batch_after(chosen, after, limit)
    else:
        page = chosen[offset : offset + limit if limit else None]
    data["MemberList"] = [member_entry(group, account, role, wanted) for account, role in page]
    return Result(0, data=data)


def _batch_after(chosen: list[tuple[str, str]], after: str, limit: int | None) -> tuple[list[tuple[str, str]], str]:
    """The members after UserID ``after`` ("" for the first batch), and the Next of the batch after them."""
    if after:
        keys = [account for account, _ in chosen]
        chosen = chosen[keys.index(after) + 1 :] if after in keys else []
    page = chosen[: limit or len(chosen)]
    return page, page[-1][0] if len(chosen) > len(page) else ""


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
    notices = [callbacks.members_joined(group, newcomers)] if newcomers else []
    effect = f"added:{len(newcomers)}" if newcomers else None
    return Result(0, data={"MemberList": results}, effect=effect, notices=notices)


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
    removed = [account for account in dict.fromkeys(accounts) if group.remove(account)]
    notices = [callbacks.members_kicked(group, removed)] if removed else []
    return Result(0, effect=f"removed:{len(removed)}" if removed else None, notices=notices)


OPERATIONS = (
    command("get_group_member_info", get_group_member_info, body_target("GroupId")),
    command("add_group_member", add_group_member, body_target("GroupId")),
    command("delete_group_member", delete_group_member, body_target("GroupId")),
)
