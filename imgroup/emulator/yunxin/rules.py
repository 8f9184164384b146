"""What every Yunxin team operation checks the same way: arguments, the team asked for, the operator's role.

A broken argument raises ``Invalid`` (answered 414); a state rule answers its code through ``Refused``. Both are
turned into a Result by ``answered``, the decorator of every Yunxin handler, so each reads as the list of its rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .._catalogue import error_row
from .._pipeline import Emulator, Handler, Result, VendorRequest
from .._state import EmulatorState, YunxinTeam
from .dialect import PARAMETER_ERROR, VENDOR

ADVANCED_TEAM, SUPER_TEAM = 1, 2
MAX_EXTENSION = 512
DEFAULT_PAGE_SIZE = 100
TEAM_NOT_FOUND = 108404
NOT_ADVANCED_TEAM = 108302
ACCOUNT_NOT_FOUND = 102404
NOT_A_MEMBER = 109404
OWNER_ONLY = 109427
OWNER_OR_MANAGER_ONLY = 109432
ROLE_CODES = {"member": 0, "owner": 1, "manager": 2}  # member_role on the wire
DEFAULT_CONFIGURATION = {
    "join_mode": 0,
    "agree_mode": 1,  # the emulator has no invitations to accept: invitees join at once
    "invite_mode": 0,
    "update_team_info_mode": 0,
    "update_extension_mode": 0,
}
PROFILE_FIELDS = ("icon", "announcement", "intro", "server_extension", "customer_extension")


class Invalid(Exception):
    """An argument the page does not allow: Yunxin answers 414."""


class Refused(Exception):
    """A rule of the state refuses the call with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def answered(handler: Handler) -> Handler:
    """``handler``, answering its Invalid or Refused as the code it stands for."""

    def run(emulator: Emulator, request: VendorRequest) -> Result:
        try:
            return handler(emulator, request)
        except Invalid:
            return Result(PARAMETER_ERROR)
        except Refused as refusal:
            return Result(refusal.code)

    return run


def now_ms() -> int:
    return int(time.time() * 1000)


# --- arguments ---------------------------------------------------------------------------------------------


def body_object(body: dict[str, Any] | None) -> dict[str, Any]:
    if body is None:
        raise Invalid
    return body


def integer(value: Any, *, low: int | None = None, high: int | None = None, required: bool = True) -> int | None:
    """A JSON integer (not a bool) within bounds; query strings are parsed first."""
    if value is None:
        if required:
            raise Invalid
        return None
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise Invalid from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid
    return value


def text(value: Any, *, max_length: int | None = None, required: bool = True, non_empty: bool = True) -> str | None:
    if value is None:
        if required:
            raise Invalid
        return None
    if not isinstance(value, str) or (non_empty and not value) or (max_length is not None and len(value) > max_length):
        raise Invalid
    return value


def account_list(value: Any, *, max_items: int | None = None) -> list[str]:
    """A non-empty list of account ids, in order, without repeats."""
    if not isinstance(value, list) or not value or (max_items is not None and len(value) > max_items):
        raise Invalid
    if not all(isinstance(item, str) and item for item in value):
        raise Invalid
    return list(dict.fromkeys(value))


def team_type_of(value: Any) -> int:
    team_type = integer(value, low=ADVANCED_TEAM, high=SUPER_TEAM)
    assert team_type is not None
    return team_type


def configuration(value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid
    bounds = {"join_mode": 2}
    chosen: dict[str, int] = {}
    for name in DEFAULT_CONFIGURATION:
        mode = integer(value.get(name), low=0, high=bounds.get(name, 1), required=False)
        if mode is not None:
            chosen[name] = mode
    return chosen


# --- the team and who asks -------------------------------------------------------------------------------------


def team_asked(state: EmulatorState, team_id: str, team_type: int) -> YunxinTeam:
    """The live team ``team_id`` of kind ``team_type``.

    Asking for an advanced team that is a super team is "not an advanced team"; the other way round there
    is no super team with this id (the rule dismiss_team answers by too).
    """
    team = state.yunxin_teams.get(team_id)
    if team is None or team.dismissed:
        raise Refused(TEAM_NOT_FOUND)
    if team.team_type != team_type:
        raise Refused(NOT_ADVANCED_TEAM if team_type == ADVANCED_TEAM else TEAM_NOT_FOUND)
    return team


def known_account(state: EmulatorState, account: str) -> None:
    if account not in state.yunxin_accounts:
        raise Refused(ACCOUNT_NOT_FOUND)


def role_in(state: EmulatorState, team: YunxinTeam, account: str) -> str:
    """The role of ``account``, an existing account that must be in ``team``."""
    known_account(state, account)
    role = team.role_of(account)
    if role is None:
        raise Refused(NOT_A_MEMBER)
    return role


# --- answers -----------------------------------------------------------------------------------------------------


def wire_team_id(team: YunxinTeam) -> int:
    """A team id as Yunxin's server sends it and the official SDKs decode it: a number (Go int64, Java Long)."""
    return int(team.team_id)


def team_info(team: YunxinTeam) -> dict[str, Any]:
    return {
        "team_id": wire_team_id(team),
        "team_type": team.team_type,
        "owner_account_id": team.owner,
        "member_count": len(team.participants()),
        "name": team.name,
        **{name: team.profile.get(name, "") for name in PROFILE_FIELDS},
        "members_limit": team.members_limit,
        "create_time": team.created_at,
        "update_time": team.updated_at,
        "configuration": {**DEFAULT_CONFIGURATION, **team.configuration},
    }


def member_record(team: YunxinTeam, account: str) -> dict[str, Any]:
    role = team.role_of(account)
    assert role is not None
    return {
        "team_id": wire_team_id(team),
        "account_id": account,
        "member_role": ROLE_CODES[role],
        "team_nick": "",
        "server_extension": "",
        "chat_banned": False,
        "join_time": team.joined_at.get(account, team.created_at),
        "update_time": team.joined_at.get(account, team.created_at),
        "invitor_account_id": "" if role == "owner" else team.owner,
    }


def failed(account: str, code: int) -> dict[str, Any]:
    """An account's entry in a ``failed_list``."""
    return {"account_id": account, "error_code": code, "error_msg": str(error_row(VENDOR, code).message)}


def page_after(
    keys: list[str], token: str | None, limit: int, key: Callable[[str], Any], *, descending: bool = False
) -> tuple[list[str], bool]:
    """The ``limit`` keys that follow ``token`` (exclusive) in ``key`` order, and whether more follow.

    The token is the last key of the previous page, not a position: an item removed meanwhile neither shifts
    the next page (no repeats) nor hides one that remains.
    """
    ordered = sorted(keys, key=key, reverse=descending)
    if token:
        start = key(token)
        ordered = [k for k in ordered if (key(k) < start if descending else key(k) > start)]
    return ordered[:limit], len(ordered) > limit


def team_order(team_id: str) -> tuple[int, str]:
    """Numeric ids in numeric order (shorter first), then by text."""
    return (len(team_id), team_id)
