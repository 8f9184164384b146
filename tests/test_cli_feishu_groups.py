"""The command line's examples for Feishu's chat chapter and contacts run as shown against the demo-seeded emulator."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

import imgroup_registry
import pytest
from click.testing import CliRunner

from imgroup.cli import cli

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

CHAT_CHAPTER = (
    "get_chat", "list_chats", "search_chats", "create_chat", "update_chat", "list_chat_members",
    "add_chat_members", "is_in_chat", "add_chat_managers", "remove_chat_managers", "create_meeting_chat",
)  # fmt: skip
CONTACTS = ("get_user",)


@pytest.mark.parametrize("operation", CHAT_CHAPTER + CONTACTS)
def test_the_example_runs_on_the_demo_seed(
    operation: str, imgroup_emulator: EmulatorServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("IMGROUP_CONFIG", raising=False)
    credentials = imgroup_emulator.credentials["feishu"]
    env = {
        "FEISHU_BASE_URL": imgroup_emulator.base_url,
        "FEISHU_APP_ID": credentials["app_id"],
        "FEISHU_APP_SECRET": credentials["app_secret"],
    }
    example = imgroup_registry.vendor("feishu").operations[operation].example
    assert example is not None
    words = shlex.split(example)
    assert words[:2] == ["imgroup", "feishu"]
    result = CliRunner().invoke(cli, words[1:], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert credentials["app_secret"] not in result.output
    # A token cached from an earlier test's emulator is refused once (99991663) and fetched again.
    codes = [call["code"] for call in imgroup_emulator.calls() if call["operation"] == operation]
    assert codes[-1:] == [0] and set(codes) <= {0, 99991663}
