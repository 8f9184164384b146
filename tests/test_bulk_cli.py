"""``imgroup bulk`` against the emulator (demo seed): exit statuses, reports, resume, dry run, usage errors."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from imgroup.bulk._jobs import DISBAND
from imgroup.bulk.cli import bulk, default_journal_path
from imgroup.emulator import EmulatorServer
from imgroup.jobs import Journal, parse_items, read_source
from imgroup.settings import FIELDS

INVALID_TOKEN = 99991663


@pytest.fixture
def emu(imgroup_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> EmulatorServer:
    """The demo emulator, with its credentials in the environment and no user config file in the way."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("IMGROUP_CONFIG", "IMGROUP_PROFILE", "IMGROUP_JOURNAL_DIR", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for vendor, fields in FIELDS.items():
        for field in fields:
            monkeypatch.delenv(field.variable, raising=False)
            value = imgroup_emulator.credentials.get(vendor, {}).get(field.name)
            if value is not None:
                monkeypatch.setenv(field.variable, str(value))
    return imgroup_emulator


def invoke(emu: EmulatorServer, *args: str) -> Result:
    return CliRunner().invoke(bulk, [*args, "--base-url", emu.base_url], catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "input.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def calls(emu: EmulatorServer, operation: str) -> list[dict[str, Any]]:
    """The calls of ``operation`` that got past authentication.

    Feishu tenant tokens are cached per app for the whole process, so after the emulator's reset between tests
    a client's first calls carry a stale token and are answered 99991663; the client refetches and retries.
    """
    return [call for call in emu.calls() if call["operation"] == operation and call["code"] != INVALID_TOKEN]


def test_feishu_disband_reports_each_chat_and_exits_1_when_one_failed(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "oc_demo_1\noc_demo_dissolved\noc_demo_member\noc_demo_2\n")
    report = tmp_path / "report.csv"
    result = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source), "--report", str(report))

    assert result.exit_code == 1, result.output
    assert "4 items: 3 done (1 already gone), 1 failed" in result.output
    assert "--retry-failed" in result.output
    rows = read_csv(report)
    assert list(rows) == ["oc_demo_1", "oc_demo_dissolved", "oc_demo_member", "oc_demo_2"]
    assert (rows["oc_demo_1"]["status"], rows["oc_demo_1"]["already_gone"]) == ("done", "False")
    assert rows["oc_demo_dissolved"]["status"] == "done"
    assert (rows["oc_demo_dissolved"]["already_gone"], rows["oc_demo_dissolved"]["code"]) == ("True", "232009")
    failed = rows["oc_demo_member"]
    assert (failed["status"], failed["code"], failed["category"]) == ("failed", "232017", "permission_denied")
    # The report agrees with what the emulator saw: its answer codes and request ids, one call per chat.
    audit = {call["target"]: call for call in calls(emu, "disband_chat")}
    assert len(calls(emu, "disband_chat")) == 4
    assert {key: str(call["code"]) for key, call in audit.items()} == {
        "oc_demo_1": "0",
        "oc_demo_dissolved": "232009",
        "oc_demo_member": "232017",
        "oc_demo_2": "0",
    }
    assert all(row["request_id"] for row in rows.values())
    assert default_journal_path(source).exists()


def test_a_rerun_skips_done_items_and_retries_failed_only_when_asked(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "oc_demo_1\noc_demo_member\n")
    assert invoke(emu, "disband", "--vendor", "feishu", "--input", str(source)).exit_code == 1
    assert len(calls(emu, "disband_chat")) == 2

    again = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source))
    assert again.exit_code == 1
    assert "0 to run" in again.output
    assert len(calls(emu, "disband_chat")) == 2

    emu.seed({"feishu": {"chats": [{"chat_id": "oc_demo_member", "owner": "cli_demo", "members": ["ou_bob"]}]}})
    retried = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source), "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert "1 to run" in retried.output
    sent = [call["target"] for call in calls(emu, "disband_chat")]
    assert sorted(sent[:2]) == ["oc_demo_1", "oc_demo_member"]
    assert sent[2:] == ["oc_demo_member"]


