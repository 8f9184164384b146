"""Every operation command, end to end on the emulator: success, an API error, a usage error, ``--json``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from imgroup.cli import cli

if TYPE_CHECKING:
    from imgroup.emulator import EmulatorServer

CALENDAR = "feishu.cn_demo@group.calendar.feishu.cn"
SECRETS = ("demo-feishu-app-secret", "demo-tencent-secret-key", "demo-yunxin-app-secret")


@pytest.fixture
def imgroup(emulator_environment: dict[str, str]) -> Iterator[Any]:
    """``imgroup(*args, env=...)``: run the command line in-process; every run is checked for leaked secrets."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        result = CliRunner().invoke(
            cli, list(args), env={**emulator_environment, **(env or {})}, catch_exceptions=False
        )
        for secret in SECRETS:
            assert secret not in result.stdout and secret not in result.stderr
        return result

    yield run


def _state(emulator: EmulatorServer) -> dict[str, Any]:
    state: dict[str, Any] = emulator.state()
    return state


SUCCESSES = [
    pytest.param(
        ["feishu", "disband-chat", "oc_demo_1"],
        lambda s: s["feishu"]["chats"]["oc_demo_1"]["dissolved"] is True,
        id="feishu-disband-chat",
    ),
    pytest.param(
        ["feishu", "remove-chat-members", "oc_demo_2", "ou_alice", "--member-id-type", "open_id"],
        lambda s: s["feishu"]["chats"]["oc_demo_2"]["members"] == ["ou_bob"],
        id="feishu-remove-chat-members",
    ),
    pytest.param(
        ["feishu", "unbind-meeting-chat", CALENDAR, "evt_demo_0", "--meeting-chat-id", "oc_demo_meeting"],
        lambda s: [m["bound"] for m in s["feishu"]["meeting_chats"] if m["event_id"] == "evt_demo_0"] == [False],
        id="feishu-unbind-meeting-chat",
    ),
    pytest.param(
        ["tencent", "destroy-group", "@TGS#demo1"],
        lambda s: s["tencent"]["groups"]["@TGS#demo1"]["destroyed"] is True,
        id="tencent-destroy-group",
    ),
    pytest.param(
        ["yunxin", "dismiss-team", "1001", "--team-type", "1", "--operator-id", "acc_owner"],
        lambda s: s["yunxin"]["teams"]["1001"]["dismissed"] is True,
        id="yunxin-dismiss-team",
    ),
]

API_ERRORS = [
    pytest.param(["feishu", "disband-chat", "oc_demo_dissolved"], 232009, id="232009"),
    pytest.param(["feishu", "remove-chat-members", "oc_demo_member", "ou_bob"], 232014, id="232014"),
    pytest.param(
        ["feishu", "unbind-meeting-chat", CALENDAR, "evt_demo_1", "--meeting-chat-id", "oc_demo_meeting_user"],
        195107,
        id="195107",
    ),
    # A user token the emulator never issued: the user-token signer, no token fetch.
    pytest.param(["feishu", "disband-chat", "oc_demo_1", "--user-access-token", "u-unknown"], 99991668, id="99991668"),
    pytest.param(["tencent", "destroy-group", "@TGS#demo_gone"], 10010, id="10010"),
    pytest.param(
        ["yunxin", "dismiss-team", "1999", "--team-type", "1", "--operator-id", "acc_owner"], 108404, id="108404"
    ),
]

