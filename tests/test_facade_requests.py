"""Every facade method of every vendor, sync and async, sends exactly the documented request."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from vendor_fakes import Recorder, answering, make_client, ok_body

# vendor, method, positional args, keyword args, HTTP method, raw path, query (beyond signing), JSON body
CALLS: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str, str, dict[str, str], Any]] = [
    (
        "feishu",
        "disband_chat",
        ("oc_a0553eda9014c201e6969b478895c230",),
        {},
        "DELETE",
        "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230",
        {},
        None,
    ),
    (
        "feishu",
        "remove_chat_members",
        ("oc_abc",),
        {"id_list": ["ou_1", "ou_bad"], "member_id_type": "open_id"},
        "DELETE",
        "/open-apis/im/v1/chats/oc_abc/members",
        {"member_id_type": "open_id"},
        {"id_list": ["ou_1", "ou_bad"]},
    ),
    (
        "feishu",
        "remove_chat_members",
        ("oc_abc",),
        {"id_list": ("ou_1",)},
        "DELETE",
        "/open-apis/im/v1/chats/oc_abc/members",
        {},
        {"id_list": ["ou_1"]},
    ),
    (
        "feishu",
        "unbind_meeting_chat",
        ("feishu.cn_xxx@group.calendar.feishu.cn", "evt_1"),
        {"meeting_chat_id": "oc_xxx"},
        "DELETE",
        "/open-apis/calendar/v4/calendars/feishu.cn_xxx%40group.calendar.feishu.cn/events/evt_1/meeting_chat",
        {"meeting_chat_id": "oc_xxx"},
        None,
    ),
    (
        "tencent",
        "destroy_group",
        (),
        {"group_id": "@TGS#2J4SZEAEL"},
        "POST",
        "/v4/group_open_http_svc/destroy_group",
        {},
        {"GroupId": "@TGS#2J4SZEAEL"},
    ),
    (
        "yunxin",
        "dismiss_team",
        ("1001",),
        {"team_type": 1, "operator_id": "acc1", "extension": '{"k":1}'},
        "DELETE",
        "/im/v2.1/teams/1001",
        {"team_type": "1", "operator_id": "acc1", "extension": '{"k":1}'},
        None,
    ),
    (
        "yunxin",
        "dismiss_team",
        ("a/b",),
        {"team_type": 2, "operator_id": "acc1"},
        "DELETE",
        "/im/v2.1/teams/a%2Fb",
        {"team_type": "2", "operator_id": "acc1"},
        None,
    ),
    (
        "yunxin",
        "dismiss_team_v2",
        ("1001",),
        {"team_type": 1, "operator_id": "acc1", "extension": '{"k":1}'},
        "DELETE",
        "/im/v2/teams/1001",
        {},
        {"team_type": 1, "operator_id": "acc1", "extension": '{"k":1}'},
    ),
]
SIGNING_QUERY = {"sdkappid", "identifier", "usersig", "random", "contenttype"}


def _check_request(
    recorder: Recorder, vendor: str, method: str, raw_path: str, query: dict[str, str], body: Any
) -> None:
    assert len(recorder.requests) == 1
    request = recorder.last
    assert request.method == method
    assert request.url.raw_path.decode().split("?")[0] == raw_path
    sent_query = {k: v[0] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}
    if vendor == "tencent":
        assert SIGNING_QUERY <= sent_query.keys()
        sent_query = {k: v for k, v in sent_query.items() if k not in SIGNING_QUERY}
    assert sent_query == query
    if body is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == body


@pytest.mark.parametrize(("vendor", "name", "args", "kwargs", "method", "path", "query", "body"), CALLS)
def test_sync_call_sends_the_documented_request(vendor, name, args, kwargs, method, path, query, body) -> None:
    recorder = answering(vendor)
    with make_client(vendor, recorder) as client:
        getattr(client, name)(*args, **kwargs)
    _check_request(recorder, vendor, method, path, query, body)


@pytest.mark.anyio
@pytest.mark.parametrize(("vendor", "name", "args", "kwargs", "method", "path", "query", "body"), CALLS)
async def test_async_call_sends_the_documented_request(vendor, name, args, kwargs, method, path, query, body) -> None:
    recorder = answering(vendor)
    async with make_client(vendor, recorder, asynchronous=True) as client:
        await getattr(client, name)(*args, **kwargs)
    _check_request(recorder, vendor, method, path, query, body)


def test_path_parameters_may_be_passed_by_keyword() -> None:
    recorder = answering("feishu")
    with make_client("feishu", recorder) as client:
        client.unbind_meeting_chat(calendar_id="c@x", event_id="e 1", meeting_chat_id="oc_1")
    assert recorder.last.url.raw_path.decode().startswith("/open-apis/calendar/v4/calendars/c%40x/events/e%201/")


def test_remove_chat_members_answers_the_invalid_ids() -> None:
    recorder = answering("feishu", body=ok_body("feishu", {"invalid_id_list": ["ou_bad"]}))
    with make_client("feishu", recorder) as client:
        answer = client.remove_chat_members("oc_1", id_list=["ou_1", "ou_bad"])
    assert answer.invalid_id_list == ["ou_bad"]


@pytest.mark.parametrize(
    ("vendor", "name", "args", "kwargs"),
    [
        ("feishu", "disband_chat", ("oc_1",), {}),
        ("tencent", "destroy_group", (), {"group_id": "@TGS#1"}),
        ("yunxin", "dismiss_team", ("1001",), {"team_type": 1, "operator_id": "acc1"}),
    ],
)
def test_disbanding_answers_disbanded_with_the_request_id(vendor, name, args, kwargs) -> None:
    headers = {"X-Tt-Logid": "log-123"} if vendor == "feishu" else None
    recorder = answering(vendor, headers=headers)
    with make_client(vendor, recorder) as client:
        result = getattr(client, name)(*args, **kwargs)
    assert result.already_gone is False and result.attempts == 1
    if vendor == "feishu":
        assert result.request_id == "log-123"
    elif vendor == "yunxin":  # our own trace id, sent with the request
        assert result.request_id == recorder.last.headers["X-custom-traceid"]


def test_yunxin_success_code_zero_is_accepted_too() -> None:
    recorder = answering("yunxin", body={"code": 0, "msg": "ok", "data": {}})
    with make_client("yunxin", recorder) as client:
        assert client.dismiss_team("1", team_type=1, operator_id="a").already_gone is False


def test_base_url_and_region_choose_the_host() -> None:
    import tencent_im

    recorder = answering("tencent")
    client = tencent_im.TencentIMClient(
        sdkappid=1400000000, secret_key="k", region="singapore", transport=recorder.transport, rate_limit=False
    )
    client.destroy_group(group_id="@TGS#1")
    assert recorder.last.url.host == "adminapisgp.im.qcloud.com"
    other = make_client("tencent", answering("tencent"), base_url="http://127.0.0.1:9/")
    assert other.base_url == "http://127.0.0.1:9"
    with pytest.raises(tencent_im.ValidationError, match="region"):
        tencent_im.TencentIMClient(sdkappid=1, secret_key="k", region="mars")


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_base_url_overrides_a_region(asynchronous: bool) -> None:
    import tencent_im

    client_class = tencent_im.AsyncTencentIMClient if asynchronous else tencent_im.TencentIMClient
    client = client_class(sdkappid=1400000000, secret_key="k", region="singapore", base_url="http://127.0.0.1:9/")
    assert client.base_url == "http://127.0.0.1:9"
    # Unused, but still checked: a misspelt region is reported, not silently dropped.
    with pytest.raises(tencent_im.ValidationError, match="region must be one of"):
        client_class(sdkappid=1400000000, secret_key="k", region="mars", base_url="http://127.0.0.1:9")
