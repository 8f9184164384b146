"""The command tree: help with an example everywhere, commands in step with the specs, lazy loading, errors,
completion, the emulator command and the bulk mount."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from imgroup_registry import PACKAGES, VENDORS

from imgroup.cli import COMMANDS, cli
from imgroup.cli._lazy import LazyCommand, LazyGroup

# Every command, the bulk runner's included, shows an example in its help.
ALL_COMMANDS = list(COMMANDS)


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def walk(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        context = click.Context(command, info_name=path[-1] if path else "imgroup")
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None
            yield from walk(sub, (*path, name))


def all_command_paths() -> list[tuple[str, ...]]:
    context = click.Context(cli, info_name="imgroup")
    paths: list[tuple[str, ...]] = [()]
    for name in ALL_COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        paths += list(walk(command, (name,)))
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda path: " ".join(path) or "imgroup")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert result.stdout.startswith("Usage: imgroup")


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_group_has_a_command_for_every_signed_operation_of_the_spec(vendor: str) -> None:
    operations = importlib.import_module(f"{PACKAGES[vendor]}.operations").OPERATIONS
    expected = {info.operation_id.replace("_", "-") for info in operations.values() if info.signed}
    group = cli.get_command(click.Context(cli), vendor)
    assert isinstance(group, click.Group)
    assert set(group.list_commands(click.Context(group))) == expected


def test_operation_help_comes_from_the_spec() -> None:
    result = invoke("feishu", "remove-chat-members", "--help")
    # The summary, the path and the argument help are the generated facade's, i.e. the spec's.
    assert "Remove users or bots from a chat." in result.stdout
    assert "DELETE /open-apis/im/v1/chats/{chat_id}/members" in result.stdout
    assert "[open_id|union_id|user_id|app_id]" in result.stdout
    assert "Usage: imgroup feishu remove-chat-members [OPTIONS] CHAT_ID ID_LIST..." in result.stdout


def test_root_help_lists_every_command_in_order() -> None:
    result = invoke("--help")
    rows = result.stdout.split("Commands:\n")[1].split("\n\n")[0].splitlines()
    # A command's row starts two spaces in; wrapped help continues further in.
    listed = [row.split()[0] for row in rows if row.startswith("  ") and not row.startswith("   ")]
    assert listed == list(COMMANDS)


def test_root_help_imports_no_client_server_or_rich() -> None:
    code = (
        "import sys\nfrom imgroup.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'feishu_im', 'tencent_im', 'yunxin_im', 'uvicorn', 'starlette', 'rich')"
        " if m in sys.modules]\nprint('HEAVY', heavy)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "HEAVY []" in output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("imgroup, version ")


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["slack"])
    assert result.exit_code == 2
    assert "No such command 'slack'" in result.stderr


# errors explain / list


def test_errors_explain_prints_meaning_category_retryable_and_action() -> None:
    result = invoke("errors", "explain", "feishu", "232009")
    assert result.exit_code == 0
    from feishu_im.error_codes import lookup

    info = lookup(232009)
    assert info is not None
    assert info.description in result.stdout
    assert info.action in result.stdout
    assert f"category:    {info.category} (not retryable)" in result.stdout
    assert "disband_chat" in result.stdout


def test_errors_explain_a_retryable_code_says_so() -> None:
    result = invoke("errors", "explain", "yunxin", "416")
    assert result.exit_code == 0
    assert "rate_limited (retryable" in result.stdout


def test_errors_explain_json_is_the_catalogue_entry() -> None:
    result = invoke("errors", "explain", "tencent", "10010", "--json")
    document = json.loads(result.stdout)
    from tencent_im.error_codes import lookup

    info = lookup(10010)
    assert info is not None
    assert document["code"] == 10010 and document["known"] is True
    assert document["category"] == info.category == "already_gone"
    assert document["retryable"] is info.retryable


def test_errors_explain_unknown_code_exits_1() -> None:
    result = invoke("errors", "explain", "feishu", "1")
    assert result.exit_code == 1
    assert "not in the catalogue" in result.stderr


def test_errors_explain_without_a_vendor_explains_a_code_only_one_vendor_has() -> None:
    named = invoke("errors", "explain", "feishu", "232009")
    alone = invoke("errors", "explain", "232009")
    assert alone.exit_code == 0
    assert alone.stdout == named.stdout and alone.stdout.startswith("feishu error 232009: ")


def test_errors_explain_without_a_vendor_lists_the_vendors_of_a_shared_code() -> None:
    result = invoke("errors", "explain", "10003")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "imgroup errors explain: 2 vendors have error 10003; name one:",
        "  imgroup errors explain feishu 10003  # invalid param",
        "  imgroup errors explain tencent 10003  # Invalid command word.",
    ]
    document = json.loads(invoke("errors", "explain", "10003", "--json").stdout)
    assert document == {"code": 10003, "known": True, "vendors": ["feishu", "tencent"]}


def test_errors_explain_without_a_vendor_an_unknown_code_exits_1() -> None:
    result = invoke("errors", "explain", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "imgroup errors explain: error 1 is in no catalogue; imgroup errors list VENDOR lists the known codes\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["errors", "explain", "slack", "1"],
        ["errors", "explain", "feishu", "abc"],
        ["errors", "explain", "abc"],
        ["errors", "explain", "feishu", "1", "2"],
        ["errors", "explain"],
    ],
)
def test_errors_explain_bad_arguments_are_usage_errors(args: list[str]) -> None:
    assert CliRunner().invoke(cli, args).exit_code == 2


@pytest.mark.parametrize("vendor", VENDORS)
def test_errors_list_shows_the_whole_catalogue(vendor: str) -> None:
    codes = importlib.import_module(f"{PACKAGES[vendor]}.error_codes").ERROR_CODES
    result = invoke("errors", "list", vendor)
    assert result.exit_code == 0
    listed = [int(line.split()[0]) for line in result.stdout.splitlines()]
    assert listed == sorted(codes)


def test_errors_list_category_filters_and_json_parses() -> None:
    result = invoke("errors", "list", "tencent", "--category", "rate_limited", "--json")
    entries = json.loads(result.stdout)
    from tencent_im.error_codes import ERROR_CODES

    assert {entry["code"] for entry in entries} == {
        code for code, info in ERROR_CODES.items() if info.category == "rate_limited"
    }
    assert {entry["code"] for entry in entries} >= {60007, 60011}


def test_errors_list_unknown_category_is_a_usage_error() -> None:
    assert CliRunner().invoke(cli, ["errors", "list", "feishu", "--category", "bogus"]).exit_code == 2


def test_error_code_completion_offers_catalogue_codes() -> None:
    from click.shell_completion import ShellComplete

    completions = ShellComplete(cli, {}, "imgroup", "_IMGROUP_COMPLETE").get_completions(
        ["errors", "explain", "feishu"], "23200"
    )
    assert "232009" in [item.value for item in completions]
    vendors = ShellComplete(cli, {}, "imgroup", "_IMGROUP_COMPLETE").get_completions(["errors", "explain"], "t")
    assert [item.value for item in vendors] == ["tencent"]


# completion


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_using_the_complete_variable(shell: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    assert "_IMGROUP_COMPLETE" in result.stdout


def test_completion_completes_subcommands() -> None:
    from click.shell_completion import ShellComplete

    values = [item.value for item in ShellComplete(cli, {}, "imgroup", "_X").get_completions(["feishu"], "dis")]
    assert values == ["disband-chat"]


# emulator command (the foreground server itself runs in test_cli_process.py)


def test_emulator_refuses_a_remote_host_as_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["emulator", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr


def test_emulator_rejects_a_seed_that_is_not_json(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["emulator", "--port", "0", "--seed", str(seed)])
    assert result.exit_code == 2
    assert "not a JSON document" in result.stderr


@pytest.mark.parametrize(
    ("seed", "message"), [("mars", "neither a file nor one of the seeds demo, empty"), ("{}x", "unknown vendor keys")]
)
def test_emulator_rejects_a_seed_it_cannot_load_before_it_listens(seed: str, message: str, tmp_path: Path) -> None:
    if seed.startswith("{"):
        (tmp_path / "seed.json").write_text('{"mars": {}}', encoding="utf-8")
        seed = str(tmp_path / "seed.json")
    result = CliRunner().invoke(cli, ["emulator", "--port", "0", "--seed", seed])
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


# bulk


def test_bulk_is_mounted_from_the_bulk_runner() -> None:
    from imgroup.bulk.cli import bulk

    group = cli.get_command(click.Context(cli), "bulk")
    assert group is bulk


def test_a_missing_optional_command_says_it_is_unavailable() -> None:
    group = LazyGroup(
        "root",
        lazy_commands={
            "extra": LazyCommand("imgroup.no_such_module:cli", "Extra.", unavailable="extra is unavailable")
        },
    )
    result = CliRunner().invoke(group, ["extra", "anything", "--flag"])
    assert result.exit_code == 1
    assert "extra is unavailable" in result.stderr


def test_a_broken_import_inside_an_optional_command_is_not_hidden() -> None:
    group = LazyGroup(
        "root", lazy_commands={"x": LazyCommand("imgroup.settings:VENDORS", "X.", unavailable="x is unavailable")}
    )
    with pytest.raises(TypeError, match="not a click command"):
        CliRunner().invoke(group, ["x"], catch_exceptions=False)