def test_a_group_already_gone_counts_as_done(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "@TGS#demo1\n@TGS#demo_gone\n")
    result = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source))
    assert result.exit_code == 0, result.output
    assert "2 items: 2 done (1 already gone), 0 failed" in result.output


def test_yunxin_disband_from_csv_with_a_jsonl_report(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "team_id,team_type,operator_id\n1001,1,acc_owner\n1002,1,acc_member\n", "teams.csv")
    report = tmp_path / "out.jsonl"
    result = invoke(emu, "disband", "--vendor", "yunxin", "--input", str(source), "--report", str(report))
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(row["id"], row["status"], row["already_gone"]) for row in rows] == [
        ("1001", "done", False),
        ("1002", "failed", False),
    ]
    assert rows[1]["category"] == "permission_denied" and isinstance(rows[1]["code"], int)
    assert {call["target"]: call["code"] for call in calls(emu, "dismiss_team")}["1002"] == rows[1]["code"]


def test_remove_members_names_ids_that_were_not_in_the_chat(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "chat_id,member_ids\noc_demo_1,ou_alice;ou_nobody\noc_demo_2,ou_bob\n", "m.csv")
    report = tmp_path / "m.csv.report.csv"
    result = invoke(emu, "remove-members", "--input", str(source), "--report", str(report))
    assert result.exit_code == 0, result.output
    rows = read_csv(report)
    assert rows["oc_demo_1"]["message"] == "not in the chat: ou_nobody"
    assert rows["oc_demo_2"]["message"] == ""
    assert [call["effect"] for call in calls(emu, "remove_chat_members")] == ["removed:1", "removed:1"]


def test_unbind_meeting_chat_runs_each_event_once(emu: EmulatorServer, tmp_path: Path) -> None:
    calendar = "feishu.cn_demo@group.calendar.feishu.cn"
    source = write(
        tmp_path,
        f"calendar_id,event_id,meeting_chat_id\n{calendar},evt_demo_0,oc_demo_meeting\n"
        f"{calendar},evt_demo_1,oc_demo_meeting_user\n",
        "meetings.csv",
    )
    report = tmp_path / "meetings.jsonl"
    result = invoke(emu, "unbind-meeting-chat", "--input", str(source), "--report", str(report))
    assert result.exit_code == 1, result.output
    rows = {row["id"]: row for row in map(json.loads, report.read_text().splitlines())}
    assert rows[f"{calendar}/evt_demo_0"]["status"] == "done"
    assert rows[f"{calendar}/evt_demo_1"]["status"] == "failed"
    effects = {call["target"]: call["effect"] for call in calls(emu, "unbind_meeting_chat")}
    assert effects == {"oc_demo_meeting": "unbound", "oc_demo_meeting_user": None}


def test_a_dry_run_checks_everything_and_sends_nothing(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "oc_demo_1\noc_demo_2\noc_demo_3\n")
    first = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source), "--dry-run")
    assert first.exit_code == 0, first.output
    assert "3 items for feishu disband_chat" in first.output
    assert "every item would be sent" in first.output
    assert emu.calls() == []
    assert not default_journal_path(source).exists()

    write(tmp_path, "oc_demo_1\n", "one.txt")
    journal = default_journal_path(source)
    invoke(emu, "disband", "--vendor", "feishu", "--input", str(tmp_path / "one.txt"), "--journal", str(journal))
    # That journal is another input's: the dry run says so, as a real run would.
    refused = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source), "--dry-run")
    assert refused.exit_code == 2
    assert "use another --journal" in refused.output


def test_a_dry_run_after_a_partial_run_says_what_is_left(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "oc_demo_1\noc_demo_member\n")
    invoke(emu, "disband", "--vendor", "feishu", "--input", str(source))
    sent = len(emu.calls())
    result = invoke(emu, "disband", "--vendor", "feishu", "--input", str(source), "--dry-run")
    assert result.exit_code == 0
    assert "would send 0 items (1 more with --retry-failed)" in result.output
    assert len(emu.calls()) == sent


