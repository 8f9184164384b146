"""The Yunxin team commands on the emulator: every example runs as documented, and options of every shape parse."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import imgroup_registry
import pytest
from click.testing import CliRunner, Result

from imgroup.cli import cli

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

YUNXIN_EXAMPLES = {
    name: facts.example for name, facts in imgroup_registry.vendor("yunxin").operations.items() if facts.example
}


@pytest.fixture
def imgroup(imgroup_emulator: EmulatorServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``imgroup`` in-process against the emulator, with its demo Yunxin credentials and no config file."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("IMGROUP_CONFIG", "IMGROUP_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    credentials = imgroup_emulator.credentials["yunxin"]
    environment = {
        "YUNXIN_BASE_URL": imgroup_emulator.base_url,
        "YUNXIN_APP_KEY": credentials["app_key"],
        "YUNXIN_APP_SECRET": credentials["app_secret"],
    }

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)
        assert credentials["app_secret"] not in result.stdout + result.stderr
        return result

    return run


def test_every_team_operation_has_an_example() -> None:
    assert set(YUNXIN_EXAMPLES) == {
        "create_team", "get_team", "get_teams", "update_team", "transfer_team_owner", "add_team_managers",
        "remove_team_managers", "list_team_members", "add_team_members", "remove_team_members", "list_joined_teams",
        "dismiss_team", "dismiss_team_v2",
    }  # fmt: skip


def test_dismiss_team_calls_the_current_route_and_v2_the_older_one(
    imgroup: Callable[..., Result], imgroup_emulator: EmulatorServer
) -> None:
    assert imgroup("yunxin", "dismiss-team", "1001", "--team-type", "1", "--operator-id", "acc_owner").exit_code == 0
    older = imgroup("yunxin", "dismiss-team-v2", "1003", "--team-type", "1", "--operator-id", "acc_owner")
    assert older.exit_code == 0, older.output
    # The emulator names each call by the route it came in on: DELETE /im/v2.1/... is dismiss_team, /im/v2/... v2.
    calls = [(c["operation"], c["target"], c["effect"]) for c in imgroup_emulator.calls()]
    assert calls == [("dismiss_team", "1001", "disbanded"), ("dismiss_team_v2", "1003", "disbanded")]


@pytest.mark.parametrize("operation", sorted(YUNXIN_EXAMPLES))
def test_each_example_runs_against_the_demo_seed(operation: str, imgroup: Callable[..., Result]) -> None:
    result = imgroup(*shlex.split(YUNXIN_EXAMPLES[operation])[1:])
    assert result.exit_code == 0, result.output
    if "--json" in YUNXIN_EXAMPLES[operation]:
        assert json.loads(result.stdout)["ok"] is True


def test_the_transfer_example_moves_ownership(imgroup: Callable[..., Result], imgroup_emulator: EmulatorServer) -> None:
    assert imgroup(*shlex.split(YUNXIN_EXAMPLES["transfer_team_owner"])[1:]).exit_code == 0
    team = imgroup_emulator.state()["yunxin"]["teams"]["1003"]
    assert (team["owner"], team["members"]) == ("acc_manager", ["acc_member", "acc_owner"])


def test_a_boolean_option_takes_true_or_false(imgroup: Callable[..., Result]) -> None:
    result = imgroup("yunxin", "list-team-members", "1001", "--team-type", "1", "--descending", "true", "--json")
    assert result.exit_code == 0, result.output
    names = [item["account_id"] for item in json.loads(result.stdout)["result"]["items"]]
    assert names == ["acc_owner", "acc_member", "acc_manager"]


def test_a_nested_object_option_takes_json(imgroup: Callable[..., Result], imgroup_emulator: EmulatorServer) -> None:
    result = imgroup(
        "yunxin", "update-team", "1001", "--operator-id", "acc_owner", "--team-type", "1",
        "--configuration", '{"invite_mode": 1}', "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["result"]["team_info"]["configuration"]["invite_mode"] == 1


def test_a_nested_object_option_that_is_not_json_is_a_usage_error(imgroup: Callable[..., Result]) -> None:
    result = imgroup(
        "yunxin", "update-team", "1001", "--operator-id", "acc_owner", "--team-type", "1", "--configuration", "[1]"
    )
    assert result.exit_code == 2
    assert "not a JSON object" in result.output
