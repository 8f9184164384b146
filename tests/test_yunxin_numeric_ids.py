"""Yunxin ids read as Yunxin sends them: ``team_id`` a number (as its server and both official SDKs have it) or a
string (as its page types it), kept as text in the models either way."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vendor_fakes import answering, make_client, ok_body
from yunxin_im.models.team_info import TeamInfo

from imgroup.errors import ResponseFormatError
from imgroup.runtime import as_string
from imgroup.runtime.types import UNSET

# Answers shaped as the official SDKs read them (Go int64 / Java Long team ids), one per operation answering ids.
TEAM = {"team_id": 1001, "team_type": 1, "owner_account_id": "acc_owner", "name": "Phoenix", "member_count": 3}
MEMBER = {"team_id": 1001, "account_id": "acc_member", "member_role": 0, "join_time": 1700000000000}
JOINED = {"team_id": 1001, "owner_account_id": "acc_owner", "member_info": {"account_id": "acc_owner"}}
ANSWERS: list[Any] = [
    pytest.param(
        "create_team",
        (),
        {"owner_account_id": "acc_owner", "team_type": 1, "name": "Phoenix"},
        {"team_info": TEAM, "failed_list": []},
        lambda result: [result.team_info.team_id],
        id="create_team",
    ),
    pytest.param(
        "get_team", ("1001",), {"team_type": 1}, {"team_info": TEAM}, lambda r: [r.team_info.team_id], id="get_team"
    ),
    pytest.param(
        "update_team",
        ("1001",),
        {"operator_id": "acc_owner", "team_type": 1, "name": "Renamed"},
        {"team_info": TEAM},
        lambda result: [result.team_info.team_id],
        id="update_team",
    ),
    pytest.param(
        "get_teams",
        (),
        {"team_type": 1, "team_ids": "[1001,1002]"},
        {"team_info_list": [TEAM, {**TEAM, "team_id": "1002"}], "invalid_tids": []},
        lambda result: [team.team_id for team in result.team_info_list],
        id="get_teams",
    ),
    pytest.param(
        "list_team_members",
        ("1001",),
        {"team_type": 1},
        {"items": [MEMBER], "has_more": False, "next_token": ""},
        lambda result: [member.team_id for member in result.items],
        id="list_team_members",
    ),
    pytest.param(
        "list_joined_teams",
        ("acc_owner",),
        {"team_type": 1},
        {"team_info_list": [JOINED], "has_more": False, "next_token": ""},
        lambda result: [team.team_id for team in result.team_info_list],
        id="list_joined_teams",
    ),
]


@pytest.mark.parametrize(("operation", "args", "kwargs", "data", "ids"), ANSWERS)
def test_a_numeric_team_id_parses_and_is_kept_as_text(
    operation: str, args: tuple[Any, ...], kwargs: dict[str, Any], data: dict[str, Any], ids: Any
) -> None:
    with make_client("yunxin", answering("yunxin", body=ok_body("yunxin", data))) as client:
        result = getattr(client, operation)(*args, **kwargs)
    assert all(isinstance(team_id, str) for team_id in ids(result))
    assert ids(result)[0] == "1001"


@pytest.mark.parametrize("bad", [True, 10.5, ["1001"], {"id": 1001}])
def test_a_team_id_of_another_type_is_a_response_format_error(bad: Any) -> None:
    body = ok_body("yunxin", {"team_info": {**TEAM, "team_id": bad}})
    with make_client("yunxin", answering("yunxin", body=body)) as client, pytest.raises(ResponseFormatError) as error:
        client.get_team("1001", team_type=1)
    assert "team_id must be a string or an integer" in str(error.value)


@given(st.integers(min_value=0, max_value=2**63 - 1) | st.text(max_size=20))
def test_a_team_id_reads_as_its_decimal_text_and_writes_back_as_text(team_id: int | str) -> None:
    team = TeamInfo.from_dict({"team_id": team_id})
    assert team.team_id == str(team_id)
    assert team.to_dict()["team_id"] == str(team_id)


def test_as_string_keeps_what_is_not_an_integer() -> None:
    assert (as_string(7), as_string("7"), as_string(UNSET), as_string(True)) == ("7", "7", UNSET, True)
