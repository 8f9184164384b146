"""Plans across a Feishu store app's tenants: the step's ``tenant`` in the plan format, the planning options,
the local apply of a plan in one tenant (and its refusal of several), and the fault plan's ``tenants``.

On the emulator in store-app mode, its tickets delivered through ``EmulatorServer.on_feishu_event`` into the
ticket store the settings name; the workers' side is in tests/test_store_app_workers.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from imgroup.cli import cli
from imgroup.emulator import EmulatorServer
from imgroup.emulator._faults import FaultPlan, FaultPlanError
from imgroup.groups import GroupRef
from imgroup.plans._plan import PlanError, Step, read_plan, write_plan
from imgroup.runtime.signers.feishu_tickets import SQLiteTicketStore

SECRET = "plans-tenants-secret"
TENANTS = ("tk_one", "tk_two")
HEADER = {"imgroup_plan": 1, "id": "tenants-test", "kind": "sweep", "asked": {}, "apps": {}}


@dataclass
class StoreApp:
    emulator: EmulatorServer
    app_id: str
    environment: dict[str, str]

    def invoke(self, *arguments: str, **environment: str) -> Any:
        return CliRunner().invoke(cli, list(arguments), env={**self.environment, **environment})

    def disbanded(self) -> list[tuple[str, str]]:
        """(chat, the caller whose token disbanded it), from the emulator's audit log."""
        return [
            (call["target"], call["app"])
            for call in self.emulator.calls()
            if call["operation"] == "disband_chat" and call["effect"] is not None
        ]


@pytest.fixture
def store_app(imgroup_emulator: EmulatorServer, tmp_path: Path) -> Iterator[StoreApp]:
    app_id = "cli_store_" + uuid.uuid4().hex[:12]  # the signer caches tokens per process by app id
    chats = [
        {"chat_id": f"oc_{name}_{tenant}", "name": f"{name}-{tenant}", "owner": app_id, "tenant": tenant,
         "members": [f"ou_{tenant}"]}
        for tenant in TENANTS
        for name in ("tmp", "keep")
    ]  # fmt: skip
    imgroup_emulator.reset(
        {
            "feishu": {
                "apps": [{"app_id": app_id, "app_secret": SECRET, "app_type": "store", "tenants": list(TENANTS)}],
                "users": [{"open_id": f"ou_{tenant}", "name": tenant, "tenant": tenant} for tenant in TENANTS],
                "chats": chats,
            }
        }
    )
    tickets = SQLiteTicketStore(tmp_path / "tickets.sqlite3")

    def receive(event: dict[str, Any]) -> None:  # the event receiver's part
        if event["event"]["type"] == "app_ticket":
            tickets.put(event["event"]["app_id"], event["event"]["app_ticket"])

    imgroup_emulator.on_feishu_event(receive)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    environment = {
        "IMGROUP_CONFIG": str(config), "FEISHU_APP_ID": app_id, "FEISHU_APP_SECRET": SECRET,
        "FEISHU_APP_TYPE": "store", "FEISHU_TICKETS": str(tickets.path), "FEISHU_BASE_URL": imgroup_emulator.base_url,
    }  # fmt: skip
    yield StoreApp(imgroup_emulator, app_id, environment)
    imgroup_emulator.on_feishu_event(None)


# --- the plan format -----------------------------------------------------------------------------------------------


def test_a_step_names_its_tenant_and_an_old_plan_reads_unchanged(tmp_path: Path) -> None:
    group = GroupRef.parse("feishu:oc_1")
    write_plan(tmp_path / "p.jsonl", HEADER, [Step("disband", group, app="cli_x", tenant="tk_1")])
    assert json.loads((tmp_path / "p.jsonl").read_text().splitlines()[1])["tenant"] == "tk_1"
    assert read_plan(tmp_path / "p.jsonl").steps[0].tenant == "tk_1"
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps(HEADER) + '\n{"action": "disband", "group": "feishu:oc_1", "planned_on": {}}\n')
    (step,) = read_plan(old).steps
    assert step.tenant is None and "tenant" not in step.to_json()


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ({"action": "disband", "group": "feishu:oc_1", "tenant": ""}, "tenant names"),
        ({"action": "disband", "group": "feishu:oc_1", "tenant": 7}, "tenant names"),
        ({"action": "disband", "group": "tencent:@TGS#1", "tenant": "tk_1"}, "tenant is for a Feishu store app"),
    ],
)
def test_a_bad_tenant_is_refused_naming_the_line(step: dict[str, Any], problem: str, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + json.dumps(step) + "\n")
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert caught.value.line == 2 and problem in caught.value.problem


# --- planning ------------------------------------------------------------------------------------------------------