USAGE_ERRORS = [
    pytest.param(["feishu", "disband-chat"], "Missing argument 'CHAT_ID'", id="missing-argument"),
    pytest.param(
        ["feishu", "remove-chat-members", "oc_demo_1", "ou_a", "--member-id-type", "email"],
        "'email' is not one of",
        id="bad-choice",
    ),
    pytest.param(
        ["feishu", "unbind-meeting-chat", CALENDAR, "evt_demo_0"],
        "Missing option '--meeting-chat-id'",
        id="missing-option",
    ),
    pytest.param(["feishu", "remove-chat-members", "oc_demo_1"], "Missing argument 'ID_LIST...'", id="no-ids"),
    # Rejected by the client's validation (from the spec) before anything is sent.
    pytest.param(["tencent", "destroy-group", ""], "group_id", id="client-validation-empty"),
    pytest.param(
        ["yunxin", "dismiss-team", "1001", "--team-type", "3", "--operator-id", "acc_owner"],
        "team_type must be at most 2",
        id="client-validation-range",
    ),
    pytest.param(
        ["yunxin", "dismiss-team", "1001", "--team-type", "one", "--operator-id", "x"], "not a valid integer", id="type"
    ),
    pytest.param(
        ["tencent", "destroy-group", "@TGS#demo1", "--base-url", "ftp://example"],
        "base_url",
        id="client-validation-url",
    ),
]


@pytest.mark.parametrize(("args", "done"), SUCCESSES)
def test_success_exits_0_says_done_and_changes_the_emulator(
    imgroup: Any, imgroup_emulator: EmulatorServer, args: list[str], done: Any
) -> None:
    result = imgroup(*args)
    assert result.exit_code == 0, result.stderr
    assert f"{args[0]} {args[1]} {args[2]}: done" in result.stdout
    assert result.stderr == ""
    assert done(_state(imgroup_emulator))


