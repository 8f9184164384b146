"""The emulator answers with the JSON types the vendors' own SDKs decode, field by field.

The tables below are written from the SDKs' sources: NetEase's yunxin-server-sdk-golang v1.0.0 and
yunxin-server-sdk-java 1.2.0 (their response structs and classes), and for Tencent (which publishes no server SDK)
the widely used doocs/qcloud-im-server-sdk-java (its result classes). Feishu's come from lark-oapi itself, whose
models declare their fields' types (``_types``). A Go ``int64`` decodes a JSON number and refuses a string, so a
type here is what the emulator must send, not merely something a lenient decoder would take. Fields the SDK does
not declare are left out: its decoder skips them.
"""

from __future__ import annotations

import importlib
import json
import re
import typing
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from imgroup.emulator import EmulatorServer

Shape = Any  # a JSON type (str, int, bool), a mapping of field -> Shape, or a one-item list of the items' Shape

# --- NetEase Yunxin (Go structs and Java classes agree on every type below) --------------------------------------

CONFIGURATION = {
    "join_mode": int,
    "agree_mode": int,
    "invite_mode": int,
    "update_team_info_mode": int,
    "update_extension_mode": int,
}
TEAM_INFO = {  # Go team.TeamInfo; Java CreateTeamResponseV2/GetTeamInfoResponseV2.TeamInfo
    "team_id": int,  # Go int64, Java Long: the page's "String" is decoded by neither
    "team_type": int,
    "owner_account_id": str,
    "member_count": int,
    "name": str,
    "icon": str,
    "announcement": str,
    "intro": str,
    "members_limit": int,
    "server_extension": str,
    "customer_extension": str,
    "create_time": int,
    "update_time": int,
    "configuration": CONFIGURATION,
}
FAILED_ACCOUNT = {"account_id": str, "error_code": int, "error_msg": str}  # Go FailedAccount/FailedOperation
TEAM_MEMBER = {  # Go team.TeamMember; Java ListTeamMembersResponseV2.TeamMember
    "team_id": int,
    "account_id": str,
    "member_role": int,
    "team_nick": str,
    "server_extension": str,
    "chat_banned": bool,
    "join_time": int,
    "update_time": int,
    "invitor_account_id": str,
}
JOINED_MEMBER = {  # Java QueryJoinedTeamsResponseV2.MemberInfo (Go's MemberInfo names the role team_member_type)
    "member_role": int,
    "account_id": str,
    "chat_banned": bool,
    "team_nick": str,
    "join_time": int,
    "update_time": int,
    "invitor_account_id": str,
    "server_extension": str,
}
JOINED_TEAM = {  # Go team_member.JoinedTeamInfo; Java QueryJoinedTeamsResponseV2.TeamInfo
    "team_id": int,
    "owner_account_id": str,
    "name": str,
    "icon": str,
    "member_count": int,
    "members_limit": int,
    "create_time": int,
    "update_time": int,
    "configuration": CONFIGURATION,
    "member_info": JOINED_MEMBER,
}
MEMBERS_CHANGED = {"success_list": [str], "failed_list": [FAILED_ACCOUNT]}  # Invite/KickTeamMembersResponseV2

