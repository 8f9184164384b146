"""Rate limits, injected faults, the audit log and the admin API of the emulator."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from imgroup.emulator import EmulatorServer
from imgroup.emulator._faults import FaultPlan
from imgroup.emulator._ratelimit import RateLimiter

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"


@pytest.fixture
def http(imgroup_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=imgroup_emulator.base_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def feishu_auth(http: httpx.Client, imgroup_emulator: EmulatorServer) -> dict[str, str]:
    token = http.post(TOKEN_PATH, json=imgroup_emulator.credentials["feishu"]).json()["tenant_access_token"]
    return {"Authorization": f"Bearer {token}"}


def start_of_a_window() -> None:
    """Wait until early in a one-second window, so a short burst is counted in a single window.

    The server runs in this process and counts windows on the same monotonic clock.
    """
    fraction = time.monotonic() % 1
    if fraction > 0.3:
        time.sleep(1 - fraction + 0.01)


# --- rate limits ---------------------------------------------------------------------------------------------


def test_feishu_rate_limit_answers_99991400_with_the_gateway_headers(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"rate_limits": {"disband_chat": 3}})
    start_of_a_window()
    answers = [http.delete("/open-apis/im/v1/chats/oc_unknown", headers=feishu_auth) for _ in range(5)]
    assert [a.json()["code"] for a in answers] == [232006, 232006, 232006, 99991400, 99991400]
    limited = answers[-1]
    assert limited.status_code == 429
    assert limited.headers["x-ogw-ratelimit-limit"] == "3"
    assert limited.headers["x-ogw-ratelimit-reset"] == "1"
    assert limited.headers["X-Tt-Logid"]
    counters = imgroup_emulator.state()["rate_limited"]
    assert counters["feishu"]["disband_chat"] == 2
    assert counters["feishu"]["remove_chat_members"] == 0 and counters["tencent"]["destroy_group"] == 0
    time.sleep(1 - time.monotonic() % 1 + 0.01)
    assert http.delete("/open-apis/im/v1/chats/oc_unknown", headers=feishu_auth).json()["code"] == 232006


def test_rate_limits_count_per_app(http: httpx.Client, imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.faults({"rate_limits": {"disband_chat": 1}})
    tokens = [
        http.post(TOKEN_PATH, json={"app_id": app, "app_secret": secret}).json()["tenant_access_token"]
        for app, secret in [
            ("cli_demo", "demo-feishu-app-secret"),
            ("cli_demo_other_tenant", "demo-feishu-other-secret"),
        ]
    ]
    start_of_a_window()
    codes = [
        http.delete("/open-apis/im/v1/chats/oc_x", headers={"Authorization": f"Bearer {t}"}).json()["code"]
        for t in tokens * 2
    ]
    assert codes == [232006, 232006, 99991400, 99991400]


def test_tencent_and_yunxin_rate_limit_codes(
    http: httpx.Client,
    imgroup_emulator: EmulatorServer,
    tencent_usersig: Callable[..., str],
    yunxin_headers: Callable[..., dict[str, str]],
) -> None:
    imgroup_emulator.faults({"rate_limits": {"destroy_group": 1, "dismiss_team": 1}})
    t = imgroup_emulator.credentials["tencent"]
    query = {
        "sdkappid": t["sdkappid"],
        "identifier": t["identifier"],
        "usersig": tencent_usersig(t["sdkappid"], t["secret_key"], t["identifier"]),
        "random": 7,
        "contenttype": "json",
    }
    y = imgroup_emulator.credentials["yunxin"]
    start_of_a_window()
    tencent = [
        http.post("/v4/group_open_http_svc/destroy_group", params=query, json={"GroupId": "@TGS#nope"}) for _ in "ab"
    ]
    yunxin = [
        http.request(
            "DELETE",
            "/im/v2.1/teams/9999",
            headers=yunxin_headers(y["app_key"], y["app_secret"]),
            params={"team_type": 1, "operator_id": "acc_owner"},
        )
        for _ in "ab"
    ]
    assert [(a.status_code, a.json()["ErrorCode"]) for a in tencent] == [(200, 10010), (200, 60007)]
    assert [(a.status_code, a.json()["code"]) for a in yunxin] == [(200, 108404), (200, 416)]
    counters = imgroup_emulator.state()["rate_limited"]
    assert (counters["tencent"]["destroy_group"], counters["yunxin"]["dismiss_team"]) == (1, 1)


def test_documented_limits_are_the_defaults(imgroup_emulator: EmulatorServer) -> None:
    from feishu_im.operations import OPERATIONS

    assert OPERATIONS["disband_chat"].rate_limit_per_second == 50
    limiter = RateLimiter(clock=lambda: 100.0)
    assert [limiter.hit(("k",), 50, 1000) is None for _ in range(51)].count(True) == 50


def test_the_limiter_counts_minutes_and_reports_the_reset() -> None:
    now = [120.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.hit(("k",), 2, 4) is None for _ in range(3)] == [True, True, False]
    now[0] = 121.5
    assert [limiter.hit(("k",), 2, 4) is None for _ in range(2)] == [True, True]
    now[0] = 122.0
    refusal = limiter.hit(("k",), 2, 4)
    assert refusal is not None and (refusal.limit, refusal.window_s) == (4, 60)
    assert math.isclose(refusal.reset_s, 180.0 - 122.0)
    assert limiter.hit(("other",), 2, 4) is None
    now[0] = 180.0
    assert limiter.hit(("k",), 2, 4) is None


# --- faults --------------------------------------------------------------------------------------------------


def outcomes(http: httpx.Client, auth: dict[str, str], n: int) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    for i in range(n):
        try:
            answer = http.delete(f"/open-apis/im/v1/chats/oc_x{i % 7}", headers=auth)
        except httpx.TransportError as exc:
            seen.append(("transport", type(exc).__name__))
        else:
            seen.append((answer.status_code, answer.headers["content-type"].split(";")[0]))
    return seen


def test_faults_repeat_with_the_same_seed_and_differ_with_another(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    plan = {"seed": 7, "error_rate": 0.2, "html_rate": 0.1, "drop_rate": 0.1, "storm_rate": 0.1}
    plan["rate_limits"] = {"disband_chat": 10_000}  # only injected faults here, not the real limit
    imgroup_emulator.faults(plan)
    first = outcomes(http, feishu_auth, 60)
    imgroup_emulator.faults(plan)
    again = outcomes(http, feishu_auth, 60)
    imgroup_emulator.faults({**plan, "seed": 8})
    other = outcomes(http, feishu_auth, 60)
    assert first == again
    assert other != first
    kinds = {o[0] for o in first}
    assert {"transport", 400, 429}.issubset(kinds) and kinds & {500, 502, 503, 504}
    injected = imgroup_emulator.state()["faults"]["injected"]
    assert sum(injected.values()) == sum(1 for o in other if o[0] != 400)
    assert imgroup_emulator.state()["rate_limited"]["feishu"]["disband_chat"] == 0


def test_fault_decisions_depend_on_the_target_not_on_the_interleaving() -> None:
    one, two = FaultPlan.from_json({"seed": 3, "error_rate": 0.5}), FaultPlan.from_json({"seed": 3, "error_rate": 0.5})
    a = [one.draw("feishu", "disband_chat", "oc_a") for _ in range(20)]
    b = [one.draw("feishu", "disband_chat", "oc_b") for _ in range(20)]
    interleaved = [
        (two.draw("feishu", "disband_chat", "oc_b"), two.draw("feishu", "disband_chat", "oc_a")) for _ in range(20)
    ]
    assert [pair[1] for pair in interleaved] == a and [pair[0] for pair in interleaved] == b


def test_server_errors_carry_each_vendors_envelope(
    http: httpx.Client,
    imgroup_emulator: EmulatorServer,
    feishu_auth: dict[str, str],
    yunxin_headers: Callable[..., dict[str, str]],
) -> None:
    imgroup_emulator.faults({"error_rate": 1.0})
    feishu = http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    assert feishu.status_code in (500, 502, 503, 504) and feishu.json()["code"] == feishu.status_code
    assert feishu.headers["X-Tt-Logid"]
    tencent = http.post("/v4/group_open_http_svc/destroy_group", json={"GroupId": "@TGS#demo1"})
    assert tencent.status_code >= 500 and tencent.json()["ErrorCode"] == 10002
    y = imgroup_emulator.credentials["yunxin"]
    yunxin = http.delete("/im/v2.1/teams/1001", headers=yunxin_headers(y["app_key"], y["app_secret"]))
    assert yunxin.status_code >= 500 and yunxin.json()["code"] in (500, 503)
    state = imgroup_emulator.state()
    assert state["feishu"]["chats"]["oc_demo_1"]["dissolved"] is False
    assert state["tencent"]["groups"]["@TGS#demo1"]["destroyed"] is False
    assert [c["fault"] for c in imgroup_emulator.calls()[1:]] == ["error", "error", "error"]


def test_html_fault_answers_a_gateway_page(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"html_rate": 1.0})
    answer = http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    assert answer.status_code >= 500 and answer.headers["content-type"].startswith("text/html")
    assert answer.text.startswith("<html>")
    assert imgroup_emulator.calls()[-1]["code"] is None


def test_a_dropped_connection_loses_the_answer_after_the_work_is_done(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"drop_rate": 1.0, "operations": ["disband_chat"]})
    with pytest.raises(httpx.RemoteProtocolError):
        http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    imgroup_emulator.faults({})
    assert http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth).json()["code"] == 232009
    calls = [c for c in imgroup_emulator.calls() if c["operation"] == "disband_chat"]
    assert [(c["effect"], c["fault"], c["code"]) for c in calls] == [("disbanded", "drop", 0), (None, None, 232009)]


def test_latency_is_added_to_vendor_calls_only(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"latency_ms": 150})
    started = time.perf_counter()
    http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    imgroup_emulator.state()
    assert time.perf_counter() - started < 0.15


def test_arrival_delays_are_drawn_up_to_the_maximum_and_repeat_with_the_seed() -> None:
    def delays(plan: FaultPlan, operation: str = "disband_chat") -> list[float]:
        return [plan.arrival_delay("feishu", operation, f"oc_{n % 5}") for n in range(400)]

    document = {"seed": 4, "arrival_delay_ms": 300, "operations": ["disband_chat"]}
    first = delays(FaultPlan.from_json(document))
    assert all(0 <= delay <= 0.3 for delay in first)
    assert max(first) > 0.29 and min(first) < 0.01  # spread over the whole range, not one fixed delay
    assert first == delays(FaultPlan.from_json(document))
    assert first != delays(FaultPlan.from_json({**document, "seed": 5}))
    assert set(delays(FaultPlan.from_json(document), "get_chat")) == {0.0}  # only the operations named


def test_an_arrival_delay_holds_each_vendor_call_for_its_drawn_time(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"arrival_delay_ms": 400, "seed": 1})
    plan = FaultPlan.from_json({"arrival_delay_ms": 400, "seed": 1})
    drawn = sum(plan.arrival_delay("feishu", "get_chat", "oc_demo_named") for _ in range(3))
    started = time.perf_counter()
    for _ in range(3):
        assert http.get("/open-apis/im/v1/chats/oc_demo_named", headers=feishu_auth).status_code == 200
    assert drawn <= time.perf_counter() - started < drawn + 1.0


def test_rate_limits_may_name_fixed_windows_of_any_length(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    plan = imgroup_emulator.faults({"rate_limits": {"disband_chat": 3, "get_chat": [[50, 1], [2, 30]]}})
    assert plan["rate_limits"] == {"disband_chat": 3, "get_chat": [[50, 1.0], [2, 30.0]]}
    fraction = time.monotonic() % 30
    if fraction > 25:
        time.sleep(30 - fraction + 0.01)
    codes = [http.get("/open-apis/im/v1/chats/oc_demo_named", headers=feishu_auth).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_storm_window_rate_limits_every_call_then_passes(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"storm_s": 0.5})
    during = http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    assert (during.status_code, during.json()["code"]) == (429, 99991400)
    assert (during.headers["x-ogw-ratelimit-reset"], during.headers["x-ogw-ratelimit-limit"]) == ("1", "50")
    time.sleep(0.55)
    assert http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth).json()["code"] == 0
    state = imgroup_emulator.state()
    assert state["faults"]["injected"]["storm"] == 1
    assert state["rate_limited"]["feishu"]["disband_chat"] == 0


def test_faults_never_touch_the_admin_api(imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.faults({"error_rate": 0.5, "html_rate": 0.25, "drop_rate": 0.25})
    for _ in range(20):
        assert imgroup_emulator.state()["calls"] == 0
        imgroup_emulator.calls()


def test_faults_can_target_some_operations(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    imgroup_emulator.faults({"error_rate": 1.0, "operations": ["remove_chat_members"]})
    assert http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth).status_code == 200
    answer = http.request(
        "DELETE", "/open-apis/im/v1/chats/oc_demo_2/members", headers=feishu_auth, json={"id_list": ["ou_bob"]}
    )
    assert answer.status_code >= 500


@pytest.mark.parametrize(
    "plan",
    [
        {"error_rate": 1.5},
        {"error_rate": 0.6, "drop_rate": 0.6},
        {"latency_ms": -1},
        {"arrival_delay_ms": -5},
        {"rate_limits": {"disband_chat": [[10, 0]]}},
        {"rate_limits": {"disband_chat": [[10]]}},
        {"rate_limits": {"disband_chat": []}},
        {"seed": "seven"},
        {"rate_limits": {"disband_chat": 0}},
        {"rate_limits": ["disband_chat"]},
        {"token_ttl_s": 0},
        {"no_such_option": 1},
        [],
    ],
)
def test_bad_fault_plans_are_refused(imgroup_emulator: EmulatorServer, plan: Any) -> None:
    answer = httpx.post(imgroup_emulator.base_url + "/_emulator/faults", json=plan)
    assert answer.status_code == 400 and answer.json()["error"]


def test_empty_faults_turn_faults_off(imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.faults({"seed": 1, "error_rate": 0.5, "latency_ms": 5, "rate_limits": {"disband_chat": 2}})
    plan = imgroup_emulator.faults({})
    assert plan == {
        "seed": 0,
        "error_rate": 0.0,
        "html_rate": 0.0,
        "drop_rate": 0.0,
        "storm_rate": 0.0,
        "storm_s": 0.0,
        "latency_ms": 0.0,
        "arrival_delay_ms": 0.0,
        "operations": None,
        "tenants": None,
        "rate_limits": {},
        "token_ttl_s": 7200,
        "ticket_interval_s": 3600.0,
        "injected": {"error": 0, "html": 0, "drop": 0, "storm": 0},
    }


# --- audit log and admin API ---------------------------------------------------------------------------------


def test_the_audit_log_lists_calls_oldest_first_with_their_outcome(
    http: httpx.Client, imgroup_emulator: EmulatorServer, feishu_auth: dict[str, str]
) -> None:
    http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    http.delete("/open-apis/im/v1/chats/oc_demo_1", headers=feishu_auth)
    http.delete("/open-apis/im/v1/chats/oc_demo_1")
    calls = imgroup_emulator.calls()
    assert [c["seq"] for c in calls] == [1, 2, 3, 4]
    assert calls[0]["operation"] == "get_tenant_access_token" and calls[0]["app"] == "cli_demo"
    assert [(c["operation"], c["target"], c["app"], c["code"], c["http_status"], c["effect"]) for c in calls[1:]] == [
        ("disband_chat", "oc_demo_1", "cli_demo", 0, 200, "disbanded"),
        ("disband_chat", "oc_demo_1", "cli_demo", 232009, 400, None),
        ("disband_chat", "oc_demo_1", None, 99991661, 400, None),
    ]
    assert all(c["vendor"] == "feishu" and c["fault"] is None for c in calls)
    assert calls[1]["time"] <= calls[2]["time"] <= calls[3]["time"]
    assert [c["seq"] for c in imgroup_emulator.calls(since=2)] == [3, 4]


def test_state_reports_records_without_secrets(imgroup_emulator: EmulatorServer) -> None:
    state = imgroup_emulator.state()
    assert set(state) == {"feishu", "tencent", "yunxin", "rate_limited", "faults", "calls"}
    assert state["feishu"]["apps"] == ["cli_demo", "cli_demo_no_bot", "cli_demo_other_tenant"]
    assert state["feishu"]["chats"]["oc_demo_1"] == {
        "owner": "cli_demo",
        "creator": "cli_demo",
        "chat_mode": "group",
        "tenant": "default",
        "external": False,
        "members": ["ou_alice", "ou_bob"],
        "bots": ["cli_demo"],
        "managers": [],
        "dissolved": False,
        "name": "",
        "description": "",
        "chat_type": "private",
        "created_at": 0,
    }
    assert state["tencent"]["apps"] == [1400000000]
    assert state["yunxin"]["teams"]["1001"]["managers"] == ["acc_manager"]
    text = repr(state) + repr(imgroup_emulator)
    for creds in imgroup_emulator.credentials.values():
        for name in ("app_secret", "secret_key"):
            if name in creds:
                assert creds[name] not in text


def test_reset_forgets_everything_and_seed_adds_records(imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.faults({"error_rate": 0.5})
    imgroup_emulator.reset()
    state = imgroup_emulator.state()
    assert state["feishu"]["apps"] == [] and state["tencent"]["groups"] == {} and state["calls"] == 0
    assert state["faults"]["error_rate"] == 0.0
    imgroup_emulator.seed({"yunxin": {"teams": [{"team_id": "7", "team_type": 2, "owner": "a"}]}})
    assert imgroup_emulator.state()["yunxin"]["teams"]["7"]["team_type"] == 2


@pytest.mark.parametrize(
    "seed",
    [
        [],
        {"wechat": {}},
        {"feishu": {"apps": [{"app_id": "cli_x"}]}},
        {"yunxin": {"teams": [{"team_id": "1", "team_type": 3, "owner": "a"}]}},
        {"tencent": {"apps": [{"sdkappid": "abc", "secret_key": "k"}]}},
    ],
)
def test_bad_seeds_are_refused_whole(imgroup_emulator: EmulatorServer, seed: Any) -> None:
    before = imgroup_emulator.state()
    if isinstance(seed, dict):  # a valid part first: it must not be applied either
        seed = {"feishu": {"chats": [{"chat_id": "oc_half_seeded", "owner": "ou_x"}]}, **seed}
    answer = httpx.post(imgroup_emulator.base_url + "/_emulator/seed", json=seed)
    assert answer.status_code == 400 and answer.json()["error"]
    assert imgroup_emulator.state() == before
