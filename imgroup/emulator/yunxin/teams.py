"""NetEase Yunxin teams: create, get (one or in batch), update, transfer ownership, dismiss (current and older
route), list an account's teams."""

from __future__ import annotations

import json
from typing import Any

from .._pipeline import Emulator, Result, VendorRequest
from .._state import EmulatorState, YunxinTeam
from .dialect import SUCCESS, TEAM_ACTIONS, operation
from .rules import (
    ACCOUNT_NOT_FOUND,
    ADVANCED_TEAM,
    DEFAULT_PAGE_SIZE,
    MAX_EXTENSION,
    OWNER_ONLY,
    OWNER_OR_MANAGER_ONLY,
    PROFILE_FIELDS,
    SUPER_TEAM,
    Invalid,
    Refused,
    account_list,
    answered,
    body_object,
    configuration,
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

MAX_NAME, MAX_LONG_TEXT, MAX_INTRO = 64, 1024, 512
MAX_BATCH = {ADVANCED_TEAM: 30, SUPER_TEAM: 20}  # teams per get_teams call, by team_type
FIRST_TEAM_ID = 10001


@answered
def create_team(emulator: Emulator, request: VendorRequest) -> Result:
    """A new team owned by an existing account; invitees that exist join at once, the others are answered as failed."""
    state = emulator.state
    fields = body_object(request.body)
    owner = text(fields.get("owner_account_id"))
    team_type = team_type_of(fields.get("team_type"))
    name = text(fields.get("name"), max_length=MAX_NAME)
    members_limit = integer(fields.get("members_limit"), low=2, required=False) or 200
    profile = _profile(fields)
    # Checked, not kept: the invitation message and the notification payload only travel with the event.
    text(fields.get("invite_msg"), required=False, non_empty=False)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    chosen = configuration(fields.get("configuration")) or {}
    if fields.get("antispam_configuration") is not None and not isinstance(fields["antispam_configuration"], dict):
        raise Invalid
    invitees = account_list(fields["invite_account_ids"]) if fields.get("invite_account_ids") else []
    assert owner is not None and name is not None
    known_account(state, owner)
    joining = [a for a in invitees if a in state.yunxin_accounts and a != owner]
    if 1 + len(joining) > members_limit:
        raise Invalid
    created = now_ms()
    team = YunxinTeam(
        team_id=_next_team_id(state),
        team_type=team_type,
        owner=owner,
        members=set(joining),
        name=name,
        created_at=created,
        updated_at=created,
        members_limit=members_limit,
        profile=profile,
        configuration=chosen,
        joined_at=dict.fromkeys(joining, created),
    )
    state.yunxin_teams[team.team_id] = team
    failures = [failed(a, ACCOUNT_NOT_FOUND) for a in invitees if a not in state.yunxin_accounts]
    return Result(SUCCESS, {"team_info": team_info(team), "failed_list": failures}, effect="created")


@answered
def get_team(emulator: Emulator, request: VendorRequest) -> Result:
    state = emulator.state
    team_type = team_type_of(request.query.get("team_type"))
    team = team_asked(state, request.path["team_id"], team_type)
    return Result(SUCCESS, {"team_info": team_info(team)})


@answered
def get_teams(emulator: Emulator, request: VendorRequest) -> Result:
    """The live teams of one kind among ``team_ids`` (a JSON array in the query); the other ids come back as invalid."""
    state = emulator.state
    team_type = team_type_of(request.query.get("team_type"))
    try:
        asked = json.loads(request.query.get("team_ids", ""))
    except ValueError:
        raise Invalid from None
    if not isinstance(asked, list) or not 1 <= len(asked) <= MAX_BATCH[team_type]:
        raise Invalid
    ids = [integer(team_id, low=1) for team_id in asked]
    found, invalid = [], []
    for team_id in dict.fromkeys(ids):
        team = state.yunxin_teams.get(str(team_id))
        if team is None or team.dismissed or team.team_type != team_type:
            invalid.append(team_id)
        else:
            found.append(team_info(team))
    return Result(SUCCESS, {"team_info_list": found, "invalid_tids": invalid})


@answered
def update_team(emulator: Emulator, request: VendorRequest) -> Result:
    """Change the fields sent, as the owner or a manager (anyone in the team when update_team_info_mode is 1)."""
    state = emulator.state
    fields = body_object(request.body)
    operator = text(fields.get("operator_id"))
    team_type = team_type_of(fields.get("team_type"))
    name = text(fields.get("name"), max_length=MAX_NAME, required=False)
    members_limit = integer(fields.get("members_limit"), low=2, required=False)
    profile = _profile(fields)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    chosen = configuration(fields.get("configuration"))
    assert operator is not None
    team = team_asked(state, request.path["team_id"], team_type)
    role = role_in(state, team, operator)
    open_to_all = team.configuration.get("update_team_info_mode", 0) == 1
    if role == "member" and not open_to_all:
        raise Refused(OWNER_OR_MANAGER_ONLY)
    if members_limit is not None and members_limit < len(team.participants()):
        raise Invalid
    if name is not None:
        team.name = name
    if members_limit is not None:
        team.members_limit = members_limit
    team.profile.update(profile)
    team.configuration.update(chosen or {})
    team.updated_at = now_ms()
    return Result(SUCCESS, {"team_info": team_info(team)}, effect="updated")


@answered
def transfer_team_owner(emulator: Emulator, request: VendorRequest) -> Result:
    """Make a member the owner; the old owner leaves (leave 1) or stays as an ordinary member (leave 2).

    Naming the current owner changes nothing and succeeds: ownership already is as asked.
    """
    state = emulator.state
    fields = body_object(request.body)
    team_type = team_type_of(fields.get("team_type"))
    new_owner = text(fields.get("new_owner_account_id"))
    leave = integer(fields.get("leave"), low=1, high=2)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert new_owner is not None
    team = team_asked(state, request.path["team_id"], team_type)
    role_in(state, team, new_owner)
    if new_owner == team.owner:
        return Result(SUCCESS, {})
    old_owner = team.owner
    team.managers.discard(new_owner)
    team.members.discard(new_owner)
    team.owner = new_owner
    if leave == 2:
        team.members.add(old_owner)
    else:
        team.joined_at.pop(old_owner, None)
    team.updated_at = now_ms()
    return Result(SUCCESS, {}, effect="ownership_transferred")


@answered
def dismiss_team(emulator: Emulator, request: VendorRequest) -> Result:
    """The current route: ``team_type``, ``operator_id`` and ``extension`` in the query, as the SDKs send them."""
    params = request.query
    return _dismiss(emulator, request, params.get("team_type"), params.get("operator_id"), params.get("extension"))


@answered
def dismiss_team_v2(emulator: Emulator, request: VendorRequest) -> Result:
    """The older route of seed page 004: the same fields in a JSON body (team_type a JSON integer there)."""
    fields = body_object(request.body)
    team_type = fields.get("team_type")
    if isinstance(team_type, str):  # a JSON body carries a number; only a query carries digits as text
        raise Invalid
    return _dismiss(emulator, request, team_type, fields.get("operator_id"), fields.get("extension"))


def _dismiss(emulator: Emulator, request: VendorRequest, team_type: Any, operator: Any, extension: Any) -> Result:
    """Dismiss the team when the operator may: owner or manager of an advanced team, owner of a super team."""
    kind = team_type_of(team_type)
    operator_id = text(operator)
    if kind == ADVANCED_TEAM:  # the page: extension is for advanced teams only, of no effect on a super team
        text(extension, max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert operator_id is not None
    state = emulator.state
    team = team_asked(state, request.path["team_id"], kind)
    role = role_in(state, team, operator_id)
    if team.team_type == SUPER_TEAM and role != "owner":
        raise Refused(OWNER_ONLY)
    if role == "member":
        raise Refused(OWNER_OR_MANAGER_ONLY)
    team.dismissed = True
    return Result(SUCCESS, {}, effect="disbanded")


@answered
def list_joined_teams(emulator: Emulator, request: VendorRequest) -> Result:
    """One page of the live teams of one kind the account is in, by team id, with its own role when asked."""
    state = emulator.state
    params = request.query
    account = request.path["account_id"]
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


def _profile(fields: dict[str, Any]) -> dict[str, str]:
    limits = {"icon": MAX_LONG_TEXT, "announcement": MAX_LONG_TEXT, "intro": MAX_INTRO}
    profile = {}
    for name in PROFILE_FIELDS:
        value = text(fields.get(name), max_length=limits.get(name), required=False, non_empty=False)
        if value is not None:
            profile[name] = value
    return profile


def _next_team_id(state: EmulatorState) -> str:
    numeric = [int(team_id) for team_id in state.yunxin_teams if team_id.isdigit()]
    return str(max([FIRST_TEAM_ID - 1, *numeric]) + 1)


TEAMS, TEAM = "/im/v2.1/teams", "/im/v2.1/teams/{team_id}"
ACCOUNT_TEAMS = "/im/v2.1/team_members/{account_id}/actions/joined_teams"
OPERATIONS = (
    operation("DELETE", TEAM, "dismiss_team", dismiss_team),
    operation("DELETE", "/im/v2/teams/{team_id}", "dismiss_team_v2", dismiss_team_v2, json_body=True),
    operation("POST", TEAMS, "create_team", create_team, json_body=True),
    operation("GET", TEAMS, "get_teams", get_teams),
    operation("GET", TEAM, "get_team", get_team),
    operation("PATCH", TEAM, "update_team", update_team, json_body=True),
    operation("PATCH", TEAM_ACTIONS + "/transfer_owner", "transfer_team_owner", transfer_team_owner, json_body=True),
    operation("GET", ACCOUNT_TEAMS, "list_joined_teams", list_joined_teams),
)
