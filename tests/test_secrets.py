"""App secrets, tokens, UserSigs and CheckSums never reach reprs, exception text or logs."""

from __future__ import annotations

import logging
import traceback

import feishu_im
import httpx
import pytest
import tencent_im
from vendor_fakes import (
    FEISHU_SECRET,
    TENCENT_KEY,
    YUNXIN_SECRET,
    Recorder,
    answering,
    error_body,
    make_client,
)

CALLS = {
    "feishu": lambda c: c.disband_chat("oc_1"),
    "tencent": lambda c: c.destroy_group(group_id="@TGS#1"),
    "yunxin": lambda c: c.dismiss_team("1", team_type=1, operator_id="a"),
}


def secrets_sent(recorder: Recorder) -> set[str]:
    """Every credential value that went over the wire in the recorded requests."""
    found = {FEISHU_SECRET, TENCENT_KEY, YUNXIN_SECRET, "t-fresh-token"}
    for request in recorder.requests:
        if "usersig" in request.url.params:
            found.add(request.url.params["usersig"])
        for header in ("CheckSum", "Authorization"):
            if header in request.headers:
                found.add(request.headers[header])
    return found


@pytest.mark.parametrize("vendor", list(CALLS))
@pytest.mark.parametrize("failure", ["business", "html", "connection"])
def test_secrets_stay_out_of_reprs_errors_and_logs(vendor: str, failure: str, caplog: pytest.LogCaptureFixture) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if failure == "connection":
            raise httpx.ConnectError("refused", request=request)
        if failure == "html":
            return httpx.Response(502, content=b"<html>oops</html>")
        return httpx.Response(400, json=error_body(vendor, 10004 if vendor == "tencent" else 414, "bad"))

    recorder = Recorder(answer)
    caplog.set_level(logging.DEBUG)
    client = make_client(vendor, recorder, max_retries=1)
    client._pipeline._sleep = lambda _seconds: None
    with pytest.raises(Exception) as caught:
        CALLS[vendor](client)
    visible = "\n".join(
        [
            repr(client),
            repr(client._pipeline.auth),
            str(caught.value),
            repr(caught.value),
            "".join(traceback.format_exception(caught.value)),
            caplog.text,
        ]
    )
    assert recorder.requests, "the call must have reached the transport"
    for secret in secrets_sent(recorder):
        assert secret not in visible


def test_httpx_request_log_lines_redact_the_usersig(caplog: pytest.LogCaptureFixture) -> None:
    recorder = answering("tencent")
    caplog.set_level(logging.INFO, logger="httpx")
    with make_client("tencent", recorder) as client:
        client.destroy_group(group_id="@TGS#1")
    usersig = recorder.last.url.params["usersig"]
    assert "HTTP Request" in caplog.text and "usersig=***" in caplog.text
    assert usersig not in caplog.text


def test_token_models_keep_credentials_out_of_repr() -> None:
    request = feishu_im.models.TenantAccessTokenRequest(app_id="cli_a", app_secret="very-secret")
    answer = feishu_im.models.TenantAccessTokenResponse.from_dict(
        {"code": 0, "msg": "ok", "tenant_access_token": "t-secret-token", "expire": 7200}
    )
    assert "very-secret" not in repr(request) and "cli_a" in repr(request)
    assert "t-secret-token" not in repr(answer) and answer.tenant_access_token == "t-secret-token"


def test_a_token_answer_without_a_token_does_not_quote_the_body() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "msg": "ok", "tenant_access_token": "t-leak", "expire": "soon"})

    client = make_client("feishu", Recorder(answer, answer_tokens=False))
    with pytest.raises(feishu_im.ResponseFormatError) as caught:
        client.disband_chat("oc_1")
    assert "t-leak" not in str(caught.value)


def test_client_reprs_name_the_app_but_not_the_secret() -> None:
    client = tencent_im.TencentIMClient(sdkappid=1400000001, secret_key=TENCENT_KEY)
    assert "1400000001" in repr(client) and TENCENT_KEY not in repr(client)
