"""NetEase Yunxin team managers: add_team_managers and remove_team_managers, which only the owner may call."""

from __future__ import annotations

from .._pipeline import Emulator, Result, VendorRequest
from .._state import EmulatorState, YunxinTeam
from .dialect import SUCCESS, TEAM_ACTIONS, operation
from .rules import (
    MAX_EXTENSION,
    OWNER_ONLY,
    Invalid,
    Refused,
    account_list,
    answered,
    body_object,
    now_ms,
    role_in,
    team_asked,
    team_type_of,
    text,
)

MAX_MANAGERS_PER_CALL = 10


@answered
def add_team_managers(emulator: Emulator, request: VendorRequest) -> Result:
    """Members become managers, as the owner; a manager named again stays one."""
    team, managers = _managers_call(emulator.state, request)
    for account in managers:
        team.members.discard(account)
        team.managers.add(account)
    team.updated_at = now_ms()
    return Result(SUCCESS, {}, effect="managers_added")


@answered
def remove_team_managers(emulator: Emulator, request: VendorRequest) -> Result:
    """Managers become ordinary members, as the owner; an ordinary member named stays one."""
    team, managers = _managers_call(emulator.state, request)
    for account in managers:
        if account in team.managers:
            team.managers.discard(account)
            team.members.add(account)
    team.updated_at = now_ms()
    return Result(SUCCESS, {}, effect="managers_removed")


def _managers_call(state: EmulatorState, request: VendorRequest) -> tuple[YunxinTeam, list[str]]:
    """The team and the accounts of an add/remove-managers call, once every rule has passed (all or nothing)."""
    fields = body_object(request.body)
    team_type = team_type_of(fields.get("team_type"))
    operator = text(fields.get("operator_id"))
    managers = account_list(fields.get("managers"), max_items=MAX_MANAGERS_PER_CALL)
    text(fields.get("extension"), max_length=MAX_EXTENSION, required=False, non_empty=False)
    assert operator is not None
    team = team_asked(state, request.path["team_id"], team_type)
    if role_in(state, team, operator) != "owner":
        raise Refused(OWNER_ONLY)
    for account in managers:
        if role_in(state, team, account) == "owner":
            raise Invalid  # the owner is more than a manager
    return team, managers


OPERATIONS = (
    operation("POST", TEAM_ACTIONS + "/add_manager", "add_team_managers", add_team_managers, json_body=True),
    operation("DELETE", TEAM_ACTIONS + "/remove_manager", "remove_team_managers", remove_team_managers, json_body=True),
)