@pytest.mark.parametrize(
    ("text", "extra", "words"),
    [
        ("team_id,team_type,operator_id\n1001,1,acc_owner\n1002,7,acc_owner\n", (), "line 3: team_type must be"),
        ("team_id,team_type,operator_id\n1001,1,acc_owner\n", ("--report", "out.xlsx"), "must end in .csv or .jsonl"),
        ("", (), "holds no items"),
    ],
)
def test_usage_errors_exit_2_and_send_nothing(
    emu: EmulatorServer, tmp_path: Path, text: str, extra: tuple[str, ...], words: str
) -> None:
    source = write(tmp_path, text, "teams.csv")
    result = invoke(emu, "disband", "--vendor", "yunxin", "--input", str(source), *extra)
    assert result.exit_code == 2
    assert words in result.output
    assert emu.calls() == []


def test_missing_credentials_exit_2_without_showing_secrets(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TENCENT_IM_SECRET_KEY")
    result = invoke(emu, "disband", "--vendor", "tencent", "--input", str(write(tmp_path, "@TGS#demo1\n")))
    assert result.exit_code == 2
    assert "TENCENT_IM_SECRET_KEY" in result.output
    assert emu.calls() == []


def test_an_unknown_vendor_and_a_missing_input_are_usage_errors(emu: EmulatorServer, tmp_path: Path) -> None:
    assert invoke(emu, "disband", "--vendor", "slack", "--input", "x").exit_code == 2
    missing = invoke(emu, "disband", "--vendor", "tencent", "--input", str(tmp_path / "absent.txt"))
    assert missing.exit_code == 2
    assert "cannot read it" in missing.output


def test_a_tight_rate_limit_and_one_worker_still_finish(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "@TGS#demo1\n@TGS#demo2\n@TGS#demo3\n")
    result = invoke(
        emu, "disband", "--vendor", "tencent", "--input", str(source), "--rate-limit", "50", "--concurrency", "1"
    )
    assert result.exit_code == 0, result.output
    assert [call["target"] for call in calls(emu, "destroy_group")] == ["@TGS#demo1", "@TGS#demo2", "@TGS#demo3"]


def test_refused_credentials_stop_the_job_after_the_first_refusal(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", "not-the-apps-key")
    source = write(tmp_path, "@TGS#demo1\n@TGS#demo2\n@TGS#demo3\n")
    result = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--concurrency", "1")
    assert result.exit_code == 1
    assert "stopped: tencent refused the credentials ([70009]" in result.output
    assert "1 failed, 2 not run" in result.output
    assert "not-the-apps-key" not in result.output
    assert len(emu.calls()) == 1

    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", emu.credentials["tencent"]["secret_key"])
    fixed = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--retry-failed")
    assert fixed.exit_code == 0, fixed.output
    resent = sorted(call["target"] for call in calls(emu, "destroy_group")[1:])
    assert resent == ["@TGS#demo1", "@TGS#demo2", "@TGS#demo3"]


def test_a_changed_input_or_a_journal_in_use_is_refused_with_2(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "@TGS#demo1\n")
    assert invoke(emu, "disband", "--vendor", "tencent", "--input", str(source)).exit_code == 0
    write(tmp_path, "@TGS#demo1\n@TGS#demo2\n")
    changed = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source))
    assert changed.exit_code == 2
    assert "the input has @TGS#demo2 (line 2)" in changed.output

    other = write(tmp_path, "@TGS#demo3\n", "other.txt")
    items = parse_items(read_source(other), DISBAND["tencent"])
    with Journal.open(default_journal_path(other), DISBAND["tencent"].name, items):
        busy = invoke(emu, "disband", "--vendor", "tencent", "--input", str(other))
    assert busy.exit_code == 2
    assert "in use by another run" in busy.output
    assert [call["target"] for call in calls(emu, "destroy_group")] == ["@TGS#demo1"]


