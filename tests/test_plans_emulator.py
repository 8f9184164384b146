"""Offboarding and sweeps end to end on the emulator, as users run them: plan, review, apply (killed, resumed).

- Two users (amy and ben, on all three vendors) who own, manage and belong to a few hundred groups are
  offboarded under injected errors, gateway pages and dropped answers, the apply SIGKILLed three times and
  resumed: they end in no group but the ones that changed after review, every group they owned is the
  successor's or disbanded as planned, the audit log shows no effect twice, and the changed steps are
  skipped and reported.
- A sweep plan with lines deleted by hand disbands exactly the groups of the lines left.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_environment import command_environment
from click.testing import CliRunner

from imgroup.cli import cli
from imgroup.emulator import EmulatorServer
from imgroup.jobs import Journal

PROJECT = Path(__file__).resolve().parent.parent
FEISHU_APP, FEISHU_SECRET = "cli_plans", "plans-test-app-secret"
SDKAPPID, SECRET_KEY = 1400000002, "plans-test-secret-key"
APP_KEY, YUNXIN_SECRET = "plans_app_key", "plans-test-yunxin-secret"
GROUPS_PER_VENDOR = 96  # 16 of each kind below, 288 groups in all
LEAVERS, SUCCESSOR, OTHERS = ("amy", "ben"), "cat", ("dan", "eve", "fay")
FAULTS = {"seed": 11, "error_rate": 0.03, "html_rate": 0.02, "drop_rate": 0.03}
RUN_TIMEOUT_S = 240
SECRETS = (FEISHU_SECRET, SECRET_KEY, YUNXIN_SECRET)


def user_id(vendor: str, name: str) -> str:
    return f"ou_{name}" if vendor == "feishu" else name


def kinds(index: int) -> tuple[str, dict[str, str]]:
    """Group ``index``'s owner and the others' roles: six kinds, from owned-by-amy to untouched."""
    kind = index % 6
    if kind == 0:  # amy owns it; the successor is not in it (added first)
        return "amy", {"dan": "member", "eve": "member"}
    if kind == 1:  # ben owns it; the successor is a member
        return "ben", {"cat": "member", "dan": "member"}
    if kind == 2:  # amy owns it alone: disbanded
        return "amy", {}
    if kind == 3:  # amy manages it, ben belongs to it
        return "dan", {"amy": "manager", "ben": "member"}
    if kind == 4:  # ben manages it, amy belongs to it
        return "eve", {"ben": "manager", "amy": "member", "cat": "member"}
    return "dan", {"fay": "member"}  # neither: untouched


def group_record(vendor: str, index: int, *, owner: str | None = None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    planned_owner, roles = kinds(index)
    owner = owner or planned_owner
    roles = {name: role for name, role in roles.items() if name != owner}
    if owner != planned_owner:
        roles[planned_owner] = "member"
    managers = [user_id(vendor, name) for name, role in roles.items() if role == "manager"]
    members = [user_id(vendor, name) for name, role in roles.items() if role == "member"] + list(extra)
    name = f"team-{index:03d}"
    if vendor == "feishu":
        return {
            # The app's bot made the chats: a Feishu app changes only chats its bot owns, manages or created.
            "chat_id": f"oc_plan{index:03d}", "owner": user_id(vendor, owner), "creator": FEISHU_APP, "name": name,
            "members": members + managers, "managers": managers, "created_at": 1_700_000_000 + index,
        }  # fmt: skip
    if vendor == "tencent":
        return {
            "group_id": f"@TGS#plan{index:03d}", "type": "Public", "owner": owner, "name": name,
            "admins": managers, "members": members, "created_at": 1_700_000_000 + index,
        }  # fmt: skip
    return {
        "team_id": str(2000 + index), "team_type": 1 + index % 2, "owner": owner, "name": name,
        "managers": managers, "members": members, "created_at": 1_700_000_000_000 + index,
    }  # fmt: skip


def group_ref(vendor: str, index: int) -> str:
    return {"feishu": f"feishu:oc_plan{index:03d}", "tencent": f"tencent:@TGS#plan{index:03d}"}.get(
        vendor, f"yunxin:{2000 + index}"
    )


def world(groups: int = GROUPS_PER_VENDOR) -> dict[str, Any]:
    people = [*LEAVERS, SUCCESSOR, *OTHERS]
    return {
        "feishu": {
            "apps": [{"app_id": FEISHU_APP, "app_secret": FEISHU_SECRET}],
            # Besides everyone in a chat: gil has left, hal is of another tenant (outside the app's contacts).
            "users": [{"open_id": "ou_gil", "resigned": True}, {"open_id": "ou_hal", "tenant": "other"}],
            "chats": [group_record("feishu", index) for index in range(groups)],
        },
        "tencent": {
            "apps": [{"sdkappid": SDKAPPID, "secret_key": SECRET_KEY, "admin": "administrator"}],
            "accounts": people,
            "groups": [group_record("tencent", index) for index in range(groups)],
        },
        "yunxin": {
            "apps": [{"app_key": APP_KEY, "app_secret": YUNXIN_SECRET}],
            "accounts": people,
            "teams": [group_record("yunxin", index) for index in range(groups)],
        },
    }


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(seed=world()) as server:
        yield server


def imgroup(tmp_path: Path, emulator: EmulatorServer, *args: str) -> tuple[int, str]:
    """Run an imgroup command in this process (planning and reading are quick)."""
    result = CliRunner().invoke(cli, list(args), env=command_environment(tmp_path, emulator))
    assert not any(secret in result.output for secret in SECRETS)
    return result.exit_code, result.output


def start_apply(tmp_path: Path, emulator: EmulatorServer, *options: str) -> subprocess.Popen[str]:
    """``imgroup apply`` as a process of its own, so it can be killed; the emulator's limits are lifted."""
    command = [
        sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())",
        "apply", str(tmp_path / "plan.jsonl"), "--journal", str(tmp_path / "journal.sqlite"),
        "--report", str(tmp_path / "report.csv"), "--rate-limit", "0", "--concurrency", "8", *options,
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env=command_environment(tmp_path, emulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
    assert not any(secret in output for secret in SECRETS)
    return process.returncode, output


def lift_rate_limits(emulator: EmulatorServer, faults: dict[str, Any]) -> None:
    operations = {call["operation"] for call in emulator.calls()}
    emulator.faults({**faults, "rate_limits": dict.fromkeys(sorted(operations), 100_000)})


def report(tmp_path: Path) -> list[dict[str, str]]:
    with (tmp_path / "report.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


# Which operations each action may call: a step done twice shows as more effects than its group's steps allow.
OPERATIONS = {
    "feishu": {"disband": ("disband_chat",), "transfer": ("add_chat_members", "update_chat"),
               "remove_member": ("remove_chat_members",), "remove_manager": ("remove_chat_managers",)},
    "tencent": {"disband": ("destroy_group",), "transfer": ("add_group_member", "change_group_owner"),
                "remove_member": ("delete_group_member",), "remove_manager": ()},
    "yunxin": {"disband": ("dismiss_team",), "transfer": ("add_team_members", "transfer_team_owner"),
               "remove_member": ("remove_team_members",), "remove_manager": ("remove_team_managers",)},
}  # fmt: skip


def effects_beyond_plan(calls: list[dict[str, Any]], steps: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(vendor, operation, target) that changed something more often than the plan's steps on it call it.

    Calls naming their group only in the body are audited without a target: those count per vendor.
    """
    allowed: Counter[tuple[str, str, str]] = Counter()
    for step in steps:
        vendor, group = step["group"].split("?")[0].split(":", 1)
        for operation in OPERATIONS[vendor][step["action"]]:
            allowed[(vendor, operation, group)] += 1
            allowed[(vendor, operation, "None")] += 1
    done = Counter(
        (call["vendor"], call["operation"], str(call["target"])) for call in calls if call["effect"] is not None
    )
    return [key for key, count in done.items() if count > allowed[key]]


def live_groups(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every live group of the three vendors, by reference, with its owner and everyone in it."""
    found: dict[str, dict[str, Any]] = {}
    for chat_id, chat in state["feishu"]["chats"].items():
        if not chat["dissolved"]:
            found[f"feishu:{chat_id}"] = {"owner": chat["owner"], "people": {chat["owner"], *chat["members"]}}
    for group_id, group in state["tencent"]["groups"].items():
        if not group["destroyed"]:
            people = {group["owner"], *group["members"], *group.get("admins", [])}
            found[f"tencent:{group_id}"] = {"owner": group["owner"], "people": people}
    for team_id, team in state["yunxin"]["teams"].items():
        if not team["dismissed"]:
            people = {team["owner"], *team["managers"], *team["members"]}
            found[f"yunxin:{team_id}"] = {"owner": team["owner"], "people": people}
    return found


def test_offboarding_two_users_killed_three_times_ends_with_them_in_no_group(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    leavers = [f"{vendor}:{user_id(vendor, name)}" for name in LEAVERS for vendor in ("feishu", "tencent", "yunxin")]
    successors = [f"--successor={vendor}:{user_id(vendor, SUCCESSOR)}" for vendor in ("feishu", "tencent", "yunxin")]
    status, output = imgroup(
        tmp_path, emulator, "offboard", *leavers, *successors, "--plan", str(tmp_path / "plan.jsonl")
    )
    assert status == 0, output
    assert "not seen on feishu: only the chats the app's bot is in" in output
    plan_lines = [json.loads(line) for line in (tmp_path / "plan.jsonl").read_text().splitlines()]
    header, steps = plan_lines[0], plan_lines[1:]
    assert header["apps"] == {"feishu": FEISHU_APP, "tencent": str(SDKAPPID), "yunxin": APP_KEY}
    actions = Counter((step["group"].split(":")[0], step["action"]) for step in steps)
    assert actions[("tencent", "transfer")] == 32 and actions[("yunxin", "disband")] == 16
    assert actions[("yunxin", "remove_manager")] == 32 and actions[("tencent", "remove_manager")] == 0

    # After review, before apply: one group per vendor changed hands, and one planned for disbanding grew.
    changed = {vendor: (group_record(vendor, 6, owner="dan"), group_record(vendor, 8, extra=(user_id(vendor, "fay"),)))
               for vendor in ("feishu", "tencent", "yunxin")}  # fmt: skip
    emulator.seed({
        "feishu": {"chats": list(changed["feishu"])},
        "tencent": {"groups": list(changed["tencent"])},
        "yunxin": {"teams": list(changed["yunxin"])},
    })  # fmt: skip
    lift_rate_limits(emulator, FAULTS)
    planned_calls = len(emulator.calls())

    seen, kills = planned_calls, []
    for kill_at in (200, 550, 900):  # of the ~1,400 calls the apply makes
        process = start_apply(tmp_path, emulator)
        while process.poll() is None and seen < planned_calls + kill_at:
            time.sleep(0.01)
            seen += len(emulator.calls(since=seen))
        process.send_signal(signal.SIGKILL)
        status, output = finish(process)
        assert status == -signal.SIGKILL, f"the apply ended before its kill point {kill_at}: {output}"
        with Journal.read(tmp_path / "journal.sqlite") as journal:
            kills.append(journal.counts()["done"])
    assert 0 < kills[0] < kills[-1] < len(steps)

    for options in ((), ("--retry-failed",), ("--retry-failed",)):
        status, output = finish(start_apply(tmp_path, emulator, *options))
        if status == 0:
            break
    assert status == 0, output
    assert "6 skipped (changed since plan)" in output

    calls = emulator.calls()
    assert {"error", "html", "drop"} <= {call["fault"] for call in calls if call["fault"]}
    doubled = effects_beyond_plan(calls[planned_calls:], steps)
    assert not doubled, f"done twice: {doubled[:5]}"
    changed_hands = Counter(
        call["vendor"] for call in calls if call["operation"] in ("update_chat", "change_group_owner",
                                                                  "transfer_team_owner") and call["effect"]
    )  # fmt: skip
    assert changed_hands == dict.fromkeys(("feishu", "tencent", "yunxin"), 31)  # 32 planned, one changed hands

    rows = report(tmp_path)
    skipped = {(row["group"].split("?")[0], row["action"]) for row in rows if row["status"] == "skipped"}
    assert skipped == {
        (group_ref(vendor, index), action) for vendor in changed for index, action in ((6, "transfer"), (8, "disband"))
    }
    assert all(row["category"] == "changed_since_plan" for row in rows if row["status"] == "skipped")

    groups = live_groups(emulator.state())
    grown = {group_ref(vendor, 8) for vendor in changed}
    for ref, group in groups.items():
        leaving = {user_id(ref.split(":")[0], name) for name in LEAVERS}
        if ref not in grown:
            assert not group["people"] & leaving, (ref, group)
    for vendor in ("feishu", "tencent", "yunxin"):
        for index in range(GROUPS_PER_VENDOR):
            ref, kind = group_ref(vendor, index), index % 6
            if kind in (0, 1):
                expected = user_id(vendor, "dan" if index == 6 else SUCCESSOR)
                assert groups[ref]["owner"] == expected, (ref, groups.get(ref))
            elif kind == 2:
                assert (ref in groups) == (index == 8), ref


def test_a_sweep_plan_with_lines_deleted_by_hand_applies_exactly_the_lines_left(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    emulator.seed({"tencent": {"groups": [
        {"group_id": f"@TGS#tmp{index:02d}", "type": "Public", "owner": "dan", "name": f"tmp-{index:02d}"}
        for index in range(20)
    ]}})  # fmt: skip
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(
        tmp_path, emulator, "sweep", "--vendor", "tencent", "--name-glob", "tmp-*", "--plan", str(plan_path)
    )
    assert status == 0, output
    lines = plan_path.read_text().splitlines()
    assert len(lines) == 21
    kept = [line for number, line in enumerate(lines) if number == 0 or number % 3]
    plan_path.write_text("\n".join(kept) + "\n")
    left = {json.loads(line)["group"].removeprefix("tencent:") for line in kept[1:]}
    status, output = imgroup(tmp_path, emulator, "plan", "show", str(plan_path))
    assert "tencent: 14 disband" in output and "6 of the 20 planned steps were removed by hand" in output
    lift_rate_limits(emulator, {})
    before = len(emulator.calls())

    status, output = finish(start_apply(tmp_path, emulator))

    assert status == 0, output
    disbanded = [call["target"] for call in emulator.calls(since=before) if call["effect"]]
    assert Counter(disbanded) == Counter(left)


def write_sweep_plan(tmp_path: Path, apps: dict[str, str]) -> Path:
    header = {"imgroup_plan": 1, "id": "hand-made", "kind": "sweep", "apps": apps}
    steps = [{"action": "disband", "group": group_ref("tencent", index), "planned_on": {}} for index in (5, 11)]
    path = tmp_path / "plan.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in (header, *steps)) + "\n")
    return path


def test_apply_refuses_credentials_of_another_app_than_the_plan_was_made_on(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan = write_sweep_plan(tmp_path, {"tencent": "1400009999"})
    before = len(emulator.calls())
    status, output = imgroup(tmp_path, emulator, "apply", str(plan), "--journal", str(tmp_path / "j"))
    assert status == 2
    assert "the plan was made on tencent app 1400009999, but the settings name app 1400000002" in output
    assert len(emulator.calls()) == before


def test_a_dry_run_says_what_would_run_and_sends_nothing(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan = write_sweep_plan(tmp_path, {"tencent": str(SDKAPPID)})
    before = len(emulator.calls())
    status, output = imgroup(tmp_path, emulator, "apply", str(plan), "--journal", str(tmp_path / "j"), "--dry-run")
    assert status == 0, output
    assert "all 2 steps would run" in output
    assert len(emulator.calls()) == before
    assert not (tmp_path / "j").exists()


def test_a_sweep_of_a_vendor_that_cannot_list_its_groups_says_so(emulator: EmulatorServer, tmp_path: Path) -> None:
    status, output = imgroup(
        tmp_path, emulator, "sweep", "--vendor", "yunxin", "--name-glob", "tmp-*", "--plan", str(tmp_path / "p.jsonl")
    )
    assert status == 2
    assert "no call listing an app's teams" in output
    assert not (tmp_path / "p.jsonl").exists()


def test_a_dry_run_refuses_a_plan_of_another_app_as_the_apply_does(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan = write_sweep_plan(tmp_path, {"tencent": "1400009999"})
    before = len(emulator.calls())
    args = ("apply", str(plan), "--journal", str(tmp_path / "j"))
    dry_status, dry_output = imgroup(tmp_path, emulator, *args, "--dry-run")
    status, output = imgroup(tmp_path, emulator, *args)
    assert dry_status == status == 2
    refusal = "the plan was made on tencent app 1400009999, but the settings name app 1400000002"
    assert refusal in dry_output and refusal in output
    assert "would run" not in dry_output
    assert len(emulator.calls()) == before and not (tmp_path / "j").exists()


def test_a_dry_run_refuses_missing_credentials_and_a_bad_report_name(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan = write_sweep_plan(tmp_path, {"tencent": str(SDKAPPID)})
    env = {**command_environment(tmp_path, emulator), "TENCENT_IM_SECRET_KEY": ""}
    result = CliRunner().invoke(cli, ["apply", str(plan), "--journal", str(tmp_path / "j"), "--dry-run"], env=env)
    assert result.exit_code == 2 and "TENCENT_IM_SECRET_KEY" in result.output
    status, output = imgroup(
        tmp_path, emulator, "apply", str(plan), "--journal", str(tmp_path / "j"), "--dry-run", "--report", "r.txt"
    )
    assert status == 2 and "--report" in output


def test_a_dry_run_lists_every_step_it_would_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(
        tmp_path, emulator, "offboard", "tencent:amy", "--successor", "tencent:cat", "--plan", str(plan_path)
    )
    assert status == 0, output
    steps = [json.loads(line) for line in plan_path.read_text().splitlines()[1:]]
    before = len(emulator.calls())

    status, output = imgroup(tmp_path, emulator, "apply", str(plan_path), "--journal", str(tmp_path / "j"), "--dry-run")

    assert status == 0, output
    assert f"all {len(steps)} steps would run" in output
    listed = [line.strip() for line in output.splitlines() if line.strip().startswith("line ")]
    assert len(listed) == len(steps)
    assert 'line 2: tencent transfer tencent:@TGS#plan000 "team-000" tencent:amy -> tencent:cat' in listed
    assert 'line 3: tencent remove_member tencent:@TGS#plan000 "team-000" tencent:amy' in listed
    assert len(emulator.calls()) == before


def test_a_plan_file_is_never_overwritten_unasked(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.jsonl"
    plan_path.write_text("# a plan under review\n")
    before = len(emulator.calls())
    for command in (
        ("offboard", "tencent:amy", "--successor", "tencent:cat"),
        ("sweep", "--vendor", "tencent", "--name-glob", "team-*"),
    ):
        status, output = imgroup(tmp_path, emulator, *command, "--plan", str(plan_path))
        assert status == 2
        assert f"{plan_path} exists" in output and "--force" in output
        assert plan_path.read_text() == "# a plan under review\n"
    assert len(emulator.calls()) == before  # refused before anything was read

    status, output = imgroup(tmp_path, emulator, "sweep", "--vendor", "tencent", "--name-glob", "team-00*", "--plan",
                             str(plan_path), "--force")  # fmt: skip
    assert status == 0, output
    assert json.loads(plan_path.read_text().splitlines()[0])["kind"] == "sweep"


# One lookup per person on Feishu and Yunxin; Tencent's account_check answers for up to 100 at once.
LOOKUPS = {"feishu": ["get_user"] * 2, "tencent": ["account_check"], "yunxin": ["list_joined_teams"] * 2}


def person(vendor: str, name: str) -> str:
    return f"{vendor}:{user_id(vendor, name)}"


@pytest.mark.parametrize("vendor", sorted(LOOKUPS))
def test_users_their_vendor_does_not_know_are_named_and_left_out(
    vendor: str, emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    amy, amu, cat = (person(vendor, name) for name in ("amy", "amu", "cat"))
    status, output = imgroup(tmp_path, emulator, "offboard", amy, amu, "--successor", cat, "--plan", str(plan_path))
    assert status == 0, output
    assert f"{vendor} knows no user {user_id(vendor, 'amu')} ({amu}): left out of the plan" in output
    assert "not checked" not in output
    header = json.loads(plan_path.read_text().splitlines()[0])
    assert header["not_found"] == [amu]
    status, output = imgroup(tmp_path, emulator, "plan", "show", str(plan_path))
    assert f"left out, no such user on their vendor: {amu}" in output

    nobody = tmp_path / "nobody.jsonl"
    status, output = imgroup(tmp_path, emulator, "offboard", amu, "--disband-owned", "--plan", str(nobody))
    assert status == 2
    assert f"{vendor} knows no user {user_id(vendor, 'amu')}" in output
    assert "nothing to plan, no plan written" in output
    assert not nobody.exists()


@pytest.mark.parametrize("vendor", sorted(LOOKUPS))
def test_a_successor_their_vendor_does_not_know_is_refused_before_planning(
    vendor: str, emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    before = len(emulator.calls())
    status, output = imgroup(tmp_path, emulator, "offboard", person(vendor, "amy"), "--successor",
                             person(vendor, "kat"), "--plan", str(plan_path))  # fmt: skip
    assert status == 2
    assert f"the successor {person(vendor, 'kat')} does not exist on {vendor}" in output
    assert not plan_path.exists()
    # The user and the successor looked up (after Feishu's token), no group read.
    operations = [call["operation"] for call in emulator.calls(since=before)]
    assert [operation for operation in operations if operation != "get_tenant_access_token"] == LOOKUPS[vendor]


def test_a_resigned_feishu_user_is_offboarded_but_never_made_a_successor(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(tmp_path, emulator, "offboard", "feishu:ou_amy", "--successor", "feishu:ou_gil",
                             "--plan", str(plan_path))  # fmt: skip
    assert status == 2
    assert "the successor feishu:ou_gil has left feishu (resigned)" in output
    assert not plan_path.exists()

    emulator.seed({"feishu": {"users": [{"open_id": "ou_amy", "resigned": True}]}})
    status, output = imgroup(tmp_path, emulator, "offboard", "feishu:ou_amy", "--successor", "feishu:ou_cat",
                             "--plan", str(plan_path))  # fmt: skip
    assert status == 0, output
    header, *steps = (json.loads(line) for line in plan_path.read_text().splitlines())
    assert "not_found" not in header
    assert {step["user"] for step in steps} == {"feishu:ou_amy"} and len(steps) > 0


def test_a_feishu_user_outside_the_apps_contacts_is_planned_with_a_note(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(tmp_path, emulator, "offboard", "feishu:ou_hal", "--disband-owned",
                             "--plan", str(plan_path))  # fmt: skip
    assert status == 0, output
    assert "note: feishu could not say whether the user feishu:ou_hal exists ([41050] no user authority)" in output
    assert "not_found" not in json.loads(plan_path.read_text().splitlines()[0])


def test_an_apply_without_a_report_still_says_what_failed_and_why(emulator: EmulatorServer, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(tmp_path, emulator, "offboard", "tencent:amy", "--disband-owned", "--plan", str(plan_path))
    assert status == 0, output
    # Every call is answered with a server error, not retried: every step fails the same way.
    lift_rate_limits(emulator, {"seed": 3, "error_rate": 1.0})
    status, output = imgroup(tmp_path, emulator, "apply", str(plan_path), "--journal", str(tmp_path / "j"),
                             "--max-retries", "0")  # fmt: skip
    assert status == 1
    lines = output.splitlines()
    at = next(index for index, line in enumerate(lines) if line.endswith("steps failed:"))
    assert lines[at + 1].startswith("  [10002] internal")
    assert " and " in lines[at + 1] and lines[at + 1].endswith(" more")


def test_sigterm_stops_the_apply_with_130_and_a_report_and_the_same_command_resumes(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    status, output = imgroup(tmp_path, emulator, "sweep", "--vendor", "tencent", "--name-glob", "team-*",
                             "--plan", str(plan_path))  # fmt: skip
    assert status == 0, output
    groups = [json.loads(line)["group"].removeprefix("tencent:") for line in plan_path.read_text().splitlines()[1:]]
    lift_rate_limits(emulator, {"latency_ms": 20})
    before = len(emulator.calls())
    process = start_apply(tmp_path, emulator, "--concurrency", "2")
    seen = before
    while process.poll() is None and seen < before + 40:
        time.sleep(0.01)
        seen += len(emulator.calls(since=seen))
    process.send_signal(signal.SIGTERM)
    status, output = finish(process)

    assert status == 130, output
    assert "interrupted (SIGTERM)" in output and "run the same command again to resume" in output
    rows = report(tmp_path)
    assert len(rows) == len(groups)
    statuses = Counter(row["status"] for row in rows)
    assert 0 < statuses["done"] < len(groups) and statuses["pending"] > 0
    with Journal.read(tmp_path / "journal.sqlite") as journal:
        assert journal.counts()["done"] == statuses["done"]

    status, output = finish(start_apply(tmp_path, emulator))
    assert status == 0, output
    disbanded = Counter(call["target"] for call in emulator.calls(since=before) if call["effect"])
    assert disbanded == Counter(groups)
