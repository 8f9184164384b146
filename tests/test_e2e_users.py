"""End to end: the two look-ups that say whether a person exists, sync and async, against the emulator.

Feishu's get_user (contacts) and Tencent's account_check (accounts): success, the error rows the emulator's
state can produce, the fields the app's scopes allow, and the page's limits, checked by the client before
sending and by the emulator when a request gets past it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import feishu_im
import httpx
import pytest
import tencent_im
from facade_calls import call

from imgroup.emulator import EmulatorServer
from imgroup.errors import ValidationError

MODES = ["sync", "async"]
ACCOUNT_CHECK = "/v4/im_open_login_svc/account_check"
# An app with only the base contact scope: it may call get_user but learns no status.
BASE_SCOPE_APP = {
    "app_id": "cli_base_scope",
    "app_secret": "base-scope-secret",
    "scopes": ["contact:contact.base:readonly"],
}
# An app with no contact scope at all.
NO_CONTACT_APP = {"app_id": "cli_no_contact", "app_secret": "no-contact-secret", "scopes": ["im:chat"]}
OTHER_TENANT_APP = {"app_id": "cli_demo_other_tenant", "app_secret": "demo-feishu-other-secret"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def feishu_settings(emu: EmulatorServer, app: dict[str, Any] | None = None) -> dict[str, Any]:
    credentials = {"app_id": app["app_id"], "app_secret": app["app_secret"]} if app else emu.credentials["feishu"]
    return {**credentials, "base_url": emu.base_url}


def tencent_settings(emu: EmulatorServer) -> dict[str, Any]:
    return {**emu.credentials["tencent"], "base_url": emu.base_url}


def assert_error(error: BaseException, package: Any, code: int) -> None:
    """The error is the catalogue's class for ``code`` and carries the code and its entry."""
    info = package.lookup(code)
    assert info is not None
    assert type(error) is package.errors.ERRORS_BY_CATEGORY[info.category], (type(error), code)
    assert (error.code, error.info, error.message) == (code, info, info.message)  # type: ignore[attr-defined]