@pytest.mark.parametrize(("args", "done"), SUCCESSES)
def test_success_with_json_prints_one_parseable_document(
    imgroup: Any, imgroup_emulator: EmulatorServer, args: list[str], done: Any
) -> None:
    result = imgroup(*args, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["vendor"] == args[0]
    assert document["operation"] == args[1].replace("-", "_")
    assert isinstance(document["result"], dict)
    assert done(_state(imgroup_emulator))


@pytest.mark.parametrize(("args", "code"), API_ERRORS)
def test_api_error_exits_1_with_one_line_of_code_advice_and_request_id(
    imgroup: Any, args: list[str], code: int
) -> None:
    result = imgroup(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"imgroup {args[0]} {args[1]}: [{code}] ")
    assert " — " in line and "not in the catalogue" not in line
    if args[0] != "tencent":  # Tencent's answers carry no request id
        assert "(request id " in line


@pytest.mark.parametrize(("args", "code"), API_ERRORS)
def test_api_error_with_json_has_the_catalogue_entry_and_the_same_request_id(
    imgroup: Any, args: list[str], code: int
) -> None:
    result = imgroup(*args, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code
    assert error["kind"] == "api_error"
    assert error["description"] and error["action"] and error["category"]
    if args[0] == "tencent":  # Tencent's answers carry no request id
        assert error["request_id"] is None
    else:
        assert error["request_id"]
        assert f"(request id {error['request_id']})" in result.stderr


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_error_exits_2_and_sends_nothing(
    imgroup: Any, imgroup_emulator: EmulatorServer, args: list[str], message: str
) -> None:
    result = imgroup(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert imgroup_emulator.calls() == []


def test_missing_credentials_are_a_usage_error_naming_the_variable(imgroup: Any) -> None:
    result = imgroup(
        "yunxin", "dismiss-team", "1001", "--team-type", "1", "--operator-id", "a", env={"YUNXIN_APP_KEY": ""}
    )
    assert result.exit_code == 2
    assert "YUNXIN_APP_KEY" in result.stderr


def test_option_beats_environment_for_credentials(imgroup: Any) -> None:
    # A wrong key on the command line wins over the right one in the environment: the emulator refuses it.
    result = imgroup(
        "yunxin", "dismiss-team", "1001", "--team-type", "1", "--operator-id", "acc_owner", "--app-key", "nope"
    )
    assert result.exit_code == 1
    assert "[101303]" in result.stderr or "[414]" in result.stderr or "[403]" in result.stderr


def test_secret_given_as_option_is_never_echoed(imgroup: Any) -> None:
    secret = "wrong-secret-given-on-the-command-line"
    result = imgroup("tencent", "destroy-group", "@TGS#demo1", "--secret-key", secret, "--json")
    assert result.exit_code == 1
    assert secret not in result.stdout and secret not in result.stderr


def test_config_file_profile_is_read_when_the_environment_is_empty(
    imgroup: Any, imgroup_emulator: EmulatorServer, tmp_path: Any
) -> None:
    credentials = imgroup_emulator.credentials["yunxin"]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[ops.yunxin]\napp_key = "{credentials["app_key"]}"\napp_secret = "{credentials["app_secret"]}"\n'
        f'base_url = "{imgroup_emulator.base_url}"\n',
        encoding="utf-8",
    )
    cleared = {"YUNXIN_APP_KEY": "", "YUNXIN_APP_SECRET": "", "YUNXIN_BASE_URL": ""}
    args = ["yunxin", "dismiss-team", "1002", "--team-type", "1", "--operator-id", "acc_owner", "--config", str(config)]
    result = imgroup(*args, "--profile", "ops", env=cleared)
    assert result.exit_code == 0, result.stderr
    assert _state(imgroup_emulator)["yunxin"]["teams"]["1002"]["dismissed"] is True


def test_a_base_url_overrides_a_region_given_beside_it(imgroup: Any, imgroup_emulator: EmulatorServer) -> None:
    result = imgroup("tencent", "destroy-group", "@TGS#demo1", "--region", "singapore")
    assert result.exit_code == 0, result.stderr
    assert _state(imgroup_emulator)["tencent"]["groups"]["@TGS#demo1"]["destroyed"] is True
    from_environment = imgroup("tencent", "destroy-group", "@TGS#demo2", env={"TENCENT_IM_REGION": "singapore"})
    assert from_environment.exit_code == 0, from_environment.stderr
    assert _state(imgroup_emulator)["tencent"]["groups"]["@TGS#demo2"]["destroyed"] is True


def test_connection_refused_exits_1_without_a_traceback(imgroup: Any) -> None:
    result = imgroup("tencent", "destroy-group", "@TGS#demo1", "--base-url", "http://127.0.0.1:9", "--max-retries", "0")
    assert result.exit_code == 1
    assert "no answer" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["feishu", "disband-chat", "--help"],
        ["tencent", "destroy-group", "--help"],
        ["yunxin", "dismiss-team", "--help"],
        ["feishu", "--help"],
    ],
)
def test_help_never_shows_the_secrets_in_the_environment(imgroup: Any, args: list[str]) -> None:
    result = imgroup(*args)  # the fixture fails the test if a secret of the environment shows up
    assert result.exit_code == 0
    assert "Usage: imgroup" in result.stdout


@pytest.mark.parametrize("secret", ["y", "e", "re", "ble", "ret"])
def test_a_short_wrong_secret_leaves_the_error_readable(imgroup: Any, secret: str) -> None:
    # The bug report: with FEISHU_APP_SECRET=y an error read "retr[redacted]able:  [redacted]es".
    def error_lines(app_secret: str, *flags: str) -> list[str]:
        result = imgroup("feishu", "disband-chat", "oc_demo_1", *flags, env={"FEISHU_APP_SECRET": app_secret})
        assert result.exit_code == 1
        lines = (result.stdout + result.stderr).splitlines()
        return [re.sub(r" \(request id [^)]*\)", "", line) for line in lines if '"request_id"' not in line]

    for flags in [(), ("--json",)]:
        assert error_lines(secret, *flags) == error_lines("a-wrong-secret-of-32-characters!", *flags)
    [line] = error_lines(secret)
    assert line.startswith("imgroup feishu disband-chat: feishu get_tenant_access_token: [10014] app secret invalid — ")
    assert line.endswith("; check FEISHU_APP_ID and FEISHU_APP_SECRET, or FEISHU_USER_ACCESS_TOKEN")
