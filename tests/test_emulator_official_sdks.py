"""The emulator agrees with the vendors' own code: lark-oapi and tls-sig-api-v2 against it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from imgroup.emulator import EmulatorServer

DESTROY = "/v4/group_open_http_svc/destroy_group"


@pytest.fixture
def http(imgroup_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as client:
        yield client


def test_lark_oapi_fetches_a_token_and_disbands_a_chat(imgroup_emulator: EmulatorServer) -> None:
    import lark_oapi as lark
    from lark_oapi.api.im.v1 import DeleteChatRequest

    creds = imgroup_emulator.credentials["feishu"]
    client = (
        lark.Client.builder()
        .app_id(creds["app_id"])
        .app_secret(creds["app_secret"])
        .domain(imgroup_emulator.base_url)
        .log_level(lark.LogLevel.ERROR)
        .build()
    )
    done = client.im.v1.chat.delete(DeleteChatRequest.builder().chat_id("oc_demo_3").build())
    assert done.success(), (done.code, done.msg)
    again = client.im.v1.chat.delete(DeleteChatRequest.builder().chat_id("oc_demo_3").build())
    assert (again.success(), again.code) == (False, 232009)
    assert again.get_log_id()
    calls = imgroup_emulator.calls()
    assert [(c["operation"], c["code"], c["effect"]) for c in calls] == [
        ("get_tenant_access_token", 0, None),
        ("disband_chat", 0, "disbanded"),
        ("disband_chat", 232009, None),
    ]


def test_a_usersig_from_tls_sig_api_v2_is_accepted_and_one_with_the_wrong_key_refused(
    http: httpx.Client, imgroup_emulator: EmulatorServer
) -> None:
    import TLSSigAPIv2 as tls

    creds = imgroup_emulator.credentials["tencent"]
    query = {
        "sdkappid": creds["sdkappid"],
        "identifier": creds["identifier"],
        "random": 99999999,
        "contenttype": "json",
    }
    good = tls.TLSSigAPIv2(creds["sdkappid"], creds["secret_key"]).gen_sig(creds["identifier"], 3600)
    wrong = tls.TLSSigAPIv2(creds["sdkappid"], creds["secret_key"] + "x").gen_sig(creds["identifier"], 3600)
    with_userbuf = tls.TLSSigAPIv2(creds["sdkappid"], creds["secret_key"]).gen_sig_with_userbuf(
        creds["identifier"], 3600, b"buf"
    )
    refused = http.post(DESTROY, params={**query, "usersig": wrong}, json={"GroupId": "@TGS#demo1"})
    assert refused.json()["ErrorCode"] == 70009
    accepted = http.post(DESTROY, params={**query, "usersig": good}, json={"GroupId": "@TGS#demo1"})
    assert accepted.json() == {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
    also = http.post(DESTROY, params={**query, "usersig": with_userbuf}, json={"GroupId": "@TGS#demo2"})
    assert also.json()["ErrorCode"] == 0
