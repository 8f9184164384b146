"""NetEase Yunxin team members: list a team's members, add and remove members, list an account's teams.

Both lists page by token: the token is the last key answered (an account id, a team id), so a member removed
or a team dismissed between two pages neither repeats nor hides anything that remains.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ._pipeline import Emulator, Result
from ._state import EmulatorState, YunxinTeam
from ._yunxin import endpoint
from ._yunxin_rules import (
    ACCOUNT_NOT_FOUND,
    NOT_A_MEMBER,
    OWNER_ONLY,
    OWNER_OR_MANAGER_ONLY,
    PARAMETER_ERROR,
    SUCCESS,
    Invalid,
    Refused,
    account_list,
    body_object,
    failed,
    integer,
    known_account,
    member_record,
    now_ms,
    page_after,
    role_in,
    team_asked,
    team_info,
    team_order,
    team_type_of,
    text,
)
from ._yunxin_teams import MAX_EXTENSION, message_of

DEFAULT_PAGE_SIZE = 100
MEMBER_TYPES = {0: ("owner", "manager", "member"), 1: ("owner", "manager"), 2: ("member",)}
BOOLEANS = {"true": True, "false": False}


def routes(emulator: Emulator) -> list[Route]:
    """The Yunxin member paths, bound to ``emulator``."""

    bind = functools.partial(endpoint, emulator)

    return [
        Route(
            "/im/v2.1/teams/{team_id}/actions/list_members",
            bind("list_team_members", list_team_members, body=False),
            methods=["GET"],
        ),
        Route("/im/v2/team_members", bind("add_team_members", add_team_members, body=True), methods=["POST"]),
        Route(
            "/im/v2/team_members/actions/kick_member",
            bind("remove_team_members", remove_team_members, body=False),
            methods=["DELETE"],
        ),
        Route(
            "/im/v2.1/team_members/{account_id}/actions/joined_teams",
            bind("list_joined_teams", list_joined_teams, body=False),
            methods=["GET"],
        ),
    ]


def list_team_members(state: EmulatorState, request: Request, body: Any) -> Result:
    """One page of the team's members by account id, filtered by role; nobody is muted in the emulator."""
    params = request.query_params
    team_type = team_type_of(params.get("team_type"))
    member_type = integer(params.get("member_type"), low=0, high=2, required=False) or 0
    banned_filter = integer(params.get("chat_banned_type"), low=0, high=2, required=False) or 0
    descending = BOOLEANS.get(params.get("descending", "false"))
    if descending is None:
        raise Invalid
    limit = integer(params.get("limit"), low=1, required=False) or DEFAULT_PAGE_SIZE
    team = team_asked(state, request.path_params["team_id"], team_type)
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


def add_team_members(state: EmulatorState, request: Request, body: Any) -> Result:
    """Invitees that exist join at once; accounts already in the team count as added (it already holds)."""
    fields = body_object(body)
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
            failures.append(failed(account, ACCOUNT_NOT_FOUND, message_of))
            continue
        if team.role_of(account) is None:
            if len(team.participants()) >= team.members_limit:
                failures.append(failed(account, PARAMETER_ERROR, message_of))
                continue
            team.members.add(account)
            team.joined_at[account] = joined_at
        added.append(account)
    return Result(SUCCESS, {"success_list": added, "failed_list": failures}, effect="members_added" if added else None)


def remove_team_members(state: EmulatorState, request: Request, body: Any) -> Result:
    """The owner removes anyone but itself, a manager ordinary members; the rest is answered as failed."""
    params = request.query_params
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
            failures.append(failed(account, code, message_of))
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


def list_joined_teams(state: EmulatorState, request: Request, body: Any) -> Result:
    """One page of the live teams of one kind the account is in, by team id, with its own role when asked."""
    params = request.query_params
    account = request.path_params["account_id"]
    team_type = team_type_of(params.get("team_type"))
    limit = integer(params.get("limit"), low=1, required=False) or DEFAULT_PAGE_SIZE
    with_member_info = integer(params.get("need_return_member_info"), low=0, high=1, required=False) == 1
    known_account(state, account)
    teams = {
        team.team_id: team
        for team in state.yunxin_teams.values()
        if not team.dismissed and team.team_type == team_type and team.role_of(account) is not None
    }
    page, more = page_after(list(teams), params.get("page_token"), limit, team_order)
    return Result(
        SUCCESS,
        {
            "team_info_list": [_joined_team(teams[team_id], account, with_member_info) for team_id in page],
            "has_more": more,
            "next_token": page[-1] if more else "",
        },
    )


def _joined_team(team: YunxinTeam, account: str, with_member_info: bool) -> dict[str, Any]:
    info = team_info(team)
    for absent in ("team_type", "announcement", "intro", "server_extension", "customer_extension"):
        del info[absent]  # the joined-teams answer carries a summary of each team
    if with_member_info:
        member = member_record(team, account)
        del member["team_id"]
        info["member_info"] = member
    return info
