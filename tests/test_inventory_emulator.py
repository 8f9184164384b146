"""The inventory end to end on the emulator, on SQLite and on a real PostgreSQL server, as users run it.

- ``imgroup inventory sync`` reads every Feishu chat and Tencent group with its members and their roles; the
  queries answer from it without a call; a second sync removes what the vendor no longer has.
- A sync SIGKILLed part way resumes without reading again what it had recorded.
- ``offboard`` and ``sweep`` ``--from-inventory`` plan the same steps as live reads, their header saying how
  fresh the inventory was; a stale inventory's plan, applied, skips what changed and does nothing wrong.
"""

from __future__ import annotations

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
from imgroup.groups import GroupRef, Role
from imgroup.inventory import GroupCreated, Inventory

PROJECT = Path(__file__).resolve().parent.parent
FEISHU_APP, FEISHU_SECRET = "cli_inventory", "inventory-test-app-secret"
SDKAPPID, SECRET_KEY = 1400000003, "inventory-test-secret-key"
APP_KEY, YUNXIN_SECRET = "inventory_app_key", "inventory-test-yunxin-secret"
SECRETS = (FEISHU_SECRET, SECRET_KEY, YUNXIN_SECRET)
GROUPS = 24
RUN_TIMEOUT_S = 240


def people(vendor: str, index: int) -> tuple[str, dict[str, Role]]:
    """Group ``index``'s owner and everyone's role: amy owns, manages, belongs to or is absent from it."""
    name = (lambda who: f"ou_{who}") if vendor == "feishu" else (lambda who: who)
    kind = index % 4
    owner = name("amy") if kind == 0 else name("dan")
    roles = {owner: Role.OWNER, name("eve"): Role.MEMBER}
    if kind == 1:
        roles[name("amy")] = Role.MANAGER
    if kind == 2:
        roles[name("amy")] = Role.MEMBER
    return owner, roles


