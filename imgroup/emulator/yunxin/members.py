"""NetEase Yunxin team members: list a team's members, add members, remove members.

The list pages by token: the token is the last account id answered, so a member removed between two pages
neither repeats nor hides anything that remains.
"""

from __future__ import annotations

from .._pipeline import Emulator, Result, VendorRequest
from .._state import EmulatorState, YunxinTeam
from .dialect import PARAMETER_ERROR, SUCCESS, operation
from .rules import (
    ACCOUNT_NOT_FOUND,
    DEFAULT_PAGE_SIZE,
    MAX_EXTENSION,
    NOT_A_MEMBER,
    OWNER_ONLY,
    OWNER_OR_MANAGER_ONLY,
    Invalid,
    Refused,
    account_list,
    answered,
    body_object,
    failed,
    integer,
    member_record,
    now_ms,
    page_after,
    role_in,
    team_asked,
    team_type_of,
    text,
)

MEMBER_TYPES = {0: ("owner", "manager", "member"), 1: ("owner", "manager"), 2: ("member",)}
BOOLEANS = {"true": True, "false": False}


@answered
def list_team_members(emulator: Emulator, request: VendorRequest) -> Result:
    """One page of the team's members by account id, filtered by role; nobody is muted in the emulator."""
    state = emulator.state
    params = request.query
    team_type = team_type_of(params.get("team_type"))
    member_type = integer(params.get("member_type"), low=0, high=2, required=False) or 0
    banned_filter = integer(params.get("chat_banned_type"), low=0, high=2, required=False) or 0
    descending = BOOLEANS.get(params.get("descending", "false"))
    if descending is None:
        raise Invalid
    limit = integer(params.get("limit"), low=1, required=False) or DEFAULT_PAGE_SIZE
    team = team_asked(state, request.path["team_id"], team_type)
    roles = MEMBER_TYPES[member_type]
    accounts = [] if banned_filter == 1 else [a for a in team.participants() if team.role_of(a) in roles]
    page, more = page_after(accounts, params.get("page_token"), limit, str, descending=descending)
    return Result(
        SUCCESS,
        {
            "items": [member_record(team, a) for a in page],
            "has_more": more,
            "next_token": page[-1] if more else "",
        },
    )


@answered
def add_team_members(emulator: Emulator, request: VendorRequest) -> Result:
    """Invitees that exist join at once; accounts already in the team count as added (it already holds)."""
    state = emulator.state
    fields = body_object(request.body)
    operator = text(fields.get("operator_id"))
    team_id = integer(fields.get("team_id"), low=1)
    team_type = team_type_of(fields.get("team_type"))
    invitees = account_list(fields.get("invite_account_ids"))
    text(fields.get("msg"), required=False, non_empty=False)
    text(fields.get("extension"), required=False, non_empty=False)
    assert operator is not None
    team = team_asked(state, str(team_id), team_type)
    role = role_in(state, team, operator)
    if role == "member" and team.configuration.get("invite_mode", 0) == 0:
        raise Refused(OWNER_OR_MANAGER_ONLY)
    joined_at = now_ms()
    added, failures = [], []
    for account in invitees:
        if account not in state.yunxin_accounts:
            failures.append(failed(account, ACCOUNT_NOT_FOUND))
            continue
        if team.role_of(account) is None:
            if len(team.participants()) >= team.members_limit:
                failures.append(failed(account, PARAMETER_ERROR))
                continue
            team.members.add(account)
            team.joined_at[account] = joined_at
        added.append(account)
    return Result(SUCCESS, {"success_list": added, "failed_list": failures}, effect="members_added" if added else None)


@answered
def remove_team_members(emulator: Emulator, request: VendorRequest) -> Result:
    """The owner removes anyone but itself, a manager ordinary members; the rest is answered as failed."""
    state = emulator.state
    params = request.query
    operator = text(params.get("operator_id"))
    team_id = integer(params.get("team_id"), low=1)
    team_type = team_type_of(params.get("team_type"))
    raw_ids = text(params.get("kick_account_ids"))
    text(params.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert operator is not None and raw_ids is not None
    targets = account_list([a.strip() for a in raw_ids.split(",") if a.strip()])
    team = team_asked(state, str(team_id), team_type)
    role = role_in(state, team, operator)
    if role == "member":
        raise Refused(OWNER_OR_MANAGER_ONLY)
    removed, failures = [], []
    for account in targets:
        code = _kick_refusal(state, team, role, account)
        if code is not None:
            failures.append(failed(account, code))
            continue
        team.managers.discard(account)
        team.members.discard(account)
        team.joined_at.pop(account, None)
        removed.append(account)
    return Result(
        SUCCESS, {"success_list": removed, "failed_list": failures}, effect="members_removed" if removed else None
    )


def _kick_refusal(state: EmulatorState, team: YunxinTeam, operator_role: str, account: str) -> int | None:
    if account not in state.yunxin_accounts:
        return ACCOUNT_NOT_FOUND
    target_role = team.role_of(account)
    if target_role is None:
        return NOT_A_MEMBER  # already out: nothing to remove
    if target_role == "owner":
        return PARAMETER_ERROR  # nobody removes the owner; ownership moves first
    if target_role == "manager" and operator_role != "owner":
        return OWNER_ONLY
    return None


MEMBERS = "/im/v2/team_members"
OPERATIONS = (
    operation("GET", "/im/v2.1/teams/{team_id}/actions/list_members", "list_team_members", list_team_members),
    operation("POST", MEMBERS, "add_team_members", add_team_members, json_body=True),
    operation("DELETE", MEMBERS + "/actions/kick_member", "remove_team_members", remove_team_members),
)
