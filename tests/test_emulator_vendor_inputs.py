"""The emulator takes what the vendor takes and refuses what its page refuses, over real HTTP.

Never stricter than the vendor's SDKs and widely used clients (a ``"GroupType": ""``, a JSON null, ``Limit`` 0),
never more lenient than its page (a Community group pages its members by ``Next`` only; Yunxin's current
dismiss route reads the query, its older route the body).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from imgroup.emulator import EmulatorServer

MEMBERS = "/v4/group_open_http_svc/get_group_member_info"
GROUP_IDS = "/v4/group_open_http_svc/get_appid_group_list"
COMMUNITY = "@TGS#_demo_community"
TEAM = "@TGS#demo_team"


@pytest.fixture
def tencent(
    imgroup_emulator: EmulatorServer, tencent_query: dict[str, Any]
) -> Iterator[Callable[[str, dict[str, Any]], dict[str, Any]]]:
    """``tencent(path, body)``: the JSON answer of a signed Tencent call."""
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as http:

        def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
            answer: dict[str, Any] = http.post(path, params=tencent_query, json=body).json()
            return answer

        yield call


def accounts(answer: dict[str, Any]) -> list[str]:
    assert answer["ErrorCode"] == 0, answer
    return [member["Member_Account"] for member in answer["MemberList"]]


# --- Tencent: not stricter than the clients in use ----------------------------------------------------------


def test_an_empty_group_type_lists_every_type_as_leaving_it_out_does(
    tencent: Callable[..., Any], imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.faults({"rate_limits": {"get_appid_group_list": 1000}})  # 1 call/s is the page's figure
    everything = tencent(GROUP_IDS, {"Limit": 100})
    assert tencent(GROUP_IDS, {"Limit": 100, "GroupType": ""}) == everything
    assert tencent(GROUP_IDS, {"Limit": 100, "GroupType": None, "Next": None}) == everything
    assert everything["TotalCount"] > tencent(GROUP_IDS, {"Limit": 100, "GroupType": "Public"})["TotalCount"]
    assert tencent(GROUP_IDS, {"GroupType": "Nonsense"})["ErrorCode"] == 10004


def test_the_member_request_of_a_go_client_that_sets_nothing_answers_every_member(
    tencent: Callable[..., Any],
) -> None:
    # dobyte/tencent-im sends Limit 0, Offset 0 and null filters for a caller who set none.
    unset = {"GroupId": TEAM, "Limit": 0, "Offset": 0, "MemberInfoFilter": None, "MemberRoleFilter": None}
    assert accounts(tencent(MEMBERS, unset)) == accounts(tencent(MEMBERS, {"GroupId": TEAM}))
    assert tencent(MEMBERS, {"GroupId": TEAM, "Limit": 201})["ErrorCode"] == 10004


# --- Tencent: a Community group pages by Next only ----------------------------------------------------------


def test_a_community_group_without_next_is_refused(tencent: Callable[..., Any]) -> None:
    assert tencent(MEMBERS, {"GroupId": COMMUNITY, "Limit": 2})["ErrorCode"] == 10004
    assert tencent(MEMBERS, {"GroupId": COMMUNITY, "Limit": 2, "Offset": 2})["ErrorCode"] == 10004


def test_a_community_group_ignores_offset_and_answers_next(tencent: Callable[..., Any]) -> None:
    first = tencent(MEMBERS, {"GroupId": COMMUNITY, "Limit": 2, "Next": ""})
    assert tencent(MEMBERS, {"GroupId": COMMUNITY, "Limit": 2, "Next": "", "Offset": 2}) == first
    rest = tencent(MEMBERS, {"GroupId": COMMUNITY, "Limit": 2, "Next": first["Next"]})
    assert accounts(first) + accounts(rest) == ["user1", "user2", "user3", "user4"]
    assert (first["Next"], rest["Next"]) == ("user2", "")


def test_other_groups_page_by_offset_and_answer_no_next(tencent: Callable[..., Any]) -> None:
    second = tencent(MEMBERS, {"GroupId": TEAM, "Limit": 2, "Offset": 2, "Next": "user1"})
    assert "Next" not in second
    assert accounts(second) == accounts(tencent(MEMBERS, {"GroupId": TEAM}))[2:4]


# --- Yunxin: the current dismiss route reads the query ------------------------------------------------------


@pytest.fixture
def dismiss(
    imgroup_emulator: EmulatorServer, yunxin_headers: Callable[..., dict[str, str]]
) -> Iterator[Callable[..., dict[str, Any]]]:
    """``dismiss(team_id, query, body=None, older=False)``: the JSON answer of a signed dismiss."""
    creds = imgroup_emulator.credentials["yunxin"]
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as http:

        def call(team_id: str, query: dict[str, Any], body: Any = None, older: bool = False) -> dict[str, Any]:
            path = f"/im/v2/teams/{team_id}" if older else f"/im/v2.1/teams/{team_id}"
            headers = yunxin_headers(creds["app_key"], creds["app_secret"])
            answer: dict[str, Any] = http.request("DELETE", path, params=query, headers=headers, json=body).json()
            return answer

        yield call


@pytest.mark.parametrize(
    ("team_id", "query", "code"),
    [
        ("1002", {"team_type": "1", "operator_id": "acc_manager"}, 200),
        ("2001", {"team_type": "2", "operator_id": "acc_owner", "extension": "x" * 600}, 200),
        ("1002", {"team_type": "1", "operator_id": "acc_owner", "extension": "x" * 513}, 414),
        ("1002", {"team_type": "3", "operator_id": "acc_owner"}, 414),
        ("1002", {"operator_id": "acc_owner"}, 414),
        ("1002", {"team_type": "1"}, 414),
        ("1002", {"team_type": "1", "operator_id": "acc_member"}, 109432),
        ("2001", {"team_type": "2", "operator_id": "acc_manager"}, 109427),
        ("9999", {"team_type": "1", "operator_id": "acc_owner"}, 108404),
    ],
)
def test_the_current_dismiss_route_reads_its_query(
    dismiss: Callable[..., Any], team_id: str, query: dict[str, Any], code: int
) -> None:
    assert dismiss(team_id, query)["code"] == code


def test_each_dismiss_route_reads_only_its_own_place(dismiss: Callable[..., Any]) -> None:
    fields = {"team_type": 1, "operator_id": "acc_owner"}
    assert dismiss("1002", {}, body=fields)["code"] == 414  # the current route takes no body
    assert dismiss("1002", fields, older=True)["code"] == 414  # the older route takes no query
    assert dismiss("1002", {}, body={**fields, "team_type": "1"}, older=True)["code"] == 414  # a JSON number there
    assert dismiss("1002", {}, body=fields, older=True)["code"] == 200
    assert dismiss("1002", {"team_type": "1", "operator_id": "acc_owner"})["code"] == 108404