def world(groups: int = GROUPS) -> dict[str, Any]:
    feishu, tencent = [], []
    for index in range(groups):
        owner, roles = people("feishu", index)
        others = [user for user in roles if user != owner]
        feishu.append(
            {"chat_id": f"oc_inv{index:03d}", "name": f"tmp-{index:03d}" if index % 3 == 0 else f"team-{index:03d}",
             "owner": owner, "creator": FEISHU_APP, "bots": [FEISHU_APP], "members": others,
             "managers": [user for user in others if roles[user] is Role.MANAGER]}
        )  # fmt: skip
        owner, roles = people("tencent", index)
        others = [user for user in roles if user != owner]
        tencent.append(
            {"group_id": f"@TGS#inv{index:03d}", "type": "Public", "owner": owner, "name": f"team-{index:03d}",
             "admins": [user for user in others if roles[user] is Role.MANAGER],
             "members": [user for user in others if roles[user] is Role.MEMBER], "created_at": 1_700_000_000 + index}
        )  # fmt: skip
    return {
        "feishu": {"apps": [{"app_id": FEISHU_APP, "app_secret": FEISHU_SECRET}], "chats": feishu},
        "tencent": {
            "apps": [{"sdkappid": SDKAPPID, "secret_key": SECRET_KEY, "admin": "administrator"}],
            "accounts": ["amy", "dan", "eve", "bob"],
            "groups": tencent,
        },
        "yunxin": {"apps": [{"app_key": APP_KEY, "app_secret": YUNXIN_SECRET}], "accounts": ["acc_amy"]},
    }


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(seed=world()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "inventory.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


def imgroup(tmp_path: Path, emulator: EmulatorServer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=command_environment(tmp_path, emulator))
    assert not any(secret in result.output for secret in SECRETS)
    return result.exit_code, result.output


def expected_groups(vendor: str) -> dict[str, tuple[str, dict[str, Role]]]:
    prefix = {"feishu": "feishu:oc_inv", "tencent": "tencent:@TGS#inv"}[vendor]
    return {f"{prefix}{index:03d}": people(vendor, index) for index in range(GROUPS)}


def test_sync_reads_every_group_with_its_members_and_their_roles(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    status, output = imgroup(tmp_path, emulator, "inventory", "sync", "--db", target)
    assert status == 0, output
    assert f"feishu app {FEISHU_APP}: {GROUPS} groups listed, {GROUPS} read" in output
    assert "yunxin cannot be synced" in output  # said, not silently skipped
    with Inventory.open(target, create=False) as inventory:
        for vendor, app in (("feishu", FEISHU_APP), ("tencent", str(SDKAPPID))):
            held = {str(item.group.ref): item.group for item in inventory.groups(vendor=vendor)}
            expected = expected_groups(vendor)
            assert set(held) == set(expected)
            for ref, (owner, roles) in expected.items():
                assert held[ref].owner == owner
                assert inventory.members(GroupRef.parse(ref), app) == roles, ref
                assert held[ref].member_count == len(roles)
        tencent = {str(item.group.ref): item.group for item in inventory.groups(vendor="tencent")}
        assert tencent["tencent:@TGS#inv005"].created_at is not None
        assert tencent["tencent:@TGS#inv005"].created_at.timestamp() == 1_700_000_005
        assert {status.vendor for status in inventory.status() if status.last_full_sync} == {"feishu", "tencent"}


def test_queries_answer_from_the_inventory_without_a_call(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    assert imgroup(tmp_path, emulator, "inventory", "sync", "--db", target)[0] == 0
    calls = len(emulator.calls())
    status, output = imgroup(
        tmp_path, emulator, "inventory", "groups", "--db", target, "--member", "feishu:ou_amy", "--jsonl"
    )
    assert status == 0, output
    listed = [json.loads(line)["group"] for line in output.splitlines()]
    assert listed == [ref for ref, (_, roles) in expected_groups("feishu").items() if "ou_amy" in roles]
    status, output = imgroup(tmp_path, emulator, "inventory", "groups", "--db", target, "--owner", "tencent:amy")
    assert status == 0 and output.splitlines()[-1] == f"{GROUPS // 4} groups", output
    status, output = imgroup(
        tmp_path,
        emulator,
        "inventory",
        "groups",
        "--db",
        target,
        "--vendor",
        "feishu",
        "--name-glob",
        "tmp-*",
        "--jsonl",
    )
    assert [json.loads(line)["name"] for line in output.splitlines()] == [
        f"tmp-{index:03d}" for index in range(0, GROUPS, 3)
    ]
    status, output = imgroup(tmp_path, emulator, "inventory", "status", "--db", target)
    assert status == 0 and FEISHU_APP in output and str(SDKAPPID) in output, output
    assert len(emulator.calls()) == calls
    status, output = imgroup(tmp_path, emulator, "inventory", "groups", "--db", target, "--member", "amy")
    assert status == 2 and "must start with its vendor" in output


def test_a_second_sync_removes_what_the_vendor_no_longer_has(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    assert imgroup(tmp_path, emulator, "inventory", "sync", "--db", target, "--vendor", "tencent")[0] == 0
    assert imgroup(tmp_path, emulator, "tencent", "destroy-group", "@TGS#inv001")[0] == 0
    status, output = imgroup(tmp_path, emulator, "inventory", "sync", "--db", target, "--vendor", "tencent")
    assert status == 0 and f"{GROUPS - 1} read, 1 removed" in output, output
    with Inventory.open(target, create=False) as inventory:
        held = {str(item.group.ref) for item in inventory.groups()}
        assert held == set(expected_groups("tencent")) - {"tencent:@TGS#inv001"}


def _read_so_far(target: str) -> int:
    try:
        with Inventory.open(target, create=False) as inventory:
            return sum(status.sync_under_way[0] for status in inventory.status() if status.sync_under_way)
    except Exception:  # noqa: BLE001 - not made yet, or being made
        return 0


def test_a_killed_sync_resumes_without_reading_again_what_it_recorded(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    emulator.faults({"latency_ms": 60})  # slow enough to be killed part way
    command = [
        sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())",
        "inventory", "sync", "--db", target, "--vendor", "feishu", "--concurrency", "2",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=PROJECT, env=command_environment(tmp_path, emulator), stdout=subprocess.PIPE
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while _read_so_far(target) < 6 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=RUN_TIMEOUT_S)
    read_before = _read_so_far(target)
    assert 6 <= read_before < GROUPS
    with Inventory.open(target, create=False) as inventory:
        recorded = {item.group.id for item in inventory.groups()}
    assert len(recorded) == read_before
    emulator.faults({})
    listings = sum(call["operation"] == "list_chats" for call in emulator.calls())
    status, output = imgroup(tmp_path, emulator, "inventory", "sync", "--db", target, "--vendor", "feishu")
    assert status == 0 and f"{GROUPS - read_before} read (resumed)" in output, output
    reads = Counter(call["target"] for call in emulator.calls() if call["operation"] == "get_chat")
    # What was recorded before the kill was read once; at most the two chats in flight then were read twice.
    assert all(reads[chat_id] == 1 for chat_id in recorded)
    assert sum(reads.values()) <= GROUPS + 2 and len(reads) == GROUPS
    assert sum(call["operation"] == "list_chats" for call in emulator.calls()) == listings  # not listed again
    with Inventory.open(target, create=False) as inventory:
        assert {str(item.group.ref) for item in inventory.groups()} == set(expected_groups("feishu"))


def _plan_steps(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header, *steps = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return header, steps


def test_plans_from_the_inventory_are_the_live_plans(tmp_path: Path, emulator: EmulatorServer, target: str) -> None:
    assert imgroup(tmp_path, emulator, "inventory", "sync", "--db", target)[0] == 0
    plans = {}
    for source in ("live", "inventory"):
        extra = ["--from-inventory", "--db", target] if source == "inventory" else []
        path = tmp_path / f"offboard-{source}.jsonl"
        status, output = imgroup(
            tmp_path, emulator, "offboard", "feishu:ou_amy", "tencent:amy", "--successor", "feishu:ou_eve",
            "--successor", "tencent:eve", "--plan", str(path), *extra,
        )  # fmt: skip
        assert status == 0, output
        sweep = tmp_path / f"sweep-{source}.jsonl"
        status, output = imgroup(
            tmp_path, emulator, "sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--plan", str(sweep), *extra
        )
        assert status == 0, output
        plans[source] = (_plan_steps(path), _plan_steps(sweep))
    for live, stored in zip(plans["live"], plans["inventory"], strict=True):
        assert stored[1] == live[1]
        assert "inventory" not in live[0]
    header = plans["inventory"][0][0]
    assert set(header["inventory"]) == {"feishu", "tencent"}
    assert header["inventory"]["feishu"]["app"] == FEISHU_APP and header["inventory"]["feishu"]["last_full_sync"]
    status, output = imgroup(tmp_path, emulator, "plan", "show", str(tmp_path / "offboard-inventory.jsonl"))
    assert "from the inventory on feishu: last full sync 20" in output, output


def test_a_stale_inventory_costs_a_skipped_step_never_a_wrong_one(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    assert imgroup(tmp_path, emulator, "inventory", "sync", "--db", target, "--vendor", "feishu")[0] == 0
    # After the sync: amy's chat tmp-000 goes to dan, tmp-003 is renamed, tmp-015 gains a member.
    assert imgroup(tmp_path, emulator, "feishu", "add-chat-members", "oc_inv000", "ou_dan")[0] == 0
    assert imgroup(tmp_path, emulator, "feishu", "update-chat", "oc_inv000", "--owner-id", "ou_dan")[0] == 0
    assert imgroup(tmp_path, emulator, "feishu", "update-chat", "oc_inv003", "--name", "keep-me")[0] == 0
    assert imgroup(tmp_path, emulator, "feishu", "add-chat-members", "oc_inv015", "ou_new")[0] == 0
    offboard, sweep = tmp_path / "offboard.jsonl", tmp_path / "sweep.jsonl"
    assert imgroup(
        tmp_path, emulator, "offboard", "feishu:ou_amy", "--successor", "feishu:ou_eve", "--plan", str(offboard),
        "--from-inventory", "--db", target,
    )[0] == 0  # fmt: skip
    assert imgroup(
        tmp_path, emulator, "sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--max-members", "2",
        "--plan", str(sweep), "--from-inventory", "--db", target,
    )[0] == 0  # fmt: skip
    outcomes = {}
    for plan in (sweep, offboard):
        report = tmp_path / f"{plan.stem}.jsonl-report.jsonl"
        status, output = imgroup(
            tmp_path, emulator, "apply", str(plan), "--journal", str(tmp_path / f"{plan.stem}.journal"),
            "--report", str(report), "--rate-limit", "0",
        )  # fmt: skip
        assert status == 0, output
        for line in report.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            outcomes[row["action"], row["group"]] = (row["status"], row["message"])
    assert outcomes["transfer", "feishu:oc_inv000"][0] == "skipped"
    assert "owner is now ou_dan" in outcomes["transfer", "feishu:oc_inv000"][1]
    assert outcomes["disband", "feishu:oc_inv003"] == ("skipped", "the group is now named 'keep-me', not 'tmp-003'")
    assert outcomes["disband", "feishu:oc_inv000"][0] == "skipped"
    assert outcomes["disband", "feishu:oc_inv015"][0] == "skipped"
    chats = emulator.state()["feishu"]["chats"]
    assert chats["oc_inv000"]["owner"] == "ou_dan" and not chats["oc_inv000"]["dissolved"]
    assert not chats["oc_inv003"]["dissolved"] and not chats["oc_inv015"]["dissolved"]
    assert chats["oc_inv012"]["dissolved"]  # a tmp- chat nothing changed: disbanded as planned


def test_a_yunxin_sweep_plans_from_teams_the_events_brought(
    tmp_path: Path, emulator: EmulatorServer, target: str
) -> None:
    with Inventory.open(target) as inventory:
        inventory.apply(
            GroupCreated(vendor="yunxin", app=APP_KEY, group_id="3001", name="tmp-a", owner="acc_amy",
                         members={"acc_amy": Role.OWNER})
        )  # fmt: skip
    plan = tmp_path / "yunxin.jsonl"
    status, output = imgroup(
        tmp_path, emulator, "sweep", "--vendor", "yunxin", "--name-glob", "tmp-*", "--plan", str(plan),
        "--from-inventory", "--db", target,
    )  # fmt: skip
    assert status == 0, output
    header, steps = _plan_steps(plan)
    assert [step["group"] for step in steps] == ["yunxin:3001"]
    assert header["inventory"]["yunxin"]["last_full_sync"] is None and header["inventory"]["yunxin"]["last_event"]


def test_planning_from_an_inventory_that_knows_nothing_of_the_app_is_refused(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    empty = tmp_path / "empty.sqlite"
    Inventory.open(str(empty)).close()
    status, output = imgroup(
        tmp_path, emulator, "sweep", "--vendor", "tencent", "--name-glob", "*", "--plan", str(tmp_path / "p.jsonl"),
        "--from-inventory", "--db", str(empty),
    )  # fmt: skip
    assert status == 2 and "knows nothing of tencent app" in output, output
    status, output = imgroup(
        tmp_path, emulator, "sweep", "--vendor", "tencent", "--name-glob", "*", "--plan", str(tmp_path / "p.jsonl"),
        "--db", str(empty),
    )  # fmt: skip
    assert status == 2 and "add --from-inventory" in output
    assert not (tmp_path / "p.jsonl").exists()
