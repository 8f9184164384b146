"""The event verifiers: the vendors' published vectors, lark-oapi's own code, and one changed byte refused."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imgroup.runtime.verifiers import InboundRequest, Refused, make_verifier
from imgroup.runtime.verifiers.feishu_event import AesCbc, aes_key, decrypt, encrypt
from imgroup.runtime.verifiers.tencent_callback import sign
from imgroup.runtime.verifiers.yunxin_checksum import checksum
from tests.event_requests import (
    FEISHU_APP,
    FEISHU_KEY,
    FEISHU_TOKEN,
    TENCENT_APP,
    TENCENT_TOKEN,
    YUNXIN_APP,
    YUNXIN_SECRET,
    compact,
    feishu_event,
    feishu_request,
    tencent_query,
    yunxin_headers,
)

NOW = 1_700_000_000.0
DISBANDED = feishu_event("im.chat.disbanded_v1", {"chat_id": "oc_1", "name": "Phoenix"}, event_id="ev-1")
TENCENT_BODY = compact({"CallbackCommand": "Group.CallbackAfterGroupDestroyed", "GroupId": "@TGS#1", "EventTime": 1})
YUNXIN_BODY = compact({"eventType": "1", "convType": "TEAM", "to": "6001", "msgType": "NOTIFICATION"})


def feishu_verifier(*, key: str | None = FEISHU_KEY, token: str | None = FEISHU_TOKEN) -> Any:
    import feishu_im.events

    secrets = {"verification_token": token, "encrypt_key": key}
    return make_verifier(feishu_im.events.VERIFIER, app=FEISHU_APP, secrets=secrets)


def tencent_verifier(token: str | None = TENCENT_TOKEN) -> Any:
    import tencent_im.events

    return make_verifier(tencent_im.events.VERIFIER, app=TENCENT_APP, secrets={"callback_token": token})


def yunxin_verifier() -> Any:
    import yunxin_im.events

    return make_verifier(yunxin_im.events.VERIFIER, app=YUNXIN_APP, secrets={"app_secret": YUNXIN_SECRET})


# The vendors' published vectors


def test_feishu_decrypts_its_published_example() -> None:
    # Feishu's Encrypt Key page: key "test key", the ciphertext below, plaintext "hello world".
    assert decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key") == b"hello world"


def test_tencent_sign_matches_its_published_example() -> None:
    # Tencent's callback configuration page: Token xxxxyyyy, RequestTime 1669872112.
    assert sign("xxxxyyyy", "1669872112") == "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"


def test_yunxin_md5_is_of_the_raw_body_as_its_copy_example_shows() -> None:
    # The 开通和配置消息抄送 page's curl example posts "{}" with an MD5 starting 99914b932bd37a5.
    assert hashlib.md5(b"{}").hexdigest().startswith("99914b932bd37a5")
    assert (
        checksum("secret", "99914b932bd37a50b983c5e7c90ae93b", "1")
        == hashlib.sha1(b"secret99914b932bd37a50b983c5e7c90ae93b1").hexdigest()
    )


# lark-oapi reads what we make, and we read what it makes


def test_lark_oapi_decrypts_our_encryption_and_accepts_our_signature() -> None:
    import lark_oapi as lark
    from lark_oapi.core.utils.decryptor import AESCipher

    body, headers = feishu_request(DISBANDED, NOW)
    import json

    assert AESCipher(FEISHU_KEY).decrypt_str(json.loads(body)["encrypt"]) == compact(DISBANDED).decode()
    seen: list[str] = []
    handler = (
        lark.EventDispatcherHandler.builder(FEISHU_KEY, FEISHU_TOKEN)
        .register_p2_im_chat_disbanded_v1(lambda event: seen.append(event.event.chat_id))
        .build()
    )
    request = lark.RawRequest()
    request.uri = "/events/feishu"
    request.body = body
    request.headers = headers
    response = handler.do(request)
    assert response.status_code == 200 and seen == ["oc_1"]


def test_feishu_event_verified_decrypted_and_named() -> None:
    body, headers = feishu_request(DISBANDED, NOW)
    verified = feishu_verifier().verify(InboundRequest(body=body, headers=headers), NOW)
    assert (verified.key, verified.dedup_id, verified.app, verified.tenant) == (
        "im.chat.disbanded_v1",
        "ev-1",
        FEISHU_APP,
        "tenant-1",
    )
    assert verified.payload == DISBANDED


def test_feishu_challenge_is_answered_by_its_token_alone() -> None:
    body, _ = feishu_request({"challenge": "c-1", "type": "url_verification", "token": FEISHU_TOKEN}, NOW)
    verified = feishu_verifier().verify(InboundRequest(body=body, headers={}), NOW)
    assert verified.challenge == "c-1"
    wrong, _ = feishu_request({"challenge": "c-1", "type": "url_verification", "token": "other"}, NOW)
    with pytest.raises(Refused):
        feishu_verifier().verify(InboundRequest(body=wrong, headers={}), NOW)


def test_feishu_v1_store_app_event_is_deduplicated_by_uuid() -> None:
    ticket = {
        "uuid": "u-1",
        "token": FEISHU_TOKEN,
        "ts": "1700000000.1",
        "type": "event_callback",
        "event": {"app_id": FEISHU_APP, "app_ticket": "t", "type": "app_ticket"},
    }
    body, headers = feishu_request(ticket, NOW)
    verified = feishu_verifier().verify(InboundRequest(body=body, headers=headers), NOW)
    assert (verified.key, verified.dedup_id) == ("app_ticket", "u-1")


@pytest.mark.parametrize(
    ("case", "status"),
    [("stale", 401), ("future", 401), ("other_app", 403), ("wrong_token", 401), ("unsigned", 401), ("plaintext", 401)],
)
def test_feishu_refuses(case: str, status: int) -> None:
    payload, when, headers_of = DISBANDED, NOW, None
    if case == "stale":
        when = NOW - 301
    elif case == "future":
        when = NOW + 301
    elif case == "other_app":
        payload = feishu_event("im.chat.disbanded_v1", {"chat_id": "oc_1"}, event_id="e", app_id="cli_other")
    elif case == "wrong_token":
        payload = {**DISBANDED, "header": {**DISBANDED["header"], "token": "other"}}
    body, headers = feishu_request(payload, when, key=None if case == "plaintext" else FEISHU_KEY)
    if case == "unsigned":
        headers_of = {"Content-Type": "application/json"}
    with pytest.raises(Refused) as refused:
        feishu_verifier().verify(InboundRequest(body=body, headers=headers_of or headers), NOW)
    assert refused.value.status == status


def test_feishu_without_any_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="Verification Token or an Encrypt Key"):
        feishu_verifier(key=None, token=None)


def test_tencent_callback_verified_and_deduplicated_by_body_digest() -> None:
    query = tencent_query("Group.CallbackAfterGroupDestroyed", NOW)
    verified = tencent_verifier().verify(InboundRequest(body=TENCENT_BODY, headers={}, query=query), NOW)
    assert verified.key == "Group.CallbackAfterGroupDestroyed"
    assert verified.dedup_id == hashlib.sha256(TENCENT_BODY).hexdigest()


@pytest.mark.parametrize(("case", "status"), [("stale", 401), ("other_app", 403), ("unsigned", 401)])
def test_tencent_refuses(case: str, status: int) -> None:
    query = tencent_query(
        "Group.CallbackAfterGroupDestroyed",
        NOW - 61 if case == "stale" else NOW,
        app="1400000002" if case == "other_app" else TENCENT_APP,
        token=None if case == "unsigned" else TENCENT_TOKEN,
    )
    with pytest.raises(Refused) as refused:
        tencent_verifier().verify(InboundRequest(body=TENCENT_BODY, headers={}, query=query), NOW)
    assert refused.value.status == status


def test_yunxin_copy_verified() -> None:
    verified = yunxin_verifier().verify(InboundRequest(body=YUNXIN_BODY, headers=yunxin_headers(YUNXIN_BODY, NOW)), NOW)
    assert (verified.key, verified.app) == ("1", YUNXIN_APP)


@pytest.mark.parametrize(("case", "status"), [("stale", 401), ("other_app", 403), ("other_secret", 401)])
def test_yunxin_refuses(case: str, status: int) -> None:
    headers = yunxin_headers(
        YUNXIN_BODY,
        NOW - 301 if case == "stale" else NOW,
        app="other" if case == "other_app" else YUNXIN_APP,
        secret="other" if case == "other_secret" else YUNXIN_SECRET,
    )
    with pytest.raises(Refused) as refused:
        yunxin_verifier().verify(InboundRequest(body=YUNXIN_BODY, headers=headers), NOW)
    assert refused.value.status == status


# One changed byte of anything signed is refused


def _flip(data: bytes, index: int, xor: int) -> bytes:
    index %= len(data)
    return data[:index] + bytes([data[index] ^ xor]) + data[index + 1 :]


def _flip_text(text: str, index: int, xor: int) -> str:
    # Stay printable ASCII (a header value must be), and change the character.
    index %= len(text)
    changed = chr((ord(text[index]) - 32 + xor % 94 + 1) % 95 + 32)
    return text[:index] + changed + text[index + 1 :]


FLIPS = st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))


@settings(max_examples=150, deadline=None)
@given(
    part=st.sampled_from(["body", "X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"]), flip=FLIPS
)
def test_feishu_refuses_one_changed_byte(part: str, flip: tuple[int, int]) -> None:
    body, headers = feishu_request(DISBANDED, NOW)
    if part == "body":
        body = _flip(body, *flip)
    else:
        headers = {**headers, part: _flip_text(headers[part], *flip)}
    with pytest.raises(Refused):
        feishu_verifier().verify(InboundRequest(body=body, headers=headers), NOW)


@settings(max_examples=150, deadline=None)
@given(part=st.sampled_from(["SdkAppid", "RequestTime", "Sign"]), flip=FLIPS)
def test_tencent_refuses_one_changed_byte_of_the_signed_query(part: str, flip: tuple[int, int]) -> None:
    # Tencent's Sign covers the token and RequestTime, and SdkAppid must be ours; it does not cover the body.
    query = tencent_query("Group.CallbackAfterGroupDestroyed", NOW)
    query[part] = _flip_text(query[part], *flip)
    with pytest.raises(Refused):
        tencent_verifier().verify(InboundRequest(body=TENCENT_BODY, headers={}, query=query), NOW)


@settings(max_examples=150, deadline=None)
@given(part=st.sampled_from(["body", "AppKey", "CurTime", "MD5", "CheckSum"]), flip=FLIPS)
def test_yunxin_refuses_one_changed_byte(part: str, flip: tuple[int, int]) -> None:
    body, headers = YUNXIN_BODY, yunxin_headers(YUNXIN_BODY, NOW)
    if part == "body":
        body = _flip(body, *flip)
    else:
        headers = {**headers, part: _flip_text(headers[part], *flip)}
    with pytest.raises(Refused):
        yunxin_verifier().verify(InboundRequest(body=body, headers=headers), NOW)


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=200), key=st.text(min_size=1, max_size=40), iv=st.binary(min_size=16, max_size=16))
def test_feishu_decrypt_inverts_encrypt(plaintext: bytes, key: str, iv: bytes) -> None:
    assert decrypt(encrypt(plaintext, key, iv), key) == plaintext


@settings(max_examples=50, deadline=None)
@given(
    messages=st.lists(st.tuples(st.binary(max_size=100), st.binary(min_size=16, max_size=16)), min_size=1, max_size=8)
)
def test_one_aes_cbc_decrypts_event_after_event_as_a_fresh_cbc_context_does(
    messages: list[tuple[bytes, bytes]],
) -> None:
    # The verifier keeps one AesCbc for all its events: nothing of one event may reach the next.
    cbc = AesCbc(aes_key(FEISHU_KEY))
    for plaintext, iv in messages:
        assert cbc.decrypt(encrypt(plaintext, FEISHU_KEY, iv)) == plaintext