def test_a_sweep_in_named_tenants_plans_only_theirs(store_app: StoreApp, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.jsonl"
    made = store_app.invoke(
        "sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--tenant", "tk_two", "--plan", str(plan_path)
    )
    assert made.exit_code == 0, made.output
    plan = read_plan(plan_path)
    assert [(str(s.group), s.app, s.tenant) for s in plan.steps] == [
        ("feishu:oc_tmp_tk_two", store_app.app_id, "tk_two")
    ]
    assert plan.header["tenants"] == {"feishu": ["tk_two"]}
    assert plan.header["asked"]["tenants"] == ["tk_two"]


def test_all_tenants_takes_the_settings_tenant_when_no_receiver_database_is_given(
    store_app: StoreApp, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    made = store_app.invoke(
        "sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--all-tenants", "--plan", str(plan_path),
        FEISHU_TENANT_KEY="tk_one",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert [step.tenant for step in read_plan(plan_path).steps] == ["tk_one"]


def test_an_offboarding_across_tenants_plans_each_user_in_their_own_tenant(store_app: StoreApp, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.jsonl"
    made = store_app.invoke(
        "offboard", "feishu:ou_tk_two", "--disband-owned", "--tenant", "tk_one", "--tenant", "tk_two",
        "--plan", str(plan_path),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    plan = read_plan(plan_path)
    assert plan.steps and {step.tenant for step in plan.steps} == {"tk_two"}
    assert {str(step.group) for step in plan.steps} <= {"feishu:oc_tmp_tk_two", "feishu:oc_keep_tk_two"}
    assert plan.header["tenants"] == {"feishu": ["tk_one", "tk_two"]}


@pytest.mark.parametrize(
    ("arguments", "environment", "problem"),
    [
        (["--tenant", "tk_one", "--all-tenants"], {}, "not both"),
        (["--all-tenants"], {}, "no tenant of"),
        (["--events-db", "DB"], {}, "pass --all-tenants too"),
        (["--tenant", "tk_one"], {"FEISHU_APP_TYPE": "custom"}, "custom app"),
        (["--all-tenants", "--from-inventory", "--db", "DB"], {}, "leave out --from-inventory"),
    ],
)
def test_a_sweep_asked_for_tenants_it_cannot_have_is_refused_before_any_call(
    store_app: StoreApp, tmp_path: Path, arguments: list[str], environment: dict[str, str], problem: str
) -> None:
    (tmp_path / "events.db").write_bytes(b"")
    arguments = [str(tmp_path / "events.db") if argument == "DB" else argument for argument in arguments]
    calls = len(store_app.emulator.calls())
    refused = store_app.invoke(
        "sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--plan", str(tmp_path / "p.jsonl"), *arguments,
        **environment,
    )  # fmt: skip
    assert refused.exit_code == 2 and problem in refused.output, refused.output
    assert len(store_app.emulator.calls()) == calls and not (tmp_path / "p.jsonl").exists()


def test_tenants_on_another_vendor_are_refused(store_app: StoreApp, tmp_path: Path) -> None:
    refused = store_app.invoke(
        "sweep", "--vendor", "tencent", "--name-glob", "x", "--tenant", "tk_one", "--plan", str(tmp_path / "p.jsonl")
    )
    assert refused.exit_code == 2 and "tencent has none" in refused.output, refused.output


# --- the local apply -----------------------------------------------------------------------------------------------


def test_the_local_apply_acts_in_the_tenant_a_plan_names(store_app: StoreApp, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    write_plan(
        plan, HEADER, [Step("disband", GroupRef.parse("feishu:oc_tmp_tk_two"), app=store_app.app_id, tenant="tk_two")]
    )
    applied = store_app.invoke("apply", str(plan), "--journal", str(tmp_path / "j"), FEISHU_TENANT_KEY="tk_one")
    assert applied.exit_code == 0, applied.output
    assert store_app.disbanded() == [("oc_tmp_tk_two", f"{store_app.app_id}@tk_two")]


def test_the_local_apply_of_a_plan_across_tenants_says_to_use_the_queue(store_app: StoreApp, tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    steps = [
        Step("disband", GroupRef.parse(f"feishu:oc_tmp_{tenant}"), app=store_app.app_id, tenant=tenant)
        for tenant in TENANTS
    ]
    write_plan(plan, HEADER, steps)
    refused = store_app.invoke("apply", str(plan), "--journal", str(tmp_path / "j"))
    assert refused.exit_code == 2 and "covers 2 tenants" in refused.output and "--queue" in refused.output
    assert store_app.disbanded() == []


def test_the_local_apply_of_a_tenants_plan_with_a_custom_apps_settings_is_refused(
    store_app: StoreApp, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.jsonl"
    write_plan(plan, HEADER, [Step("disband", GroupRef.parse("feishu:oc_tmp_tk_one"), tenant="tk_one")])
    refused = store_app.invoke("apply", str(plan), "--journal", str(tmp_path / "j"), FEISHU_APP_TYPE="custom")
    assert refused.exit_code == 2 and "settings name a custom app" in refused.output, refused.output


# --- the emulator's fault plan -------------------------------------------------------------------------------------


def test_a_fault_plan_s_tenants_pick_the_calls_it_hits() -> None:
    plan = FaultPlan.from_json({"storm_rate": 1.0, "tenants": ["tk_one"]})
    assert plan.to_json()["tenants"] == ["tk_one"]
    assert plan.draw("feishu", "disband_chat", "oc_1", tenant="tk_one") is not None
    assert plan.draw("feishu", "disband_chat", "oc_1", tenant="tk_two") is None
    assert plan.draw("feishu", "disband_chat", "oc_1") is None  # a custom app's call: no tenant
    assert FaultPlan.from_json({"storm_rate": 1.0}).draw("feishu", "disband_chat", "oc_1") is not None


@pytest.mark.parametrize("tenants", ["tk_one", [""], [1]])
def test_a_malformed_tenants_is_refused(tenants: Any) -> None:
    with pytest.raises(FaultPlanError, match="tenants"):
        FaultPlan.from_json({"tenants": tenants})