# --- Feishu get_user -----------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_user_answers_a_user_with_their_status(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(mode, "feishu", feishu_settings(imgroup_emulator), "get_user", "ou_alice")
    assert (answer.user.open_id, answer.user.name) == ("ou_alice", "Alice")
    assert (answer.user.status.is_resigned, answer.user.status.is_activated) == (False, True)
    assert [(c["operation"], c["target"], c["code"]) for c in imgroup_emulator.calls()][-1] == (
        "get_user", "ou_alice", 0
    )  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_resigned_user_is_still_answered_as_resigned(mode: str, imgroup_emulator: EmulatorServer) -> None:
    answer = await call(mode, "feishu", feishu_settings(imgroup_emulator), "get_user", "ou_former")
    assert (answer.user.open_id, answer.user.status.is_resigned) == ("ou_former", True)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_someone_only_in_a_chat_is_a_user_of_the_chats_tenant(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    answer = await call(mode, "feishu", feishu_settings(imgroup_emulator), "get_user", "ou_carol")
    assert (answer.user.open_id, answer.user.status.is_resigned) == ("ou_carol", False)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("app", "user", "code"),
    [
        (None, "ou_nobody", 41012),  # no user has this id
        (OTHER_TENANT_APP, "ou_alice", 41050),  # a user of another tenant: outside the app's contact scope
        (NO_CONTACT_APP, "ou_alice", 99991672),  # the app holds none of the contact scopes
    ],
)
async def test_get_user_refusals(
    mode: str, app: dict[str, Any] | None, user: str, code: int, imgroup_emulator: EmulatorServer
) -> None:
    if app is not None and "scopes" in app:
        imgroup_emulator.seed({"feishu": {"apps": [app]}})
    with pytest.raises(feishu_im.ApiError) as caught:
        await call(mode, "feishu", feishu_settings(imgroup_emulator, app), "get_user", user)
    assert_error(caught.value, feishu_im, code)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_without_a_field_scope_the_status_is_left_out(mode: str, imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.seed({"feishu": {"apps": [BASE_SCOPE_APP]}})
    settings = feishu_settings(imgroup_emulator, BASE_SCOPE_APP)
    answer = await call(mode, "feishu", settings, "get_user", "ou_former")
    assert answer.user.open_id == "ou_former"
    assert answer.user.status is feishu_im.types.UNSET and answer.user.name is feishu_im.types.UNSET


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_user_by_union_id_and_user_id(mode: str, imgroup_emulator: EmulatorServer) -> None:
    imgroup_emulator.seed({"feishu": {"users": [{"open_id": "ou_gus", "union_id": "on_gus", "user_id": "gus1"}]}})
    settings = feishu_settings(imgroup_emulator)
    by_union = await call(mode, "feishu", settings, "get_user", "on_gus", user_id_type="union_id")
    by_user_id = await call(mode, "feishu", settings, "get_user", "gus1", user_id_type="user_id")
    assert by_union.user.open_id == by_user_id.user.open_id == "ou_gus"
    assert by_user_id.user.user_id == "gus1"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_bad_id_type_is_refused_before_sending(mode: str, imgroup_emulator: EmulatorServer) -> None:
    with pytest.raises(ValidationError) as caught:
        await call(mode, "feishu", feishu_settings(imgroup_emulator), "get_user", "ou_alice",
                   user_id_type="email")  # fmt: skip
    assert caught.value.field == "user_id_type"
    assert not [c for c in imgroup_emulator.calls() if c["operation"] == "get_user"]


# --- Tencent account_check ----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_account_check_answers_each_account_in_the_order_asked(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    items = [{"UserID": "user1"}, {"UserID": "nobody"}, {"UserID": "user5"}]
    answer = await call(mode, "tencent", tencent_settings(imgroup_emulator), "account_check",
                        check_item=items)  # fmt: skip
    assert [(r.user_id, r.result_code, r.account_status) for r in answer.result_item] == [
        ("user1", 0, "Imported"), ("nobody", 0, "NotImported"), ("user5", 0, "Imported")
    ]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_account_check_takes_100_accounts_and_refuses_101_before_sending(
    mode: str, imgroup_emulator: EmulatorServer
) -> None:
    settings = tencent_settings(imgroup_emulator)
    hundred = [{"UserID": f"u{i}"} for i in range(100)]
    answer = await call(mode, "tencent", settings, "account_check", check_item=hundred)
    assert len(answer.result_item) == 100
    with pytest.raises(ValidationError) as caught:
        await call(mode, "tencent", settings, "account_check", check_item=[*hundred, {"UserID": "x"}])
    assert caught.value.field == "check_item"
    assert [c["code"] for c in imgroup_emulator.calls() if c["operation"] == "account_check"] == [0]


@pytest.fixture
def tencent_query(imgroup_emulator: EmulatorServer, tencent_usersig: Callable[..., str]) -> dict[str, Any]:
    creds = imgroup_emulator.credentials["tencent"]
    usersig = tencent_usersig(creds["sdkappid"], creds["secret_key"], creds["identifier"])
    return {"sdkappid": creds["sdkappid"], "identifier": creds["identifier"], "usersig": usersig,
            "random": 7, "contenttype": "json"}  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"CheckItem": []},
        {"CheckItem": [{"UserID": f"u{i}"} for i in range(101)]},
        {"CheckItem": [{"UserID": ""}]},
        {"CheckItem": [{"Account": "user1"}]},
        {"CheckItem": ["user1"]},
        {"CheckItem": {"UserID": "user1"}},
    ],
)
def test_the_emulator_refuses_what_the_page_refuses_with_70402(
    body: dict[str, Any], imgroup_emulator: EmulatorServer, tencent_query: dict[str, Any]
) -> None:
    answer = httpx.post(imgroup_emulator.base_url + ACCOUNT_CHECK, params=tencent_query, json=body)
    info = tencent_im.lookup(70402)
    assert info is not None
    assert (answer.status_code, answer.json()) == (
        200, {"ActionStatus": "FAIL", "ErrorCode": 70402, "ErrorInfo": info.message}
    )  # fmt: skip