# (method, path, query, body, the answer's data as the SDKs decode it), over the demo seed.
YUNXIN_CALLS = [
    pytest.param(
        "POST",
        "/im/v2.1/teams",
        {},
        {"owner_account_id": "acc_owner", "team_type": 1, "name": "Typed", "invite_account_ids": ["acc_nobody"]},
        {"team_info": TEAM_INFO, "failed_list": [FAILED_ACCOUNT]},
        id="create_team",
    ),
    pytest.param("GET", "/im/v2.1/teams/1001", {"team_type": 1}, None, {"team_info": TEAM_INFO}, id="get_team"),
    pytest.param(
        "GET",
        "/im/v2.1/teams",
        {"team_type": 1, "team_ids": "[1001,1003,9999]"},
        None,
        {"team_info_list": [TEAM_INFO], "invalid_tids": [int]},  # Java List<Long>
        id="get_teams",
    ),
    pytest.param(
        "PATCH",
        "/im/v2.1/teams/1001",
        {},
        {"operator_id": "acc_owner", "team_type": 1, "name": "Renamed"},
        {"team_info": TEAM_INFO},
        id="update_team",
    ),
    pytest.param(
        "GET",
        "/im/v2.1/teams/1003/actions/list_members",
        {"team_type": 1, "limit": 2},
        None,
        {"items": [TEAM_MEMBER], "next_token": str, "has_more": bool},
        id="list_team_members",
    ),
    pytest.param(
        "GET",
        "/im/v2.1/team_members/acc_owner/actions/joined_teams",
        {"team_type": 1, "limit": 1, "need_return_member_info": 1},
        None,
        {"team_info_list": [JOINED_TEAM], "next_token": str, "has_more": bool},
        id="list_joined_teams",
    ),
    pytest.param(
        "POST",
        "/im/v2/team_members",
        {},
        {"operator_id": "acc_owner", "team_id": 1003, "team_type": 1, "invite_account_ids": ["acc_outsider", "x_"]},
        MEMBERS_CHANGED,
        id="add_team_members",
    ),
    pytest.param(
        "DELETE",
        "/im/v2/team_members/actions/kick_member",
        {"operator_id": "acc_owner", "team_id": 1003, "team_type": 1, "kick_account_ids": "acc_member,acc_nobody"},
        None,
        MEMBERS_CHANGED,
        id="remove_team_members",
    ),
]

# --- Tencent (doocs/qcloud-im-server-sdk-java result classes) --------------------------------------------------

MEMBER_PROFILE = {  # model.group.MemberProfile
    "Member_Account": str,
    "Role": str,
    "JoinTime": int,
    "MsgSeq": int,
    "MsgFlag": str,
    "LastSendMsgTime": int,
    "NameCard": str,
}
GROUP_INFO = {  # model.group.GroupInfo
    "GroupId": str,
    "Type": str,
    "Name": str,
    "Introduction": str,
    "Notification": str,
    "FaceUrl": str,
    "Owner_Account": str,
    "CreateTime": int,
    "MemberNum": int,
    "MaxMemberNum": int,
    "ApplyJoinOption": str,
    "MemberList": [MEMBER_PROFILE],
}
JOINED_GROUP = {  # response.GroupIdListResultItem
    "GroupId": str,
    "Type": str,
    "Name": str,
    "Owner_Account": str,
    "CreateTime": int,
    "MemberNum": int,
}
TENCENT_CALLS = [
    pytest.param("get_group_info", {"GroupIdList": ["@TGS#demo_team"]}, {"GroupInfo": [GROUP_INFO]}, id="group"),
    pytest.param(
        "get_group_member_info",
        {"GroupId": "@TGS#_demo_community", "Limit": 2, "Next": ""},
        {"MemberNum": int, "MemberList": [MEMBER_PROFILE], "Next": str},
        id="members",
    ),
    pytest.param(
        "get_appid_group_list",
        {"Limit": 2},
        {"TotalCount": int, "GroupIdList": [{"GroupId": str}], "Next": int},  # Next: Long
        id="group_ids",
    ),
    pytest.param(
        "get_joined_group_list",
        {"Member_Account": "user1", "ResponseFilter": {"GroupBaseInfoFilter": list(JOINED_GROUP)}},
        {"TotalCount": int, "GroupIdList": [JOINED_GROUP]},
        id="joined",
    ),
    pytest.param("create_group", {"Type": "Public", "Name": "Typed"}, {"GroupId": str}, id="create"),
    pytest.param(
        "add_group_member",
        {"GroupId": "@TGS#demo_team", "MemberList": [{"Member_Account": "user5"}]},
        {"MemberList": [{"Member_Account": str, "Result": int}]},
        id="add_members",
    ),
]


