"""The emulator's Feishu routes over real HTTP: tokens, every state-driven error row, the envelope."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from feishu_im.error_codes import lookup

from imgroup.emulator import EmulatorServer

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
CALENDAR = "feishu.cn_demo%40group.calendar.feishu.cn"


@pytest.fixture
def http(imgroup_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as client:
        yield client


def token_for(http: httpx.Client, app_id: str, app_secret: str) -> str:
    answer = http.post(TOKEN_PATH, json={"app_id": app_id, "app_secret": app_secret})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["tenant_access_token"]
    return token


@pytest.fixture
def token(http: httpx.Client, imgroup_emulator: EmulatorServer) -> str:
    return token_for(http, **imgroup_emulator.credentials["feishu"])


def assert_feishu_error(answer: httpx.Response, code: int) -> None:
    """The answer carries ``code`` with the catalogue's HTTP status and exact message, and a log id."""
    row = lookup(code)
    assert row is not None
    assert (answer.status_code, answer.json()) == (row.http_status, {"code": code, "msg": row.message})
    assert answer.headers["X-Tt-Logid"]


def disband(http: httpx.Client, token: str, chat_id: str) -> httpx.Response:
    return http.delete(f"/open-apis/im/v1/chats/{chat_id}", headers={"Authorization": f"Bearer {token}"})


def remove(http: httpx.Client, token: str, chat_id: str, body: Any, **params: str) -> httpx.Response:
    return http.request(
        "DELETE",
        f"/open-apis/im/v1/chats/{chat_id}/members",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        params=params,
    )


def unbind(
    http: httpx.Client, token: str, event_id: str, chat_id: str | None, calendar: str = CALENDAR
) -> httpx.Response:
    params = {"meeting_chat_id": chat_id} if chat_id is not None else {}
    path = f"/open-apis/calendar/v4/calendars/{calendar}/events/{event_id}/meeting_chat"
    return http.delete(path, headers={"Authorization": f"Bearer {token}"}, params=params)


# --- tenant_access_token -----------------------------------------------------------------------------------


def test_token_endpoint_issues_a_token_and_hands_it_out_again_while_fresh(
    http: httpx.Client, imgroup_emulator: EmulatorServer
) -> None:
    first = http.post(TOKEN_PATH, json=imgroup_emulator.credentials["feishu"])
    second = http.post(TOKEN_PATH, json=imgroup_emulator.credentials["feishu"])
    assert first.status_code == 200 and first.headers["X-Tt-Logid"]
    body = first.json()
    assert body["code"] == 0 and body["tenant_access_token"].startswith("t-")
    assert 7190 <= body["expire"] <= 7200
    assert second.json()["tenant_access_token"] == body["tenant_access_token"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"app_id": "cli_demo", "app_secret": "wrong"}, 10014),
        ({"app_id": "cli_unknown", "app_secret": "x"}, 10003),
        ({"app_id": "cli_demo"}, 10003),
        (None, 10003),
    ],
)
def test_token_endpoint_refuses_bad_credentials(http: httpx.Client, body: Any, code: int) -> None:
    answer = http.post(TOKEN_PATH, json=body) if body is not None else http.post(TOKEN_PATH, content=b"not json")
    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert "tenant_access_token" not in answer.json()


def test_expired_token_is_refused_with_99991663_and_a_new_one_works(
    http: httpx.Client, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.faults({"token_ttl_s": 1})
    stale = token_for(http, **imgroup_emulator.credentials["feishu"])
    deadline = time.monotonic() + 3
    answer = disband(http, stale, "oc_demo_1")
    while answer.json()["code"] != 99991663 and time.monotonic() < deadline:
        imgroup_emulator.seed({"feishu": {"chats": [{"chat_id": "oc_demo_1", "owner": "cli_demo"}]}})
        time.sleep(0.2)
        answer = disband(http, stale, "oc_demo_1")
    assert_feishu_error(answer, 99991663)
    fresh = token_for(http, **imgroup_emulator.credentials["feishu"])
    assert fresh != stale
    imgroup_emulator.seed({"feishu": {"chats": [{"chat_id": "oc_demo_1", "owner": "cli_demo"}]}})
    assert disband(http, fresh, "oc_demo_1").json()["code"] == 0


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, 99991661),
        ("t-abc", 99991661),
        ("Basic dXNlcjpwYXNz", 99991661),
        ("Bearer", 99991661),
        ("Bearer t-never-issued", 99991663),
        ("Bearer u-7f1bcd13fc57d46bac21793a18e560", 99991668),
    ],
)
def test_bad_authorization_gets_the_token_codes(http: httpx.Client, authorization: str | None, code: int) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    answer = http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=headers)
    assert_feishu_error(answer, code)