@pytest.mark.parametrize("secret", ["k", "ey", "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"])
def test_a_secret_the_vendor_echoes_is_in_neither_the_output_nor_the_report_nor_the_journal(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    import httpx
    from tencent_im import AsyncTencentIMClient

    from imgroup import settings

    message = f'invalid key: {{"key": "{secret}"}} (sig over key={secret})'

    def echoing(loaded: settings.VendorSettings, *, asynchronous: bool, **options: Any) -> Any:
        # The vendor answers every call by refusing the key, quoting it back.
        answer = {"ActionStatus": "FAIL", "ErrorCode": 70009, "ErrorInfo": message}
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
        options["transport"] = transport  # in place of the job's pooled transport
        return AsyncTencentIMClient(base_url=loaded.base_url, **loaded.credentials, **options)

    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", secret)
    monkeypatch.setattr(settings, "make_client", echoing)
    source = write(tmp_path, "@TGS#demo1\n")
    report = tmp_path / "report.jsonl"
    result = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--report", str(report))
    assert result.exit_code == 1
    scrubbed = 'invalid key: {"key": "[redacted]"} (sig over key=[redacted])'
    assert f"([70009] {scrubbed})" in result.output
    assert json.loads(report.read_text(encoding="utf-8"))["message"] == scrubbed
    with Journal.read(default_journal_path(source)) as journal:
        assert [entry.outcome.message for entry in journal.entries()] == [scrubbed]


# --input - (standard input)


def invoke_with_input(emu: EmulatorServer, text: str, *args: str) -> Result:
    return CliRunner().invoke(bulk, [*args, "--base-url", emu.base_url], input=text, catch_exceptions=False)


def test_ids_on_standard_input_are_run_with_a_journal_named_by_their_hash(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = "@TGS#demo1\n@TGS#demo2\n"
    result = invoke_with_input(emu, text, "disband", "--vendor", "tencent", "--input", "-")
    assert result.exit_code == 0, result.output
    name = f"stdin-{hashlib.sha256(text.encode()).hexdigest()[:16]}.journal.sqlite"
    # Kept in the user's state directory, not the working directory; said at the start and at the end.
    journal = tmp_path / "home" / ".local" / "state" / "imgroup" / "journals" / name
    assert journal.exists() and not list(tmp_path.glob("stdin-*"))
    assert result.output.count(f"journal {journal}") == 2
    assert sorted(call["target"] for call in calls(emu, "destroy_group")) == ["@TGS#demo1", "@TGS#demo2"]

    # The same input again resumes its journal: nothing is sent.
    again = invoke_with_input(emu, text, "disband", "--vendor", "tencent", "--input", "-")
    assert again.exit_code == 0 and "2 items, 0 to run" in again.output
    assert len(calls(emu, "destroy_group")) == 2


def test_a_changed_standard_input_is_refused_by_a_named_journal(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    journal = ["--journal", str(tmp_path / "sweep.sqlite")]
    first = invoke_with_input(emu, "@TGS#demo1\n", "disband", "--vendor", "tencent", "--input", "-", *journal)
    assert first.exit_code == 0, first.output
    changed = invoke_with_input(
        emu, "@TGS#demo1\n@TGS#demo2\n", "disband", "--vendor", "tencent", "--input", "-", *journal
    )
    assert changed.exit_code == 2
    assert "the input has @TGS#demo2 (line 2)" in changed.output
    assert [call["target"] for call in calls(emu, "destroy_group")] == ["@TGS#demo1"]
    assert not list(tmp_path.glob("stdin-*"))


def test_jsonl_on_standard_input_disbands_each_listed_group(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    listing = '{"GroupId": "@TGS#demo1", "Name": "one"}\n{"GroupId": "@TGS#demo3", "Name": "three"}\n'
    result = invoke_with_input(emu, listing, "disband", "--vendor", "tencent", "--input", "-", "--report", "out.csv")
    assert result.exit_code == 0, result.output
    assert set(read_csv(tmp_path / "out.csv")) == {"@TGS#demo1", "@TGS#demo3"}


def test_bad_standard_input_is_a_usage_error_naming_the_line(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke_with_input(
        emu, '{"GroupId": "@TGS#demo1"}\nnot json\n', "disband", "--vendor", "tencent", "--input", "-"
    )
    assert result.exit_code == 2
    assert "standard input, line 2: is not JSON" in result.output
    assert emu.calls() == [] and not list(tmp_path.glob("stdin-*"))


def test_a_dry_run_of_standard_input_sends_nothing(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke_with_input(
        emu, "oc_demo_1\noc_demo_2\n", "disband", "--vendor", "feishu", "--input", "-", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "2 items for feishu disband_chat" in result.output
    assert emu.calls() == []


def test_fill_completes_a_listing_that_lacks_columns(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    listing = '{"team_id": "1001", "name": "Demo"}\n{"team_id": "1002"}\n'
    args = ["disband", "--vendor", "yunxin", "--input", "-", "--fill", "team_type=1", "--fill", "operator_id=acc_owner"]
    result = invoke_with_input(emu, listing, *args)
    assert result.exit_code == 0, result.output
    assert sorted(call["target"] for call in calls(emu, "dismiss_team")) == ["1001", "1002"]

    bad = invoke_with_input(emu, listing, "disband", "--vendor", "yunxin", "--input", "-", "--fill", "team_id=9")
    assert bad.exit_code == 2 and "--fill: 'team_id' names each item" in bad.output
    malformed = invoke_with_input(emu, listing, "disband", "--vendor", "yunxin", "--input", "-", "--fill", "team_type")
    assert malformed.exit_code == 2 and "is not COLUMN=VALUE" in malformed.output


def test_an_earlier_versions_journal_in_the_working_directory_still_resumes(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = "@TGS#demo1\n@TGS#demo2\n"
    old = Path(f"stdin-{hashlib.sha256(text.encode()).hexdigest()[:16]}.journal.sqlite")
    first = invoke_with_input(emu, text, "disband", "--vendor", "tencent", "--input", "-", "--journal", str(old))
    assert first.exit_code == 0, first.output

    again = invoke_with_input(emu, text, "disband", "--vendor", "tencent", "--input", "-")
    assert again.exit_code == 0 and "2 items, 0 to run" in again.output
    assert f"journal {old}" in again.output
    assert len(calls(emu, "destroy_group")) == 2
    assert not (tmp_path / "home" / ".local" / "state").exists()


def test_the_journal_directory_of_standard_input_can_be_chosen(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    result = invoke_with_input(emu, "@TGS#demo1\n", "disband", "--vendor", "tencent", "--input", "-")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "xdg" / "imgroup" / "journals").glob("stdin-*.journal.sqlite"))) == 1

    monkeypatch.setenv("IMGROUP_JOURNAL_DIR", str(tmp_path / "mine"))
    chosen = invoke_with_input(emu, "@TGS#demo2\n", "disband", "--vendor", "tencent", "--input", "-")
    assert chosen.exit_code == 0, chosen.output
    (journal,) = (tmp_path / "mine").glob("stdin-*.journal.sqlite")
    assert f"journal {journal}" in chosen.output


def test_a_dry_run_refuses_what_the_run_would_refuse(
    emu: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path, "@TGS#demo1\n")
    monkeypatch.delenv("TENCENT_IM_SECRET_KEY")
    dry = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--dry-run")
    real = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source))
    assert dry.exit_code == real.exit_code == 2
    assert "TENCENT_IM_SECRET_KEY" in dry.output
    assert dry.output.splitlines()[-1] == real.output.splitlines()[-1]
    assert emu.calls() == []

    monkeypatch.setenv("TENCENT_IM_SECRET_KEY", emu.credentials["tencent"]["secret_key"])
    report = ["--report", str(tmp_path / "out.xlsx")]
    assert invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--dry-run", *report).exit_code == 2


def test_a_dry_run_lists_each_item_it_would_send_with_its_arguments(emu: EmulatorServer, tmp_path: Path) -> None:
    source = write(tmp_path, "team_id,team_type,operator_id\n1001,1,acc_owner\n1002,1,acc_member\n", "teams.csv")
    invoke(emu, "disband", "--vendor", "yunxin", "--input", str(source))  # 1001 done, 1002 refused
    sent = len(emu.calls())

    dry = invoke(emu, "disband", "--vendor", "yunxin", "--input", str(source), "--dry-run", "--retry-failed")
    assert dry.exit_code == 0, dry.output
    assert "would send 1 item" in dry.output and "1 items" not in dry.output
    assert "  line 3: 1002 (team_type=1, operator_id=acc_member)" in dry.output
    assert "line 2:" not in dry.output
    assert len(emu.calls()) == sent


def test_failures_are_summed_up_by_cause_without_a_report(emu: EmulatorServer, tmp_path: Path) -> None:
    emu.seed({"feishu": {"chats": [
        {"chat_id": f"oc_theirs_{n}", "owner": "ou_alice", "bots": ["cli_demo"], "members": ["ou_bob"]} for n in range(5)
    ]}})  # fmt: skip
    chats = ["oc_demo_1", *(f"oc_theirs_{n}" for n in range(5)), "oc_demo_outside"]
    result = invoke(emu, "disband", "--vendor", "feishu", "--input", str(write(tmp_path, "\n".join(chats) + "\n")))

    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index("6 items failed:")
    assert lines[at + 1].startswith("  [232017] permission_denied: ")
    assert lines[at + 1].endswith("(5 items): oc_theirs_0, oc_theirs_1, oc_theirs_2 and 2 more")
    assert lines[at + 2].startswith("  [232011] ") and lines[at + 2].endswith("(1 item): oc_demo_outside")


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_host_that_refuses_connections_stops_the_job_and_a_rerun_resumes(emu: EmulatorServer, tmp_path: Path) -> None:
    groups = [f"@TGS#demo{n}" for n in (1, 2, 3)] + ["@TGS#demo_team", "@TGS#demo_live"]
    source = write(tmp_path, "\n".join(groups) + "\n")
    report = tmp_path / "report.csv"
    args = ["disband", "--vendor", "tencent", "--input", str(source), "--concurrency", "1", "--max-retries", "0"]
    nowhere = f"http://127.0.0.1:{closed_port()}"
    stopped = CliRunner().invoke(bulk, [*args, "--report", str(report), "--base-url", nowhere])

    assert stopped.exit_code == 1, stopped.output
    assert "stopped: tencent could not be reached (" in stopped.output
    assert "5 items: 0 done (0 already gone), 3 failed, 2 not run" in stopped.output
    assert "3 items failed:" in stopped.output and "unreachable" in stopped.output
    rows = read_csv(report)
    assert [row["status"] for row in rows.values()] == ["failed"] * 3 + ["pending"] * 2
    assert emu.calls() == []

    resumed = invoke(emu, *args, "--retry-failed")
    assert resumed.exit_code == 0, resumed.output
    assert "5 items, 5 to run" in resumed.output
    assert sorted(call["target"] for call in calls(emu, "destroy_group")) == sorted(groups)


def test_a_changed_input_names_the_items_it_no_longer_has(emu: EmulatorServer, tmp_path: Path) -> None:
    groups = ["@TGS#demo1", "@TGS#demo2", "@TGS#demo3", "@TGS#demo_gone", "@TGS#demo_team"]
    source = write(tmp_path, "\n".join(groups) + "\n")
    assert invoke(emu, "disband", "--vendor", "tencent", "--input", str(source)).exit_code == 0
    write(tmp_path, "@TGS#demo2\n")
    changed = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source))
    assert changed.exit_code == 2
    assert "holds 4 items the input no longer has (@TGS#demo1, @TGS#demo3, @TGS#demo_gone and 1 more)" in changed.output

    write(tmp_path, "\n".join(groups[:4]) + "\n")
    one = invoke(emu, "disband", "--vendor", "tencent", "--input", str(source), "--dry-run")
    assert one.exit_code == 2 and "holds 1 item the input no longer has (@TGS#demo_team)" in one.output