def mismatches(value: Any, shape: Shape, where: str = "") -> list[str]:
    """Where ``value`` (a decoded JSON document) is not of ``shape``; fields the shape lacks are not looked at."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where or '.'}: an object expected, got {value!r}"]
        return [m for name, field in shape.items() if name in value for m in mismatches(value[name], field, name)]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: a list expected, got {value!r}"]
        return [m for index, item in enumerate(value) for m in mismatches(item, shape[0], f"{where}[{index}]")]
    if shape is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif shape is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, shape)
    return [] if ok else [f"{where}: {shape.__name__} expected, got {value!r}"]


def covered(value: Any, shape: Shape) -> bool:
    """Whether the answer holds every object and list the shape describes (so the check is not vacuous)."""
    if isinstance(shape, dict):
        return all(name in value and covered(value[name], field) for name, field in shape.items() if name in value)
    if isinstance(shape, list):
        return bool(value) and all(covered(item, shape[0]) for item in value)
    return True


@pytest.fixture
def http(imgroup_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "query", "body", "shape"), YUNXIN_CALLS)
def test_yunxin_answers_decode_with_the_official_sdks_types(
    http: httpx.Client,
    imgroup_emulator: EmulatorServer,
    yunxin_headers: Callable[..., dict[str, str]],
    method: str,
    path: str,
    query: dict[str, Any],
    body: Any,
    shape: Shape,
) -> None:
    creds = imgroup_emulator.credentials["yunxin"]
    headers = yunxin_headers(creds["app_key"], creds["app_secret"])
    answer = http.request(method, path, params=query, json=body, headers=headers).json()
    assert answer["code"] == 200, answer
    assert covered(answer["data"], shape), answer["data"]
    assert mismatches(answer["data"], shape) == []


@pytest.mark.parametrize(("command", "body", "shape"), TENCENT_CALLS)
def test_tencent_answers_decode_with_a_widely_used_sdks_types(
    http: httpx.Client, tencent_query: dict[str, Any], command: str, body: dict[str, Any], shape: Shape
) -> None:
    answer = http.post(f"/v4/group_open_http_svc/{command}", params=tencent_query, json=body).json()
    assert answer["ErrorCode"] == 0, answer
    assert covered(answer, shape), answer
    assert mismatches(answer, shape) == []


# --- Feishu: the shapes are lark-oapi's own declarations ----------------------------------------------------------


def lark_shape(kind: Any) -> Shape:
    """The Shape of a lark-oapi field type: its scalars, ``List[...]``, and models (classes with ``_types``)."""
    if typing.get_origin(kind) is list:
        return [lark_shape(typing.get_args(kind)[0])]
    if hasattr(kind, "_types"):
        return {name: lark_shape(field) for name, field in kind._types.items()}
    return kind


def snake_case(name: str) -> str:
    """lark-oapi's module name for a model class: ``GetChatResponseBody`` -> ``get_chat_response_body``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


FEISHU_CALLS = [
    pytest.param("GET", "/open-apis/im/v1/chats/oc_demo_named", None, "GetChatResponseBody", id="get_chat"),
    pytest.param("GET", "/open-apis/im/v1/chats", None, "ListChatResponseBody", id="list_chats"),
    pytest.param("GET", "/open-apis/im/v1/chats/search?query=demo", None, "SearchChatResponseBody", id="search_chats"),
    pytest.param(
        "GET", "/open-apis/im/v1/chats/oc_demo_transfer/members", None, "GetChatMembersResponseBody", id="members"
    ),
    pytest.param(
        "GET",
        "/open-apis/im/v1/chats/oc_demo_2/members/is_in_chat",
        None,
        "IsInChatChatMembersResponseBody",
        id="is_in_chat",
    ),
    pytest.param(
        "POST",
        "/open-apis/im/v1/chats/oc_demo_2/members?member_id_type=open_id",
        {"id_list": ["ou_carol", "ou_nobody"]},
        "CreateChatMembersResponseBody",
        id="add_members",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "model"), FEISHU_CALLS)
def test_feishu_answers_decode_with_lark_oapis_types(
    http: httpx.Client, imgroup_emulator: EmulatorServer, method: str, path: str, body: Any, model: str
) -> None:
    creds = imgroup_emulator.credentials["feishu"]
    token = http.post(
        "/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": creds["app_id"], "app_secret": creds["app_secret"]},
    ).json()["tenant_access_token"]
    content = None if body is None else json.dumps(body)
    answer = http.request(
        method, path, content=content, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ).json()
    assert answer["code"] == 0, answer
    module = importlib.import_module(f"lark_oapi.api.im.v1.model.{snake_case(model)}")
    shape = lark_shape(getattr(module, model))
    assert mismatches(answer["data"], shape) == []
