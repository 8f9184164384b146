"""NetEase Yunxin teams: create, get (one or in batch), update, transfer ownership, add and remove managers.

Dismissing stays in _yunxin.py with the dialect; members and joined teams are in _yunxin_members.py.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ._catalogue import error_row
from ._pipeline import Emulator, Result
from ._state import EmulatorState, YunxinTeam
from ._yunxin import VENDOR, endpoint
from ._yunxin_rules import (
    ACCOUNT_NOT_FOUND,
    ADVANCED_TEAM,
    OWNER_ONLY,
    OWNER_OR_MANAGER_ONLY,
    PROFILE_FIELDS,
    SUCCESS,
    Invalid,
    Refused,
    account_list,
    body_object,
    configuration,
    failed,
    integer,
    known_account,
    now_ms,
    role_in,
    team_asked,
    team_info,
    team_type_of,
    text,
)

MAX_NAME, MAX_LONG_TEXT, MAX_INTRO, MAX_EXTENSION = 64, 1024, 512, 512
MAX_MANAGERS_PER_CALL = 10
MAX_BATCH = {ADVANCED_TEAM: 30, 2: 20}  # teams per get_teams call, by team_type
FIRST_TEAM_ID = 10001


def routes(emulator: Emulator) -> list[Route]:
    """The Yunxin team paths, bound to ``emulator``."""

    bind = functools.partial(endpoint, emulator)

    return [
        Route("/im/v2.1/teams", bind("create_team", create_team, body=True), methods=["POST"]),
        Route("/im/v2.1/teams", bind("get_teams", get_teams, body=False), methods=["GET"]),
        Route("/im/v2.1/teams/{team_id}", bind("get_team", get_team, body=False), methods=["GET"]),
        Route("/im/v2.1/teams/{team_id}", bind("update_team", update_team, body=True), methods=["PATCH"]),
        Route(
            "/im/v2/teams/{team_id}/actions/transfer_owner",
            bind("transfer_team_owner", transfer_team_owner, body=True),
            methods=["PATCH"],
        ),
        Route(
            "/im/v2/teams/{team_id}/actions/add_manager",
            bind("add_team_managers", add_team_managers, body=True),
            methods=["POST"],
        ),
        Route(
            "/im/v2/teams/{team_id}/actions/remove_manager",
            bind("remove_team_managers", remove_team_managers, body=True),
            methods=["DELETE"],
        ),
    ]


def message_of(code: int) -> str:
    return str(error_row(VENDOR, code).message)


def create_team(state: EmulatorState, request: Request, body: Any) -> Result:
    """A new team owned by an existing account; invitees that exist join at once, the others are answered as failed."""
    fields = body_object(body)
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
    failures = [failed(a, ACCOUNT_NOT_FOUND, message_of) for a in invitees if a not in state.yunxin_accounts]
    return Result(SUCCESS, {"team_info": team_info(team), "failed_list": failures}, effect="created")


def get_team(state: EmulatorState, request: Request, body: Any) -> Result:
    team_type = team_type_of(request.query_params.get("team_type"))
    team = team_asked(state, request.path_params["team_id"], team_type)
    return Result(SUCCESS, {"team_info": team_info(team)})


def get_teams(state: EmulatorState, request: Request, body: Any) -> Result:
    """The live teams of one kind among ``team_ids`` (a JSON array in the query); the other ids come back as invalid."""
    team_type = team_type_of(request.query_params.get("team_type"))
    try:
        asked = json.loads(request.query_params.get("team_ids", ""))
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


def update_team(state: EmulatorState, request: Request, body: Any) -> Result:
    """Change the fields sent, as the owner or a manager (anyone in the team when update_team_info_mode is 1)."""
    fields = body_object(body)
    operator = text(fields.get("operator_id"))
    team_type = team_type_of(fields.get("team_type"))
    name = text(fields.get("name"), max_length=MAX_NAME, required=False)
    members_limit = integer(fields.get("members_limit"), low=2, required=False)
    profile = _profile(fields)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    chosen = configuration(fields.get("configuration"))
    assert operator is not None
    team = team_asked(state, request.path_params["team_id"], team_type)
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


def transfer_team_owner(state: EmulatorState, request: Request, body: Any) -> Result:
    """Make a member the owner; the old owner leaves (leave 1) or stays as an ordinary member (leave 2).

    Naming the current owner changes nothing and succeeds: ownership already is as asked.
    """
    fields = body_object(body)
    team_type = team_type_of(fields.get("team_type"))
    new_owner = text(fields.get("new_owner_account_id"))
    leave = integer(fields.get("leave"), low=1, high=2)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert new_owner is not None
    team = team_asked(state, request.path_params["team_id"], team_type)
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


def add_team_managers(state: EmulatorState, request: Request, body: Any) -> Result:
    """Members become managers, as the owner; a manager named again stays one."""
    team, managers = _managers_call(state, request, body)
    for account in managers:
        team.members.discard(account)
        team.managers.add(account)
    team.updated_at = now_ms()
    return Result(SUCCESS, {}, effect="managers_added")


def remove_team_managers(state: EmulatorState, request: Request, body: Any) -> Result:
    """Managers become ordinary members, as the owner; an ordinary member named stays one."""
    team, managers = _managers_call(state, request, body)
    for account in managers:
        if account in team.managers:
            team.managers.discard(account)
            team.members.add(account)
    team.updated_at = now_ms()
    return Result(SUCCESS, {}, effect="managers_removed")


def _managers_call(state: EmulatorState, request: Request, body: Any) -> tuple[YunxinTeam, list[str]]:
    """The team and the accounts of an add/remove-managers call, once every rule has passed (all or nothing)."""
    fields = body_object(body)
    team_type = team_type_of(fields.get("team_type"))
    operator = text(fields.get("operator_id"))
    managers = account_list(fields.get("managers"), max_items=MAX_MANAGERS_PER_CALL)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert operator is not None
    team = team_asked(state, request.path_params["team_id"], team_type)
    if role_in(state, team, operator) != "owner":
        raise Refused(OWNER_ONLY)
    for account in managers:
        if role_in(state, team, account) == "owner":
            raise Invalid  # the owner is more than a manager
    return team, managers


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
