"""The signers: published vectors, the vendors' own package, independent re-computation, and how they cache."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import zlib
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from vendor_fakes import TOKEN_PATH, Recorder, answering, error_body, make_client, ok_body, token_response

from imgroup.runtime.signers import feishu_tenant_token as feishu_auth
from imgroup.runtime.signers import tencent_usersig as tencent_auth
from imgroup.runtime.signers import yunxin_checksum as yunxin_auth

TENCENT_VECTOR_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"


def decode_usersig(usersig: str) -> dict[str, Any]:
    raw = base64.b64decode(usersig.translate(str.maketrans("*-_", "+/=")))
    return json.loads(zlib.decompress(raw))


def reference_hmac(key: str, identifier: str, sdkappid: int, now: int, expire: int) -> str:
    content = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{now}\nTLS.expire:{expire}\n"
    return base64.b64encode(hmac.new(key.encode(), content.encode(), hashlib.sha256).digest()).decode()


def test_usersig_matches_the_published_vector() -> None:
    sig = tencent_auth.usersig_hmac(TENCENT_VECTOR_KEY, "administrator", 1400000000, 1700000000, 86400)
    assert sig == "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60="
    document = decode_usersig(
        tencent_auth.gen_usersig(TENCENT_VECTOR_KEY, "administrator", 1400000000, now=1700000000, expire=86400)
    )
    assert document == {
        "TLS.ver": "2.0",
        "TLS.identifier": "administrator",
        "TLS.sdkappid": 1400000000,
        "TLS.expire": 86400,
        "TLS.time": 1700000000,
        "TLS.sig": "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=",
    }


def test_usersig_agrees_with_the_vendors_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import TLSSigAPIv2

    monkeypatch.setattr(time, "time", lambda: 1700000123.5)
    theirs = decode_usersig(TLSSigAPIv2.TLSSigAPIv2(1400000000, TENCENT_VECTOR_KEY).gen_sig("administrator", 3600))
    ours = decode_usersig(
        tencent_auth.gen_usersig(TENCENT_VECTOR_KEY, "administrator", 1400000000, now=1700000123, expire=3600)
    )
    assert ours == theirs


@given(
    identifier=st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1, max_size=40),
    sdkappid=st.integers(1, 2**32 - 1),
    now=st.integers(0, 2**33),
    expire=st.integers(1, 10**8),
    key=st.text(min_size=1, max_size=80),
)
def test_usersig_decodes_and_verifies_for_any_input(
    identifier: str, sdkappid: int, now: int, expire: int, key: str
) -> None:
    usersig = tencent_auth.gen_usersig(key, identifier, sdkappid, now=now, expire=expire)
    assert set(usersig) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_")
    document = decode_usersig(usersig)
    assert (document["TLS.identifier"], document["TLS.sdkappid"], document["TLS.time"], document["TLS.expire"]) == (
        identifier,
        sdkappid,
        now,
        expire,
    )
    assert document["TLS.sig"] == reference_hmac(key, identifier, sdkappid, now, expire)


def test_usersig_with_userbuf_signs_it() -> None:
    plain = tencent_auth.usersig_hmac("k", "admin", 1, 2, 3)
    with_buf = tencent_auth.usersig_hmac("k", "admin", 1, 2, 3, userbuf=b"room")
    assert plain != with_buf
    assert decode_usersig(tencent_auth.gen_usersig("k", "admin", 1, now=2, expire=3, userbuf=b"room"))[
        "TLS.userbuf"
    ] == (base64.b64encode(b"room").decode())


def test_checksum_matches_the_published_vector() -> None:
    assert yunxin_auth.checksum("appsecret", "nonce123", "1700000000") == "46ab585644815516801391be81c48a4043a3d5db"


@given(secret=st.text(), nonce=st.text(max_size=128), cur_time=st.integers(0, 2**40).map(str))
def test_checksum_is_sha1_of_the_concatenation(secret: str, nonce: str, cur_time: str) -> None:
    expected = hashlib.sha1((secret + nonce + cur_time).encode()).hexdigest()
    assert yunxin_auth.checksum(secret, nonce, cur_time) == expected


def test_yunxin_signs_every_attempt_afresh() -> None:
    recorder = answering("yunxin")
    with make_client("yunxin", recorder) as client:
        client.dismiss_team("1", team_type=1, operator_id="a")
        client.dismiss_team("2", team_type=1, operator_id="a")
    first, second = recorder.requests
    assert first.headers["Nonce"] != second.headers["Nonce"]
    for request in recorder.requests:
        assert 0 < len(request.headers["Nonce"]) <= 128
        assert abs(int(request.headers["CurTime"]) - time.time()) < 60
        assert request.headers["AppKey"] == "yunxin-app-key"
        expected = hashlib.sha1(
            ("yunxin-app-secret-value" + request.headers["Nonce"] + request.headers["CurTime"]).encode()
        ).hexdigest()
        assert request.headers["CheckSum"] == expected


def test_tencent_reuses_the_usersig_until_near_expiry_and_sends_a_fresh_random() -> None:
    clock = [1_700_000_000.0]
    randoms = iter(range(1000, 2000))
    auth = tencent_auth.TencentUserSigAuth(
        1400000000, "key", "administrator", usersig_ttl=1000, clock=lambda: clock[0], random=lambda: next(randoms)
    )
    sent: list[httpx.Request] = []
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)), auth=auth, base_url="http://t"
    )
    client.post("/v4/x")
    clock[0] += 800  # still more than a tenth of the validity left
    client.post("/v4/x")
    clock[0] += 150  # now within the last tenth: a new one
    client.post("/v4/x")
    params = [dict(r.url.params) for r in sent]
    assert params[0]["usersig"] == params[1]["usersig"] != params[2]["usersig"]
    assert [p["random"] for p in params] == ["1000", "1001", "1002"]
    assert all(p["contenttype"] == "json" and p["identifier"] == "administrator" for p in params)
    assert decode_usersig(params[2]["usersig"])["TLS.time"] == 1_700_000_950


def test_feishu_fetches_the_token_once_and_caches_it() -> None:
    recorder = answering("feishu")
    with make_client("feishu", recorder) as client:
        client.disband_chat("oc_1")
        client.disband_chat("oc_2")
    assert len(recorder.token_requests) == 1
    assert json.loads(recorder.token_requests[0].content)["app_secret"] == "feishu-app-secret-value"
    assert all(r.headers["Authorization"] == "Bearer t-fresh-token" for r in recorder.requests)


def test_feishu_token_is_renewed_shortly_before_it_expires() -> None:
    clock = [0.0]
    from feishu_im.facade import prepare_get_tenant_access_token
    from feishu_im.vendor import VENDOR

    auth = feishu_auth.TenantTokenAuth(
        "cli_renew_test",
        "s",
        "http://f",
        vendor=VENDOR,
        token_request=lambda app_id, app_secret: prepare_get_tenant_access_token(app_id=app_id, app_secret=app_secret),
        token_operation="get_tenant_access_token",
        clock=lambda: clock[0],
    )
    tokens = iter(["t-1", "t-2"])
    fetched: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            fetched.append(token := next(tokens))
            return token_response(token, expire=7200)
        return httpx.Response(200, json=ok_body("feishu"))

    client = httpx.Client(transport=httpx.MockTransport(answer), auth=auth, base_url="http://f")
    client.delete("/open-apis/im/v1/chats/a")
    clock[0] = 7200 - 601  # the official SDK's margin: ten minutes
    client.delete("/open-apis/im/v1/chats/a")
    assert fetched == ["t-1"]
    clock[0] = 7200 - 599
    client.delete("/open-apis/im/v1/chats/a")
    assert fetched == ["t-1", "t-2"]


def test_feishu_refetches_once_on_an_invalid_token_and_retries() -> None:
    tokens = iter(["t-old", "t-new"])
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            return token_response(next(tokens))
        seen.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer t-old":
            return httpx.Response(400, json=error_body("feishu", 99991663, "Invalid access token for authorization."))
        return httpx.Response(200, json=ok_body("feishu"))

    recorder = Recorder(answer, answer_tokens=False)
    with make_client("feishu", recorder, max_retries=0) as client:
        assert client.disband_chat("oc_1").already_gone is False
    assert seen == ["Bearer t-old", "Bearer t-new"]


def test_feishu_gives_up_after_one_refetch() -> None:
    import feishu_im

    recorder = answering("feishu", 400, error_body("feishu", 99991663, "Invalid access token"))
    with make_client("feishu", recorder, max_retries=0) as client, pytest.raises(feishu_im.UnauthenticatedError):
        client.disband_chat("oc_1")
    assert len(recorder.requests) == 2 and len(recorder.token_requests) == 2


def test_feishu_threads_share_one_token_fetch() -> None:
    gate = threading.Event()
    token_calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            token_calls.append(1)
            gate.wait(0.2)  # hold the fetch open so the other threads pile up behind it
            return token_response()
        return httpx.Response(200, json=ok_body("feishu"))

    recorder = Recorder(answer, answer_tokens=False)
    client = make_client("feishu", recorder)
    threads = [threading.Thread(target=client.disband_chat, args=(f"oc_{i}",)) for i in range(16)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    assert len(token_calls) == 1
    assert len([r for r in recorder.requests if r.url.path != TOKEN_PATH]) == 16


@pytest.mark.anyio
async def test_feishu_tasks_share_one_token_fetch() -> None:
    token_calls = []

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            token_calls.append(1)
            await asyncio.sleep(0.05)
            return token_response()
        return httpx.Response(200, json=ok_body("feishu"))

    recorder = Recorder(answer, answer_tokens=False)  # type: ignore[arg-type]
    async with make_client("feishu", recorder, asynchronous=True) as client:
        await asyncio.gather(*(client.disband_chat(f"oc_{i}") for i in range(16)))
    assert len(token_calls) == 1


def test_feishu_user_token_is_sent_as_is() -> None:
    import feishu_im

    recorder = answering("feishu")
    client = feishu_im.FeishuClient(user_access_token="u-7f1bcd13", transport=recorder.transport, rate_limit=False)
    client.disband_chat("oc_1")
    assert recorder.last.headers["Authorization"] == "Bearer u-7f1bcd13" and recorder.token_requests == []


def test_a_bad_app_secret_is_a_typed_error() -> None:
    import feishu_im

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 10014, "msg": "app secret invalid"})

    with (
        make_client("feishu", Recorder(answer, answer_tokens=False)) as client,
        pytest.raises(feishu_im.ApiError) as caught,
    ):
        client.disband_chat("oc_1")
    assert caught.value.code == 10014 and caught.value.operation == "get_tenant_access_token"
