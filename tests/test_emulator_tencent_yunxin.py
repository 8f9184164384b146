"""The emulator's Tencent and Yunxin routes over real HTTP: signatures, every state-driven error row."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tencent_im.error_codes import lookup as tencent_lookup
from yunxin_im.error_codes import lookup as yunxin_lookup

from imgroup.emulator import EmulatorServer
from imgroup.emulator._checksum import checksum, checksum_is_valid
from imgroup.emulator._usersig import UserSigFailure, signature, signed_content, verify_usersig

DESTROY = "/v4/group_open_http_svc/destroy_group"


@pytest.fixture
def http(imgroup_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as client:
        yield client


# --- the vendors' published vectors -------------------------------------------------------------------------


def test_usersig_signature_matches_the_published_vector() -> None:
    key = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
    content = signed_content("administrator", 1400000000, 1700000000, 86400)
    assert signature(key, content) == "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60="


def test_checksum_matches_the_published_vector() -> None:
    assert checksum("appsecret", "nonce123", "1700000000") == "46ab585644815516801391be81c48a4043a3d5db"


@settings(max_examples=50, deadline=None)
@given(
    identifier=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30),
    key=st.text(min_size=1, max_size=64),
    other_key=st.text(min_size=1, max_size=64),
    sdkappid=st.integers(1400000000, 1499999999),
)
def test_usersigs_from_the_vendor_package_verify_only_with_their_key(
    identifier: str, key: str, other_key: str, sdkappid: int
) -> None:
    from TLSSigAPIv2 import TLSSigAPIv2

    usersig = TLSSigAPIv2(sdkappid, key).gen_sig(identifier, 3600)
    now = time.time()
    assert verify_usersig(usersig, sdkappid=sdkappid, identifier=identifier, key=key, now=now) is None
    if other_key != key:
        wrong = verify_usersig(usersig, sdkappid=sdkappid, identifier=identifier, key=other_key, now=now)
        assert wrong is UserSigFailure.BAD_SIGNATURE
    other = verify_usersig(usersig, sdkappid=sdkappid, identifier=identifier + "x", key=key, now=now)
    assert other is UserSigFailure.IDENTIFIER_MISMATCH
    assert verify_usersig(usersig, sdkappid=sdkappid, identifier=identifier, key=key, now=now + 3601) is (
        UserSigFailure.EXPIRED
    )


@settings(max_examples=50, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=40),
    nonce=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=128),
    skew=st.integers(-300, 300),
)
def test_checksums_verify_within_five_minutes_and_only_with_their_secret(secret: str, nonce: str, skew: int) -> None:
    curtime = 1_700_000_000
    sent = hashlib.sha1((secret + nonce + str(curtime)).encode()).hexdigest()
    valid = {"nonce": nonce, "curtime": str(curtime), "sent_checksum": sent}
    assert checksum_is_valid(app_secret=secret, now=curtime + skew, **valid)
    assert not checksum_is_valid(app_secret=secret + "x", now=curtime, **valid)
    assert not checksum_is_valid(app_secret=secret, now=curtime + 301, **valid)
    long_nonce = nonce + "n" * 128
    signed_long = hashlib.sha1((secret + long_nonce + str(curtime)).encode()).hexdigest()
    assert not checksum_is_valid(
        app_secret=secret, now=curtime, nonce=long_nonce, curtime=str(curtime), sent_checksum=signed_long
    )


# --- Tencent destroy_group ----------------------------------------------------------------------------------


def assert_tencent(answer: httpx.Response, code: int) -> None:
    assert answer.status_code == 200
    if code == 0:
        assert answer.json() == {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
        return
    row = tencent_lookup(code)
    assert row is not None
    assert answer.json() == {"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": row.message}


def test_destroy_group_succeeds_once_then_answers_10010(
    http: httpx.Client, imgroup_emulator: EmulatorServer, tencent_query: dict[str, Any]
) -> None:
    assert_tencent(http.post(DESTROY, params=tencent_query, json={"GroupId": "@TGS#demo1"}), 0)
    assert_tencent(http.post(DESTROY, params=tencent_query, json={"GroupId": "@TGS#demo1"}), 10010)
    assert imgroup_emulator.state()["tencent"]["groups"]["@TGS#demo1"]["destroyed"] is True
    calls = imgroup_emulator.calls()
    assert [(c["target"], c["code"], c["effect"], c["app"]) for c in calls] == [
        ("@TGS#demo1", 0, "disbanded", "1400000000"),
        ("@TGS#demo1", 10010, None, "1400000000"),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"GroupId": "@TGS#no_such_group"}, 10010),
        ({"GroupId": "@TGS#demo_gone"}, 10010),
        ({"GroupId": "x" * 49}, 10015),
        ({"GroupId": ""}, 10015),
        ({"GroupId": "has space"}, 10015),
        ({"GroupId": 12}, 10004),
        ({}, 10004),
        ("not json", 10004),
    ],
)
def test_destroy_group_answers_each_state_error_row(
    http: httpx.Client, tencent_query: dict[str, Any], body: Any, code: int
) -> None:
    if body == "not json":
        answer = http.post(DESTROY, params=tencent_query, content=b"{GroupId")
    else:
        answer = http.post(DESTROY, params=tencent_query, json=body)
    assert_tencent(answer, code)


def test_an_unknown_command_answers_10003(http: httpx.Client, tencent_query: dict[str, Any]) -> None:
    assert_tencent(http.post("/v4/group_open_http_svc/no_such_command", params=tencent_query, json={}), 10003)


def test_usersig_refusals(
    http: httpx.Client,
    imgroup_emulator: EmulatorServer,
    tencent_query: dict[str, Any],
    tencent_usersig: Callable[..., str],
) -> None:
    creds = imgroup_emulator.credentials["tencent"]
    sdkappid, key, admin = creds["sdkappid"], creds["secret_key"], creds["identifier"]
    imgroup_emulator.seed({"tencent": {"apps": [{"sdkappid": 1400000001, "secret_key": "other", "admin": admin}]}})
    cases: list[tuple[dict[str, Any], int]] = [
        ({"sdkappid": None}, 60006),
        ({"sdkappid": "abc"}, 60006),
        ({"sdkappid": 1499999999}, 70020),
        ({"identifier": None}, 60004),
        ({"usersig": None}, 60004),
        ({"usersig": ""}, 70002),
        ({"usersig": "not*a*usersig"}, 70003),
        ({"usersig": tencent_usersig(sdkappid, "wrong-key", admin)}, 70009),
        ({"usersig": tencent_usersig(1400000001, "other", admin)}, 70014),
        ({"usersig": tencent_usersig(sdkappid, key, "someone")}, 70013),
        ({"usersig": tencent_usersig(sdkappid, key, admin, expire=60, now=int(time.time()) - 120)}, 70001),
        ({"identifier": "user1", "usersig": tencent_usersig(sdkappid, key, "user1")}, 70403),
        ({"random": None}, 10004),
        ({"random": 2**32}, 10004),
        ({"random": -1}, 10004),
        ({"contenttype": "xml"}, 10004),
    ]
    for change, code in cases:
        query = {**tencent_query, **change}
        query = {name: value for name, value in query.items() if value is not None}
        answer = http.post(DESTROY, params=query, json={"GroupId": "@TGS#demo2"})
        assert answer.json()["ErrorCode"] == code, change
        assert_tencent(answer, code)
    assert imgroup_emulator.state()["tencent"]["groups"]["@TGS#demo2"]["destroyed"] is False


# --- Yunxin dismiss_team ------------------------------------------------------------------------------------


@pytest.fixture
def yunxin(
    http: httpx.Client, imgroup_emulator: EmulatorServer, yunxin_headers: Callable[..., dict[str, str]]
) -> Callable[..., httpx.Response]:
    creds = imgroup_emulator.credentials["yunxin"]

    def dismiss(team_id: str, body: Any, **header_changes: Any) -> httpx.Response:
        headers = {**yunxin_headers(creds["app_key"], creds["app_secret"]), **header_changes}
        headers = {name: value for name, value in headers.items() if value is not None}
        return http.request("DELETE", f"/im/v2/teams/{team_id}", headers=headers, json=body)

    return dismiss


def assert_yunxin(answer: httpx.Response, code: int) -> None:
    assert answer.status_code == 200
    if code == 200:
        assert answer.json() == {"code": 200, "msg": "success", "data": {}}
        return
    row = yunxin_lookup(code)
    assert row is not None
    assert answer.json() == {"code": code, "msg": row.message}


def test_dismiss_team_succeeds_once_then_answers_108404(
    yunxin: Callable[..., httpx.Response], imgroup_emulator: EmulatorServer
) -> None:
    assert_yunxin(yunxin("1001", {"team_type": 1, "operator_id": "acc_owner", "extension": "{}"}), 200)
    assert_yunxin(yunxin("1001", {"team_type": 1, "operator_id": "acc_owner"}), 108404)
    assert imgroup_emulator.state()["yunxin"]["teams"]["1001"]["dismissed"] is True
    assert [c["effect"] for c in imgroup_emulator.calls()] == ["disbanded", None]


@pytest.mark.parametrize(
    ("team_id", "body", "code"),
    [
        ("1002", {"team_type": 1, "operator_id": "acc_manager"}, 200),
        ("2001", {"team_type": 2, "operator_id": "acc_owner", "extension": "x" * 600}, 200),
        ("1002", {"team_type": 1, "operator_id": "acc_owner", "extension": "x" * 512}, 200),
        ("9999", {"team_type": 1, "operator_id": "acc_owner"}, 108404),
        ("1999", {"team_type": 1, "operator_id": "acc_owner"}, 108404),
        ("2001", {"team_type": 1, "operator_id": "acc_owner"}, 108302),
        ("1002", {"team_type": 2, "operator_id": "acc_owner"}, 108404),
        ("1002", {"team_type": 1, "operator_id": "acc_member"}, 109432),
        ("2001", {"team_type": 2, "operator_id": "acc_manager"}, 109427),
        ("1002", {"team_type": 1, "operator_id": "acc_outsider"}, 109404),
        ("1002", {"team_type": 1, "operator_id": "acc_nobody"}, 102404),
        ("1002", {"team_type": 3, "operator_id": "acc_owner"}, 414),
        ("1002", {"team_type": True, "operator_id": "acc_owner"}, 414),
        ("1002", {"team_type": 1}, 414),
        ("1002", {"team_type": 1, "operator_id": ""}, 414),
        ("1002", {"team_type": 1, "operator_id": "acc_owner", "extension": "x" * 513}, 414),
        ("1002", {"team_type": 1, "operator_id": "acc_owner", "extension": 5}, 414),
        ("1002", None, 414),
    ],
)
def test_dismiss_team_answers_each_state_error_row(
    yunxin: Callable[..., httpx.Response], imgroup_emulator: EmulatorServer, team_id: str, body: Any, code: int
) -> None:
    assert_yunxin(yunxin(team_id, body), code)
    team = imgroup_emulator.state()["yunxin"]["teams"].get(team_id)
    if team is not None and team_id != "1999":
        assert team["dismissed"] is (code == 200)


def test_checksum_refusals(yunxin: Callable[..., httpx.Response], imgroup_emulator: EmulatorServer) -> None:
    secret = imgroup_emulator.credentials["yunxin"]["app_secret"]
    body = {"team_type": 1, "operator_id": "acc_owner"}
    cases: list[tuple[dict[str, Any], int]] = [
        ({"AppKey": None}, 414),
        ({"AppKey": "unknown_key"}, 101303),
        ({"CheckSum": "0" * 40}, 414),
        ({"CheckSum": None}, 414),
        ({"CurTime": -301}, 414),  # seconds from now, signed just before it is sent (not before the loop)
        ({"CurTime": 301}, 414),
        ({"Nonce": "n" * 129, "CheckSum": None}, 414),
        ({"Nonce": None}, 414),
    ]
    for change, code in cases:
        if isinstance(change.get("CurTime"), int):
            signed_at = str(int(time.time()) + change["CurTime"])
            change = {"CurTime": signed_at, "CheckSum": checksum(secret, "nonce-1", signed_at)}
        if change.get("Nonce") and change.get("CheckSum", "") is None:
            now = str(int(time.time()))
            change = {**change, "CurTime": now, "CheckSum": checksum(secret, change["Nonce"], now)}
        answer = yunxin("1002", body, **change)
        assert answer.json()["code"] == code, change
        assert_yunxin(answer, code)
    assert imgroup_emulator.state()["yunxin"]["teams"]["1002"]["dismissed"] is False
    now = str(int(time.time()))
    assert_yunxin(yunxin("1002", body, Nonce="n" * 128, CurTime=now, CheckSum=checksum(secret, "n" * 128, now)), 200)