def test_a_token_does_not_survive_a_reset(http: httpx.Client, imgroup_emulator: EmulatorServer, token: str) -> None:
    imgroup_emulator.reset()
    imgroup_emulator.seed({"feishu": {"apps": [{"app_id": "cli_demo", "app_secret": "s"}]}})
    assert_feishu_error(disband(http, token, "oc_demo_1"), 99991663)


# --- disband_chat --------------------------------------------------------------------------------------------


def test_disband_succeeds_once_then_answers_232009(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str
) -> None:
    first = disband(http, token, "oc_demo_1")
    assert first.status_code == 200 and first.json() == {"code": 0, "msg": "success", "data": {}}
    assert first.headers["X-Tt-Logid"]
    assert_feishu_error(disband(http, token, "oc_demo_1"), 232009)
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_1"]["dissolved"] is True
    effects = [c["effect"] for c in imgroup_emulator.calls() if c["operation"] == "disband_chat"]
    assert effects == ["disbanded", None]


@pytest.mark.parametrize(
    ("chat_id", "code"),
    [
        ("oc_no_such_chat", 232006),
        ("oc_demo_dissolved", 232009),
        ("oc_demo_topic", 232008),
        ("oc_demo_outside", 232011),
        ("oc_demo_member", 232017),
        ("oc_demo_external", 232033),
        ("oc_demo_other_tenant", 232010),
    ],
)
def test_disband_answers_each_state_error_row(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str, chat_id: str, code: int
) -> None:
    before = imgroup_emulator.state()["feishu"]["chats"].get(chat_id)
    assert_feishu_error(disband(http, token, chat_id), code)
    assert imgroup_emulator.state()["feishu"]["chats"].get(chat_id) == before


def test_the_creator_bot_may_disband_only_with_operate_as_owner(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str
) -> None:
    assert disband(http, token, "oc_demo_created").json()["code"] == 0
    imgroup_emulator.seed(
        {
            "feishu": {
                "apps": [{"app_id": "cli_scoped", "app_secret": "s2", "scopes": ["im:chat"]}],
                "chats": [{"chat_id": "oc_scoped", "owner": "ou_alice", "creator": "cli_scoped"}],
            }
        }
    )
    assert_feishu_error(disband(http, token_for(http, "cli_scoped", "s2"), "oc_scoped"), 232017)


def test_an_app_without_bot_ability_gets_232025(http: httpx.Client) -> None:
    no_bot = token_for(http, "cli_demo_no_bot", "demo-feishu-no-bot-secret")
    assert_feishu_error(disband(http, no_bot, "oc_demo_1"), 232025)
    assert_feishu_error(remove(http, no_bot, "oc_demo_1", {"id_list": ["ou_alice"]}), 232025)
    assert_feishu_error(unbind(http, no_bot, "evt_demo_0", "oc_demo_meeting"), 190007)


# --- remove_chat_members -------------------------------------------------------------------------------------


def test_remove_members_removes_members_and_lists_unknown_ids(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str
) -> None:
    answer = remove(http, token, "oc_demo_2", {"id_list": ["ou_alice", "ou_nobody"]}, member_id_type="open_id")
    assert answer.status_code == 200
    assert answer.json() == {"code": 0, "msg": "success", "data": {"invalid_id_list": ["ou_nobody"]}}
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_2"]["members"] == ["ou_bob"]
    again = remove(http, token, "oc_demo_2", {"id_list": ["ou_alice"]})
    assert again.json()["data"]["invalid_id_list"] == ["ou_alice"]
    assert [c["effect"] for c in imgroup_emulator.calls()[-2:]] == ["removed:1", None]


