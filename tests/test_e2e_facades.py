"""End to end: every facade method of the three generated packages, sync and async, against the emulator.

Success, every state-driven error row (exception class, ``.code``, ``.category``), bad credentials, an expired
Feishu token refetched, and retries that meet a dropped answer.
"""

from __future__ import annotations

from typing import Any

import anyio
import feishu_im
import pytest
import tencent_im
import yunxin_im
from facade_calls import CLIENTS, call

from imgroup.emulator import EmulatorServer
from imgroup.emulator._faults import FaultPlan

MODES = ["sync", "async"]
CALENDAR = "feishu.cn_demo@group.calendar.feishu.cn"
PACKAGES = {"feishu": feishu_im, "tencent": tencent_im, "yunxin": yunxin_im}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def kwargs_for(emu: EmulatorServer, vendor: str, **changes: Any) -> dict[str, Any]:
    return {**emu.credentials[vendor], "base_url": emu.base_url, **changes}


def assert_api_error(error: BaseException, vendor: str, code: int) -> None:
    """The error is the catalogue's class for ``code`` and carries the code, category and entry."""
    package = PACKAGES[vendor]
    info = package.lookup(code, error.operation)  # type: ignore[attr-defined] # the operation's own entry
    answered = package.lookup(code)  # the emulator answers the catalogue's message
    assert info is not None and answered is not None
    assert type(error) is package.errors.ERRORS_BY_CATEGORY[info.category], (type(error), code)
    assert (error.code, error.category, error.info) == (code, info.category, info)  # type: ignore[attr-defined]
    assert error.http_status == info.http_status  # type: ignore[attr-defined]
    assert error.message == answered.message  # type: ignore[attr-defined]


