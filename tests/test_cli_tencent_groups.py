"""The Tencent commands (groups, and account_check): every command's help example runs against the demo seed."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

import imgroup_registry
import pytest
from click.testing import CliRunner

from imgroup.cli import cli
from imgroup.settings import FIELDS

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

TENCENT_EXAMPLES = {
    name: facts.example for name, facts in imgroup_registry.vendor("tencent").operations.items() if facts.example
}


def run(emu: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, args: list[str]) -> Any:
    monkeypatch.setenv("HOME", str(tmp_path))
    for field in FIELDS["tencent"]:
        monkeypatch.delenv(field.variable, raising=False)
    credentials = emu.credentials["tencent"]
    env = {
        "TENCENT_IM_BASE_URL": emu.base_url,
        "TENCENT_IM_SDKAPPID": str(credentials["sdkappid"]),
        "TENCENT_IM_SECRET_KEY": credentials["secret_key"],
    }
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert credentials["secret_key"] not in result.stdout + result.stderr
    return result


def test_every_tencent_operation_has_an_example() -> None:
    assert set(TENCENT_EXAMPLES) == {
        "create_group", "get_group_info", "get_appid_group_list", "get_group_member_info", "add_group_member",
        "delete_group_member", "change_group_owner", "modify_group_base_info", "get_joined_group_list",
        "destroy_group", "account_check",
    }  # fmt: skip


@pytest.mark.parametrize("operation", sorted(TENCENT_EXAMPLES))
def test_the_example_runs_against_the_demo_seed(
    operation: str, imgroup_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    args = shlex.split(TENCENT_EXAMPLES[operation])[1:]
    result = run(imgroup_emulator, monkeypatch, tmp_path, [*args, "--json"] if "--json" not in args else args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["ok"], document["operation"]) == (True, operation)
    assert [c["code"] for c in imgroup_emulator.calls() if c["operation"] == operation] == [0]


def test_change_group_owner_moves_ownership_from_the_command_line(
    imgroup_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    result = run(imgroup_emulator, monkeypatch, tmp_path, ["tencent", "change-group-owner", "@TGS#demo_team", "user3"])
    assert result.exit_code == 0, result.stderr
    assert imgroup_emulator.state()["tencent"]["groups"]["@TGS#demo_team"]["owner"] == "user3"


def test_an_object_option_that_is_not_json_is_a_usage_error(
    imgroup_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    args = ["tencent", "add-group-member", "@TGS#demo_team", "--member-list", "user5"]
    result = run(imgroup_emulator, monkeypatch, tmp_path, args)
    assert result.exit_code == 2 and "is not a JSON object" in result.stderr
    assert imgroup_emulator.calls() == []