@pytest.mark.parametrize(
    ("chat_id", "body", "params", "code"),
    [
        ("oc_demo_2", {"id_list": ["cli_demo"]}, {"member_id_type": "app_id"}, 232076),
        ("oc_demo_2", {"id_list": []}, {}, 232027),
        ("oc_demo_2", {"id_list": ["ou_alice"]}, {"member_id_type": "email"}, 232001),
        ("oc_demo_2", {"ids": ["ou_alice"]}, {}, 232001),
        ("oc_demo_2", {"id_list": "ou_alice"}, {}, 232001),
        ("oc_no_such_chat", {"id_list": ["ou_alice"]}, {}, 232006),
        ("oc_demo_dissolved", {"id_list": ["ou_alice"]}, {}, 232006),
        ("oc_demo_member", {"id_list": ["ou_bob"]}, {}, 232014),
        ("oc_demo_outside", {"id_list": ["ou_dave"]}, {}, 232014),
        ("oc_demo_other_tenant", {"id_list": ["ou_alice"]}, {}, 232010),
        ("oc_demo_external", {"id_list": ["ou_alice"]}, {}, 232033),
    ],
)
def test_remove_members_answers_each_state_error_row(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str, chat_id: str, body: Any, params: Any, code: int
) -> None:
    before = imgroup_emulator.state()["feishu"]["chats"].get(chat_id)
    assert_feishu_error(remove(http, token, chat_id, body, **params), code)
    assert imgroup_emulator.state()["feishu"]["chats"].get(chat_id) == before


def test_a_manager_bot_may_remove_members_but_not_the_owner(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str
) -> None:
    imgroup_emulator.seed(
        {
            "feishu": {
                "chats": [
                    {
                        "chat_id": "oc_managed",
                        "owner": "ou_alice",
                        "bots": ["cli_demo"],
                        "managers": ["cli_demo"],
                        "members": ["ou_bob"],
                    }
                ]
            }
        }
    )
    assert remove(http, token, "oc_managed", {"id_list": ["ou_bob"]}).json()["data"] == {"invalid_id_list": []}
    assert_feishu_error(remove(http, token, "oc_managed", {"id_list": ["ou_alice"]}), 232076)


# --- unbind_meeting_chat -------------------------------------------------------------------------------------


def test_unbind_accepts_a_percent_encoded_calendar_id_once(
    http: httpx.Client, imgroup_emulator: EmulatorServer, token: str
) -> None:
    first = unbind(http, token, "evt_demo_0", "oc_demo_meeting")
    assert (first.status_code, first.json()) == (200, {"code": 0, "msg": "success", "data": {}})
    assert_feishu_error(unbind(http, token, "evt_demo_0", "oc_demo_meeting"), 195108)
    meeting = imgroup_emulator.state()["feishu"]["meeting_chats"][0]
    assert (meeting["event_id"], meeting["bound"]) == ("evt_demo_0", False)
    assert imgroup_emulator.calls()[-2]["effect"] == "unbound"
    assert imgroup_emulator.calls()[-2]["target"] == "oc_demo_meeting"


@pytest.mark.parametrize(
    ("calendar", "event_id", "chat_id", "code"),
    [
        (CALENDAR, "evt_demo_0", None, 190002),
        (CALENDAR, "evt_demo_0", "oc_other", 195108),
        (CALENDAR, "evt_demo_1", "oc_demo_meeting_user", 195107),
        (CALENDAR, "evt_missing", "oc_demo_meeting", 193001),
        ("feishu.cn_other%40group.calendar.feishu.cn", "evt_demo_0", "oc_demo_meeting", 191000),
    ],
)
def test_unbind_answers_each_state_error_row(
    http: httpx.Client, token: str, calendar: str, event_id: str, chat_id: str | None, code: int
) -> None:
    assert_feishu_error(unbind(http, token, event_id, chat_id, calendar=calendar), code)