# --- Feishu ----------------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_disband_chat_succeeds(mode: str, imgroup_emulator: EmulatorServer) -> None:
    result = await call(mode, "feishu", kwargs_for(imgroup_emulator, "feishu"), "disband_chat", "oc_demo_1")
    assert (result.already_gone, result.attempts) == (False, 1)
    assert result.request_id
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_1"]["dissolved"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "code"),
    [
        ("oc_demo_dissolved", 232009),
        ("oc_no_such_chat", 232006),
        ("oc_demo_topic", 232008),
        ("oc_demo_outside", 232011),
        ("oc_demo_member", 232017),
        ("oc_demo_external", 232033),
        ("oc_demo_other_tenant", 232010),
    ],
)
async def test_feishu_disband_chat_raises_each_state_error_row(
    mode: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(mode, "feishu", kwargs_for(imgroup_emulator, "feishu"), "disband_chat", chat_id)
    assert_api_error(caught.value, "feishu", code)
    assert caught.value.request_id


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_without_bot_ability(mode: str, imgroup_emulator: EmulatorServer) -> None:
    creds = {"app_id": "cli_demo_no_bot", "app_secret": "demo-feishu-no-bot-secret"}
    kwargs = kwargs_for(imgroup_emulator, "feishu", **creds)
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(mode, "feishu", kwargs, "disband_chat", "oc_demo_1")
    assert_api_error(caught.value, "feishu", 232025)
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(
            mode, "feishu", kwargs, "unbind_meeting_chat", CALENDAR, "evt_demo_0", meeting_chat_id="oc_demo_meeting"
        )
    assert_api_error(caught.value, "feishu", 190007)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_remove_chat_members_succeeds(mode: str, imgroup_emulator: EmulatorServer) -> None:
    data = await call(
        mode,
        "feishu",
        kwargs_for(imgroup_emulator, "feishu"),
        "remove_chat_members",
        "oc_demo_2",
        id_list=["ou_alice", "ou_ghost"],
        member_id_type="open_id",
    )
    assert data.invalid_id_list == ["ou_ghost"]
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_2"]["members"] == ["ou_bob"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("chat_id", "id_list", "code"),
    [
        ("oc_demo_2", ["cli_demo"], 232076),
        ("oc_no_such_chat", ["ou_alice"], 232006),
        ("oc_demo_member", ["ou_bob"], 232014),
        ("oc_demo_other_tenant", ["ou_alice"], 232010),
        ("oc_demo_external", ["ou_alice"], 232033),
    ],
)
async def test_feishu_remove_chat_members_raises_each_state_error_row(
    mode: str, chat_id: str, id_list: list[str], code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(
            mode, "feishu", kwargs_for(imgroup_emulator, "feishu"), "remove_chat_members", chat_id, id_list=id_list
        )
    assert_api_error(caught.value, "feishu", code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_unbind_meeting_chat_succeeds_with_a_calendar_id_holding_an_at(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    kwargs = kwargs_for(imgroup_emulator, "feishu")
    assert (
        await call(
            mode, "feishu", kwargs, "unbind_meeting_chat", CALENDAR, "evt_demo_0", meeting_chat_id="oc_demo_meeting"
        )
        is None
    )
    assert imgroup_emulator.state()["feishu"]["meeting_chats"][0]["bound"] is False


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("calendar_id", "event_id", "chat_id", "code"),
    [
        (CALENDAR, "evt_demo_0", "oc_other", 195108),
        (CALENDAR, "evt_demo_1", "oc_demo_meeting_user", 195107),
        (CALENDAR, "evt_missing", "oc_demo_meeting", 193001),
        ("feishu.cn_other@group.calendar.feishu.cn", "evt_demo_0", "oc_demo_meeting", 191000),
    ],
)
async def test_feishu_unbind_meeting_chat_raises_each_state_error_row(
    mode: str, calendar_id: str, event_id: str, chat_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(
            mode,
            "feishu",
            kwargs_for(imgroup_emulator, "feishu"),
            "unbind_meeting_chat",
            calendar_id,
            event_id,
            meeting_chat_id=chat_id,
        )
    assert_api_error(caught.value, "feishu", code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_get_tenant_access_token(mode: str, imgroup_emulator: EmulatorServer) -> None:
    creds = imgroup_emulator.credentials["feishu"]
    kwargs = kwargs_for(imgroup_emulator, "feishu")
    answer = await call(mode, "feishu", kwargs, "get_tenant_access_token", **creds)
    assert answer.code == 0 and answer.tenant_access_token.startswith("t-") and answer.expire > 7000
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(mode, "feishu", kwargs, "get_tenant_access_token", app_id=creds["app_id"], app_secret="wrong")
    assert (caught.value.code, caught.value.http_status) == (10014, 400)
    assert "wrong" not in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_bad_credentials_are_refused(mode: str, imgroup_emulator: EmulatorServer) -> None:
    with pytest.raises(feishu_im.FeishuError) as caught:
        await call(
            mode,
            "feishu",
            kwargs_for(imgroup_emulator, "feishu", app_secret="not-the-secret"),
            "disband_chat",
            "oc_demo_1",
        )
    assert getattr(caught.value, "code", None) == 10014
    assert "not-the-secret" not in str(caught.value) and "not-the-secret" not in repr(caught.value)
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_1"]["dissolved"] is False


async def session(mode: str, vendor: str, client_kwargs: dict[str, Any], *steps: Any) -> list[Any]:
    """Run ``steps`` with one client: each is ``(method, args, kwargs)`` or an async callable run in between.

    Returns each call's result, or the FeishuError-like exception it raised.
    """
    sync_class, async_class = CLIENTS[vendor]
    outcomes: list[Any] = []

    async def run(invoke: Any) -> None:
        for step in steps:
            if callable(step):
                await step()
                continue
            method, args, kwargs = step
            try:
                outcomes.append(await invoke(method, *args, **kwargs))
            except Exception as error:  # noqa: BLE001 - the outcome under test
                outcomes.append(error)

    if mode == "sync":
        with sync_class(**client_kwargs) as client:

            async def invoke_sync(method: str, *args: Any, **kwargs: Any) -> Any:
                return getattr(client, method)(*args, **kwargs)

            await run(invoke_sync)
    else:
        async with async_class(**client_kwargs) as client:

            async def invoke_async(method: str, *args: Any, **kwargs: Any) -> Any:
                return await getattr(client, method)(*args, **kwargs)

            await run(invoke_async)
    return outcomes


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_expired_token_is_refetched_and_the_call_succeeds(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    async def expire() -> None:
        assert imgroup_emulator.expire_tokens() >= 1

    outcomes = await session(
        mode,
        "feishu",
        kwargs_for(imgroup_emulator, "feishu"),
        ("disband_chat", ("oc_demo_1",), {}),
        expire,
        ("disband_chat", ("oc_demo_2",), {}),
    )
    assert [(o.already_gone, o.attempts) for o in outcomes] == [(False, 1), (False, 1)]
    codes = [(c["operation"], c["code"]) for c in imgroup_emulator.calls()]
    assert codes[-3:] == [("disband_chat", 99991663), ("get_tenant_access_token", 0), ("disband_chat", 0)]
    assert imgroup_emulator.state()["feishu"]["chats"]["oc_demo_2"]["dissolved"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_short_lived_token_is_renewed_before_it_expires(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.faults({"token_ttl_s": 1})
    outcomes = await session(
        mode,
        "feishu",
        kwargs_for(imgroup_emulator, "feishu"),
        ("disband_chat", ("oc_demo_1",), {}),
        lambda: anyio.sleep(1.1),
        ("disband_chat", ("oc_demo_2",), {}),
    )
    assert [o.already_gone for o in outcomes] == [False, False]
    codes = [(c["operation"], c["code"]) for c in imgroup_emulator.calls()]
    after_first = codes[codes.index(("disband_chat", 0)) :]
    # A token cached from an earlier test may be refused once at the start; after that none may be.
    assert ("disband_chat", 99991663) not in after_first
    assert ("get_tenant_access_token", 0) in after_first


def seed_that_drops_only_the_first_call(target: str) -> int:
    """A fault seed under which the first call for ``target`` is dropped and the second is not."""
    for seed in range(1000):
        plan = FaultPlan.from_json({"seed": seed, "drop_rate": 0.5})
        if (
            plan.draw("feishu", "disband_chat", target) is not None
            and plan.draw("feishu", "disband_chat", target) is None
        ):
            return seed
    raise AssertionError("no such seed")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_a_dropped_answer_is_retried_and_counted_as_done(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    seed = seed_that_drops_only_the_first_call("oc_demo_1")

    async def drop_from_now_on() -> None:
        imgroup_emulator.faults({"seed": seed, "drop_rate": 0.5, "operations": ["disband_chat"]})

    outcomes = await session(
        mode,
        "feishu",
        kwargs_for(imgroup_emulator, "feishu"),
        ("disband_chat", ("oc_no_such_chat",), {}),  # brings the client's token up to date first
        drop_from_now_on,
        ("disband_chat", ("oc_demo_1",), {}),
    )
    assert isinstance(outcomes[0], feishu_im.InvalidArgumentError)
    assert (outcomes[1].already_gone, outcomes[1].attempts) == (True, 2)
    disbands = [c for c in imgroup_emulator.calls() if c["target"] == "oc_demo_1"]
    assert [(c["code"], c["effect"], c["fault"]) for c in disbands] == [(0, "disbanded", "drop"), (232009, None, None)]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_answers_always_dropped_end_in_a_connection_error(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    async def always_drop() -> None:
        imgroup_emulator.faults({"drop_rate": 1.0, "operations": ["disband_chat"]})

    outcomes = await session(
        mode,
        "feishu",
        kwargs_for(imgroup_emulator, "feishu", max_retries=1),
        ("disband_chat", ("oc_no_such_chat",), {}),  # brings the client's token up to date first
        always_drop,
        ("disband_chat", ("oc_demo_1",), {}),
    )
    assert isinstance(outcomes[1], feishu_im.ApiConnectionError)
    disbands = [c for c in imgroup_emulator.calls() if c["target"] == "oc_demo_1"]
    assert [(c["effect"], c["fault"]) for c in disbands] == [("disbanded", "drop"), (None, "drop")]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_gateway_errors_are_retried(mode: str, imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.faults({"seed": 3, "error_rate": 0.3, "html_rate": 0.3, "operations": ["disband_chat"]})
    chats = [f"oc_retry_{i}" for i in range(10)]
    imgroup_emulator.seed({"feishu": {"chats": [{"chat_id": c, "owner": "cli_demo"} for c in chats]}})
    steps = [("disband_chat", (c,), {}) for c in chats]
    outcomes = await session(mode, "feishu", kwargs_for(imgroup_emulator, "feishu", max_retries=6), *steps)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert any(o.attempts > 1 for o in outcomes)
    assert all(imgroup_emulator.state()["feishu"]["chats"][c]["dissolved"] for c in chats)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_feishu_client_within_its_rate_limit_is_never_refused(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    imgroup_emulator.faults({"rate_limits": {"disband_chat": 5}})
    kwargs = kwargs_for(imgroup_emulator, "feishu", rate_limit={"disband_chat": 5})
    sync_class, async_class = CLIENTS["feishu"]
    chats = [f"oc_rl_{i}" for i in range(12)]
    imgroup_emulator.seed({"feishu": {"chats": [{"chat_id": c, "owner": "cli_demo"} for c in chats]}})
    if mode == "sync":
        with sync_class(**kwargs) as client:
            results = [client.disband_chat(c) for c in chats]
    else:
        async with async_class(**kwargs) as client:
            results = [await client.disband_chat(c) for c in chats]
    assert [r.attempts for r in results] == [1] * len(chats)
    assert imgroup_emulator.state()["rate_limited"]["feishu"]["disband_chat"] == 0


# --- Tencent ---------------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_tencent_destroy_group_succeeds_then_the_group_is_gone(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    kwargs = kwargs_for(imgroup_emulator, "tencent")
    result = await call(mode, "tencent", kwargs, "destroy_group", group_id="@TGS#demo1")
    assert (result.already_gone, result.attempts) == (False, 1)
    with pytest.raises(tencent_im.ApiError) as caught:
        await call(mode, "tencent", kwargs, "destroy_group", group_id="@TGS#demo1")
    assert_api_error(caught.value, "tencent", 10010)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("group_id", "code"), [("@TGS#nope", 10010), ("x" * 49, 10015), ("has space", 10015)])
async def test_tencent_destroy_group_raises_each_state_error_row(
    mode: str, group_id: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(tencent_im.ApiError) as caught:
        await call(mode, "tencent", kwargs_for(imgroup_emulator, "tencent"), "destroy_group", group_id=group_id)
    assert_api_error(caught.value, "tencent", code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"secret_key": "not-the-key"}, 70009),
        ({"sdkappid": 1400000099}, 70020),
        ({"identifier": "user1"}, 70403),
    ],
)
async def test_tencent_bad_credentials_are_refused(
    mode: str, changes: dict[str, Any], code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(tencent_im.ApiError) as caught:
        await call(
            mode, "tencent", kwargs_for(imgroup_emulator, "tencent", **changes), "destroy_group", group_id="@TGS#demo1"
        )
    assert_api_error(caught.value, "tencent", code)
    assert "not-the-key" not in str(caught.value)
    assert imgroup_emulator.state()["tencent"]["groups"]["@TGS#demo1"]["destroyed"] is False


# --- Yunxin ----------------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_yunxin_dismiss_team_succeeds_then_the_team_is_gone(mode: str, imgroup_emulator: EmulatorServer) -> None:
    kwargs = kwargs_for(imgroup_emulator, "yunxin")
    result = await call(
        mode, "yunxin", kwargs, "dismiss_team", "1001", team_type=1, operator_id="acc_owner", extension="{}"
    )
    assert (result.already_gone, result.attempts) == (False, 1)
    with pytest.raises(yunxin_im.ApiError) as caught:
        await call(mode, "yunxin", kwargs, "dismiss_team", "1001", team_type=1, operator_id="acc_owner")
    assert_api_error(caught.value, "yunxin", 108404)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("team_id", "team_type", "operator", "code"),
    [
        ("1999", 1, "acc_owner", 108404),
        ("2001", 1, "acc_owner", 108302),
        ("1002", 1, "acc_member", 109432),
        ("2001", 2, "acc_manager", 109427),
        ("1002", 1, "acc_outsider", 109404),
        ("1002", 1, "acc_nobody", 102404),
    ],
)
async def test_yunxin_dismiss_team_raises_each_state_error_row(
    mode: str, team_id: str, team_type: int, operator: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(yunxin_im.ApiError) as caught:
        await call(
            mode,
            "yunxin",
            kwargs_for(imgroup_emulator, "yunxin"),
            "dismiss_team",
            team_id,
            team_type=team_type,
            operator_id=operator,
        )
    assert_api_error(caught.value, "yunxin", code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("changes", "code"), [({"app_secret": "not-the-secret"}, 414), ({"app_key": "unknown"}, 101303)]
)
async def test_yunxin_bad_credentials_are_refused(
    mode: str, changes: dict[str, Any], code: int, imgroup_emulator: EmulatorServer
) -> None:
    with pytest.raises(yunxin_im.ApiError) as caught:
        await call(
            mode,
            "yunxin",
            kwargs_for(imgroup_emulator, "yunxin", **changes),
            "dismiss_team",
            "1002",
            team_type=1,
            operator_id="acc_owner",
        )
    assert_api_error(caught.value, "yunxin", code)
    assert "not-the-secret" not in str(caught.value)
    assert imgroup_emulator.state()["yunxin"]["teams"]["1002"]["dismissed"] is False
