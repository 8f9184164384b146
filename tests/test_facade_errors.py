"""Answers become typed errors: every documented row, odd bodies, unknown codes; bad arguments fail first."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from vendor_fakes import PACKAGES, Recorder, answering, error_body, make_client

CALL = {
    "feishu": ("disband_chat", ("oc_1",), {}),
    "tencent": ("destroy_group", (), {"group_id": "@TGS#1"}),
    "yunxin": ("dismiss_team", ("1001",), {"team_type": 1, "operator_id": "acc1"}),
}
ROWS = [(vendor, info) for vendor, package in PACKAGES.items() for info in package.error_codes.ERROR_CODES.values()]


def _call(vendor: str, recorder: Recorder, **options: Any) -> Any:
    name, args, kwargs = CALL[vendor]
    with make_client(vendor, recorder, max_retries=0, **options) as client:
        return getattr(client, name)(*args, **kwargs)


@pytest.mark.parametrize(("vendor", "info"), ROWS, ids=[f"{v}-{i.code}" for v, i in ROWS])
def test_every_documented_code_raises_its_category(vendor: str, info: Any) -> None:
    package = PACKAGES[vendor]
    headers = {"X-Tt-Logid": "log-9"} if vendor == "feishu" else {}
    recorder = answering(vendor, info.http_status, error_body(vendor, info.code, info.message), headers)
    with pytest.raises(package.errors.ApiError) as caught:
        _call(vendor, recorder)
    error = caught.value
    own = package.lookup(info.code, CALL[vendor][0])  # the operation's own entry where its page has one
    assert type(error) is package.errors.ERRORS_BY_CATEGORY[own.category]
    assert (error.code, error.message, error.http_status) == (info.code, info.message, info.http_status)
    assert error.info == own and error.category == own.category and error.retryable == own.retryable
    assert error.request_id == ("log-9" if vendor == "feishu" else error.request_id)
    assert str(info.code) in str(error) and own.action in str(error)


@pytest.mark.parametrize(
    ("vendor", "operation", "code", "action"),
    [
        ("tencent", "destroy_group", 10010, "Nothing to do: count the group as disbanded."),
        ("tencent", "get_group_info", 10010, "Check the GroupId; a disbanded group cannot be changed."),
        ("feishu", "disband_chat", 232009, "Nothing to do: count the chat as disbanded."),
        ("feishu", "update_chat", 232009, "Nothing to do: the chat is gone."),
        ("yunxin", "dismiss_team", 108404, "Nothing to do: count the team as dismissed."),
    ],
)
def test_an_error_carries_its_operations_own_advice(vendor: str, operation: str, code: int, action: str) -> None:
    package = PACKAGES[vendor]
    error = package.errors.ApiError  # raised by the runtime, which looks the code up for the operation
    recorder = answering(vendor, 200, error_body(vendor, code, "gone"))
    client = make_client(vendor, recorder, max_retries=0)
    method = getattr(client, operation)
    arguments = {
        "destroy_group": {"group_id": "@TGS#1"},
        "get_group_info": {"group_id_list": ["@TGS#1"]},
        "disband_chat": {"chat_id": "oc_1"},
        "update_chat": {"chat_id": "oc_1", "name": "n"},
        "dismiss_team": {"team_id": "1001", "team_type": 1, "operator_id": "acc1"},
    }[operation]
    with pytest.raises(error) as caught:
        method(**arguments)
    assert caught.value.info.action == action
    assert caught.value.info == package.lookup(code, operation)


def test_a_code_an_operations_page_does_not_word_its_own_way_falls_back_to_the_vendor_wide_entry() -> None:
    import tencent_im
    import yunxin_im

    assert tencent_im.lookup(10010, "destroy_group") != tencent_im.lookup(10010)
    # 70009 is vendor-wide: every operation gets the one entry.
    assert tencent_im.lookup(70009, "destroy_group") is tencent_im.lookup(70009)
    # 108404 is both vendor-wide and on dismiss_team's page: another operation gets the vendor-wide entry.
    assert yunxin_im.lookup(108404, "get_team") is yunxin_im.error_codes.ERROR_CODES[108404]
    assert yunxin_im.lookup(108404, "dismiss_team") != yunxin_im.lookup(108404)
    assert yunxin_im.lookup(1, "dismiss_team") is None


@pytest.mark.parametrize("vendor", list(CALL))
@pytest.mark.parametrize(
    ("status", "content", "problem"),
    [
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "HTML page"),
        (200, b"", "empty body"),
        (200, b'{"code": 0, "msg": "succ', "truncated or invalid JSON"),
        (200, b"[1, 2]", "JSON object"),
        (200, b'{"unexpected": true}', "lacks"),
        (503, b"Service Unavailable", "non-JSON body"),
    ],
)
def test_odd_bodies_raise_response_format_error(vendor: str, status: int, content: bytes, problem: str) -> None:
    package = PACKAGES[vendor]
    recorder = Recorder(lambda _r: httpx.Response(status, content=content))
    with pytest.raises(package.errors.ResponseFormatError) as caught:
        _call(vendor, recorder)
    assert problem in str(caught.value) and caught.value.http_status == status
    assert caught.value.retryable == (status >= 500)


@pytest.mark.parametrize("vendor", list(CALL))
@pytest.mark.parametrize(("status", "category"), [(200, None), (429, "rate_limited"), (503, "unavailable")])
def test_unknown_codes_are_typed_by_http_status(vendor: str, status: int, category: str | None) -> None:
    package = PACKAGES[vendor]
    recorder = answering(vendor, status, error_body(vendor, 987654, "something new"))
    with pytest.raises(package.errors.ApiError) as caught:
        _call(vendor, recorder)
    assert caught.value.info is None and caught.value.category == category and caught.value.code == 987654


def test_feishu_data_that_breaks_the_model_is_a_format_error() -> None:
    import feishu_im

    recorder = answering("feishu", body={"code": 0, "msg": "ok", "data": {"invalid_id_list": 5}})
    with make_client("feishu", recorder) as client, pytest.raises(feishu_im.ResponseFormatError):
        client.remove_chat_members("oc_1", id_list=["ou_1"])


INVALID = [
    ("feishu", "disband_chat", ("",), {}, "chat_id"),
    ("feishu", "disband_chat", (123,), {}, "chat_id"),
    ("feishu", "remove_chat_members", ("oc_1",), {"id_list": []}, "id_list"),
    ("feishu", "remove_chat_members", ("oc_1",), {"id_list": "ou_1"}, "id_list"),
    ("feishu", "remove_chat_members", ("oc_1",), {"id_list": ["ou_1"], "member_id_type": "email"}, "member_id_type"),
    ("feishu", "unbind_meeting_chat", ("c", "e"), {"meeting_chat_id": None}, "meeting_chat_id"),
    ("tencent", "destroy_group", (), {"group_id": ""}, "group_id"),
    ("yunxin", "dismiss_team", ("1",), {"team_type": 3, "operator_id": "a"}, "team_type"),
    ("yunxin", "dismiss_team", ("1",), {"team_type": True, "operator_id": "a"}, "team_type"),
    ("yunxin", "dismiss_team", ("1",), {"team_type": 1, "operator_id": "a", "extension": "x" * 513}, "extension"),
]


@pytest.mark.parametrize(("vendor", "name", "args", "kwargs", "field"), INVALID)
def test_invalid_arguments_fail_before_anything_is_sent(vendor, name, args, kwargs, field) -> None:
    package = PACKAGES[vendor]
    recorder = answering(vendor)
    with make_client(vendor, recorder) as client, pytest.raises(package.errors.ValidationError) as caught:
        getattr(client, name)(*args, **kwargs)
    assert caught.value.field == field and field in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert recorder.requests == [] and recorder.token_requests == []


@pytest.mark.parametrize(
    ("vendor", "options", "field"),
    [
        ("feishu", {"timeout": 0}, "timeout"),
        ("feishu", {"max_retries": -1}, "max_retries"),
        ("feishu", {"rate_limit": {"no_such_operation": 5}}, "rate_limit"),
        ("yunxin", {"base_url": "ftp://x"}, "base_url"),
    ],
)
def test_invalid_client_options_name_the_option(vendor: str, options: dict[str, Any], field: str) -> None:
    package = PACKAGES[vendor]
    with pytest.raises(package.errors.ValidationError, match=field):
        make_client(vendor, answering(vendor), **options)


def test_missing_credentials_are_named() -> None:
    import feishu_im
    import yunxin_im

    with pytest.raises(feishu_im.ValidationError, match="app_id"):
        feishu_im.FeishuClient()
    with pytest.raises(feishu_im.ValidationError, match="user_access_token"):
        feishu_im.FeishuClient(app_id="a", app_secret="b", user_access_token="u-1")
    with pytest.raises(yunxin_im.ValidationError, match="app_secret"):
        yunxin_im.YunxinClient(app_key="k", app_secret="")


def test_connection_failures_are_typed() -> None:
    import feishu_im

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(feishu_im.ApiConnectionError) as refused:
        _call("feishu", Recorder(refuse, answer_tokens=True))
    assert not isinstance(refused.value, feishu_im.ApiTimeoutError)
    with pytest.raises(feishu_im.ApiTimeoutError):
        _call("feishu", Recorder(slow))


def test_error_envelope_with_success_status_still_raises_for_tencent() -> None:
    import tencent_im

    body = {"ActionStatus": "OK", "ErrorCode": 10015, "ErrorInfo": "bad id"}
    recorder = Recorder(lambda _r: httpx.Response(200, content=json.dumps(body).encode()))
    with pytest.raises(tencent_im.InvalidArgumentError):
        _call("tencent", recorder)
