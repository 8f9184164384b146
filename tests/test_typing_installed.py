"""Types reach the user: every package ships ``py.typed``, and ``mypy --strict`` on an installed copy sees them."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from installed_copy import InstalledCopy

import imgroup.errors
import imgroup.groups
import imgroup.runtime

PACKAGES = ("imgroup", "feishu_im", "tencent_im", "yunxin_im", "imgroup_registry")


def _uses(module: str, names: list[str]) -> str:
    """An import of ``module`` and a use of each of its public names, so mypy resolves every one."""
    return f"import {module}\n\nprint(" + ", ".join(f"{module}.{name}" for name in names) + ")\n"


# Uses each public module as a user would, asserting the types mypy infers: a module seen untyped (no
# py.typed) is an error under --strict, and an Any where a type should be fails assert_type.
PROGRAM = """
import asyncio
from typing import Any, assert_type

import pytest

import feishu_im
import imgroup_registry
import tencent_im
import yunxin_im
from feishu_im import AsyncFeishuClient, FeishuClient
from feishu_im.error_codes import lookup as feishu_lookup
from feishu_im.models import ChatSummary
from imgroup.emulator import DEMO_SEED, EmulatorServer
from imgroup.errors import AlreadyGoneError, ApiError, ErrorInfo, ImgroupError
from imgroup.groups import ActionResult, AsyncGroups, Group, Groups, Membership, Role
from imgroup.runtime import Disbanded
from imgroup.runtime.registry import VendorEntry
from tencent_im import AsyncTencentIMClient, TencentIMClient
from tencent_im.error_codes import lookup as tencent_lookup
from yunxin_im import AsyncYunxinClient, YunxinClient
from yunxin_im.error_codes import lookup as yunxin_lookup
from yunxin_im.models import JoinedTeam


def test_with_the_fixture(imgroup_emulator: EmulatorServer) -> None:
    assert_type(imgroup_emulator.base_url, str)
    assert_type(imgroup_emulator.credentials, dict[str, dict[str, Any]])


def clients(emu: EmulatorServer) -> None:
    with FeishuClient(app_id="cli_demo", app_secret="s", base_url=emu.base_url) as feishu:
        assert_type(feishu.disband_chat("oc_demo_1"), Disbanded)
        for chat in feishu.iter_chats():
            assert_type(chat, ChatSummary)
    with TencentIMClient(sdkappid=1400000000, secret_key="k", region="singapore", base_url=emu.base_url) as tencent:
        assert_type(tencent.destroy_group(group_id="@TGS#demo1"), Disbanded)
    with YunxinClient(app_key="k", app_secret="s", base_url=emu.base_url) as yunxin:
        for team in yunxin.iter_joined_teams("acc_owner", team_type=1):
            assert_type(team, JoinedTeam)


async def async_clients(emu: EmulatorServer) -> None:
    async with AsyncFeishuClient(app_id="cli_demo", app_secret="s", base_url=emu.base_url) as feishu:
        async for chat in feishu.iter_chats():
            assert_type(chat, ChatSummary)
    async with AsyncTencentIMClient(sdkappid=1400000000, secret_key="k", base_url=emu.base_url) as tencent:
        assert_type(await tencent.destroy_group(group_id="@TGS#demo1"), Disbanded)
    async with AsyncYunxinClient(app_key="k", app_secret="s", base_url=emu.base_url) as yunxin:
        assert_type(await yunxin.dismiss_team("1001", team_type=1, operator_id="acc_owner"), Disbanded)


def errors() -> None:
    assert_type(feishu_lookup(232009), ErrorInfo | None)
    assert_type(tencent_lookup(10010), ErrorInfo | None)
    assert_type(yunxin_lookup(108404), ErrorInfo | None)
    info = feishu_lookup(232009)
    if info is not None:
        assert_type(info.description, str)
        assert_type(info.retryable, bool)
    try:
        pass
    except feishu_im.AlreadyGoneError as error:
        assert_type(error, feishu_im.AlreadyGoneError)
        assert isinstance(error, AlreadyGoneError)
    except ApiError as error:
        assert_type(error.code, int)
        assert_type(error.request_id, str | None)
        assert_type(error.info, ErrorInfo | None)
    except ImgroupError:
        pass
    assert issubclass(tencent_im.TencentIMError, ImgroupError) and issubclass(yunxin_im.YunxinError, ImgroupError)


def groups() -> None:
    with Groups.from_settings("tencent") as tencent:
        assert_type(tencent.get("tencent:@TGS#demo_team"), Group | None)
        assert_type(tencent.memberships("tencent:alice"), list[Membership])
        assert_type(tencent.role_of("tencent:@TGS#demo_team", "tencent:user3"), Role | None)
        assert_type(tencent.transfer("tencent:@TGS#demo_alice", "tencent:bob"), ActionResult)


async def async_groups() -> None:
    async with AsyncGroups.from_settings("yunxin") as yunxin:
        assert_type(await yunxin.get("yunxin:1001"), Group | None)


def registry() -> None:
    assert_type(imgroup_registry.vendor("feishu"), VendorEntry)
    assert_type(imgroup_registry.VENDORS, tuple[str, ...])
    for entry in imgroup_registry.vendors():
        assert_type(entry, VendorEntry)


with EmulatorServer(seed=DEMO_SEED) as emulator:
    emulator.reset("demo")
    clients(emulator)
    asyncio.run(async_clients(emulator))
errors()
groups()
asyncio.run(async_groups())
registry()
print(pytest.__name__)
"""


def test_every_package_ships_py_typed_in_the_wheel_and_the_sdist(installed_imgroup: InstalledCopy) -> None:
    with zipfile.ZipFile(installed_imgroup.wheel) as wheel:
        in_wheel = {name for name in wheel.namelist() if name.endswith("/py.typed")}
    assert in_wheel == {f"{package}/py.typed" for package in PACKAGES}
    with tarfile.open(installed_imgroup.sdist) as sdist:
        in_sdist = {Path(name).parent.name for name in sdist.getnames() if name.endswith("/py.typed")}
    assert in_sdist == set(PACKAGES)


def test_mypy_strict_sees_the_types_of_every_public_module_of_the_installed_copy(
    installed_imgroup: InstalledCopy, tmp_path: Path
) -> None:
    program = tmp_path / "test_uses_imgroup.py"
    public_names = (
        _uses("imgroup.runtime", imgroup.runtime.__all__)
        + _uses("imgroup.groups", imgroup.groups.__all__)
        + _uses("imgroup.errors", imgroup.errors.__all__)
        + _uses("imgroup_registry", ["PACKAGES", "TITLES", "VENDORS", "UnknownVendorError", "vendor", "vendors"])
    )
    program.write_text(PROGRAM + public_names, encoding="utf-8")
    result = installed_imgroup.mypy([program], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
