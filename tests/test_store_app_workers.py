"""A sweep across a Feishu store app's tenants, applied by workers on PostgreSQL, end to end (issue 15).

The emulator in store-app mode (its tickets delivered through ``EmulatorServer.on_feishu_event`` into the
ticket store the settings name, as the event receiver does); the tenants the receiver recorded in its
database; a real PostgreSQL (tests/postgres_server.py); the workers and the waiting apply are processes of
their own, as users run them. The plan names each step's tenant, so each tenant is a partition of its own.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from imgroup.cli import cli
from imgroup.emulator import EmulatorServer
from imgroup.events._store_apps import SCHEMA
from imgroup.plans._plan import read_plan
from imgroup.runtime.signers.feishu_tickets import SQLiteTicketStore
from imgroup.workers._partition import Partition, partitions_of
from imgroup.workers._store import connect, counts, partition_states

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "store-workers-secret"
TENANTS = ("tk_north", "tk_south", "tk_west")  # installed the app, and the receiver recorded it
UNRECORDED = "tk_east"  # installed the app, but no app_open reached the receiver: not a tenant the app knows
CHATS_PER_TENANT = 24
PER_SECOND = 4  # the emulator's limit per tenant and operation, and the apply's --rate-limit
RUN_TIMEOUT_S = 300
IMGROUP = [sys.executable, "-c", "import sys; from imgroup.cli import main; sys.exit(main())"]
# A killed worker's partition is taken up 3.2 s after the kill rather than 16 (the default's 10 s): the takeover is
# the same, the test waits less for it.
STALLED_AFTER = "2"


@dataclass
class StoreApp:
    emulator: EmulatorServer
    app_id: str
    environment: dict[str, str]
    events_db: Path

    def swept(self, tenant: str) -> list[str]:
        return [f"oc_tmp_{tenant}_{index:02d}" for index in range(CHATS_PER_TENANT)]

    def tenant_of(self, caller: str | None) -> str:
        app, _, tenant = (caller or "").partition("@")
        assert app == self.app_id, caller
        return tenant

    def sweep(self, plan: Path) -> None:
        """``imgroup sweep --all-tenants``, as a user runs it (the ticket comes through the emulator's hook)."""
        made = CliRunner().invoke(
            cli,
            ["sweep", "--vendor", "feishu", "--name-glob", "tmp-*", "--all-tenants", "--events-db", str(self.events_db),
             "--plan", str(plan)],
            env=self.environment,
        )  # fmt: skip
        assert made.exit_code == 0, made.output

    def disbands(self) -> list[dict[str, Any]]:
        """The disbands that happened, oldest first (the emulator's audit log)."""
        return [c for c in self.emulator.calls() if c["operation"] == "disband_chat" and c["effect"] is not None]


def seed(app_id: str) -> dict[str, Any]:
    tenants = [*TENANTS, UNRECORDED]
    return {
        "feishu": {
            "apps": [{"app_id": app_id, "app_secret": SECRET, "app_type": "store", "tenants": tenants}],
            "chats": [
                {"chat_id": chat, "name": name, "owner": app_id, "tenant": tenant, "members": [f"ou_{tenant}"]}
                for tenant in tenants
                for chat, name in [
                    *((f"oc_tmp_{tenant}_{i:02d}", f"tmp-{tenant}-{i}") for i in range(CHATS_PER_TENANT)),
                    (f"oc_keep_{tenant}", f"keep-{tenant}"),
                ]
            ],
        }
    }


@pytest.fixture
def store_app(imgroup_emulator: EmulatorServer, tmp_path: Path) -> Iterator[StoreApp]:
    """A store app of four tenants on the emulator; three recorded by the receiver; a worker's environment."""
    app_id = "cli_store_" + uuid.uuid4().hex[:12]  # the signer caches tokens per process by app id
    imgroup_emulator.reset(seed(app_id))
    tickets = SQLiteTicketStore(tmp_path / "tickets.sqlite3")

    def receive(event: dict[str, Any]) -> None:  # the event receiver's part: each app_ticket into the store
        if event["event"]["type"] == "app_ticket":
            tickets.put(event["event"]["app_id"], event["event"]["app_ticket"])

    imgroup_emulator.on_feishu_event(receive)
    events_db = tmp_path / "events.db"
    with closing(sqlite3.connect(events_db)) as db, db:  # the app_open events the receiver recorded
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO store_app_tenants (vendor, app, tenant_key, opened_at) VALUES ('feishu', ?, ?, ?)",
            [(app_id, tenant, 1_700_000_000 + order) for order, tenant in enumerate(TENANTS)],
        )
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")  # the app's settings are in the environment
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("FEISHU_", "IMGROUP_"))}
    environment.update(
        IMGROUP_CONFIG=str(config), FEISHU_APP_ID=app_id, FEISHU_APP_SECRET=SECRET,
        FEISHU_APP_TYPE="store", FEISHU_TICKETS=str(tickets.path), FEISHU_BASE_URL=imgroup_emulator.base_url,
    )  # fmt: skip
    yield StoreApp(imgroup_emulator, app_id, environment, events_db)
    imgroup_emulator.on_feishu_event(None)


def start_worker(url: str, environment: dict[str, str], log: Path, concurrency: int = 2) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [*IMGROUP, "worker", "--queue", url, "--concurrency", str(concurrency), "--stalled-after", STALLED_AFTER],
            env=environment, cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def start_apply(plan: Path, url: str, environment: dict[str, str], *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*IMGROUP, "apply", str(plan), "--queue", url, "--wait", *options],
        env=environment, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    worker.wait(60)


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def queued(db: Any, plan_id: str) -> bool:
    row = db.execute("SELECT to_regclass('imgroup_runs')").fetchone()
    if row is None or row[0] is None:
        return False
    found = db.execute("SELECT count(*) FROM imgroup_runs WHERE plan_id = %s", (plan_id,)).fetchone()
    return bool(found and found[0])


def test_the_sweep_names_each_steps_app_and_tenant_and_the_header_the_tenants(
    store_app: StoreApp, tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.jsonl"
    store_app.sweep(plan_path)
    plan = read_plan(plan_path)
    assert plan.header["tenants"] == {"feishu": list(TENANTS)}
    assert {(step.app, step.tenant) for step in plan.steps} == {(store_app.app_id, tenant) for tenant in TENANTS}
    assert sorted(str(step.group) for step in plan.steps) == sorted(
        f"feishu:{chat}" for tenant in TENANTS for chat in store_app.swept(tenant)
    )
    assert list(partitions_of(plan)) == [Partition("feishu", store_app.app_id, tenant) for tenant in sorted(TENANTS)]
    shown = CliRunner().invoke(cli, ["plan", "show", str(plan_path)])
    assert f"feishu app {store_app.app_id}, 3 tenants: {', '.join(TENANTS)}" in shown.output, shown.output


def test_a_sweep_across_tenants_applied_by_workers_one_killed_twice_disbands_each_planned_chat_once(
    store_app: StoreApp, postgres_url: str, tmp_path: Path
) -> None:
    emulator, environment = store_app.emulator, store_app.environment
    plan_path, report = tmp_path / "plan.jsonl", tmp_path / "report.csv"
    store_app.sweep(plan_path)
    # Limited once the plan is made: the workers are what keeps to them (the sweep, reading each chat, would
    # spend 18 s at 4 calls a second).
    emulator.faults({"rate_limits": {"disband_chat": PER_SECOND, "get_chat": PER_SECOND}})
    plan = read_plan(plan_path)
    total = len(plan.steps)
    assert total == len(TENANTS) * CHATS_PER_TENANT
    apply = start_apply(plan_path, postgres_url, environment, "--report", str(report), "--rate-limit", str(PER_SECOND))
    logs = tmp_path / "workers.log"
    with connect(postgres_url) as db:
        wait_for(lambda: queued(db, plan.id), "the plan in the queue")
        killed, steady = start_worker(postgres_url, environment, logs), start_worker(postgres_url, environment, logs)
        try:
            for done_before_kill in (total // 6, total // 2):
                wait_for(lambda n=done_before_kill: counts(db, plan.id)["done"] >= n, f"{done_before_kill} done")
                killed.send_signal(signal.SIGKILL)
                killed.wait()
                assert counts(db, plan.id)["done"] < total, "the run ended before the kill"
                if done_before_kill == total // 6:
                    # Mid-run: every token expires and the ticket goes stale; the clients meet 10012, ask for a
                    # resend, wait for the ticket to reach the store, and go on.
                    emulator.expire_tokens()
                    emulator.expire_feishu_tickets(store_app.app_id)
                killed = start_worker(postgres_url, environment, logs)
            printed, _ = apply.communicate(timeout=RUN_TIMEOUT_S)
        finally:
            stop(killed)
            stop(steady)
        retried = db.execute("SELECT max(attempts) FROM procrastinate_jobs").fetchone()
    assert retried is not None and retried[0] >= 1, "no stalled job was put back"
    worker_logs = logs.read_text(errors="replace")
    assert apply.returncode == 0, printed + worker_logs
    assert f"{total} steps: {total} done" in printed, printed
    assert SECRET not in printed and SECRET not in worker_logs

    calls = emulator.calls()
    app_tokens = [call["code"] for call in calls if call["operation"] == "get_app_access_token"]
    assert 10012 in app_tokens and app_tokens[-1] == 0, app_tokens  # the stale ticket met, then a good one
    first_stale = next(call["seq"] for call in calls if call["code"] == 10012)
    assert any(c["operation"] == "resend_app_ticket" and c["seq"] > first_stale for c in calls)

    disbanded = Counter(call["target"] for call in store_app.disbands())
    planned = {step.group.id for step in plan.steps}
    assert set(disbanded) == planned and set(disbanded.values()) == {1}, disbanded
    for call in store_app.disbands():  # each in its own tenant, with that tenant's token
        assert call["target"] in store_app.swept(store_app.tenant_of(call["app"]))
    left = set(emulator.state()["feishu"]["chats"])
    assert {f"oc_keep_{tenant}" for tenant in [*TENANTS, UNRECORDED]} <= left
    assert set(store_app.swept(UNRECORDED)) <= left
    with report.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["group"] for row in rows) == sorted(f"feishu:{chat}" for chat in planned)
    assert {row["status"] for row in rows} == {"done"}


def test_one_tenants_rate_limit_answers_slow_only_its_own_partition(
    store_app: StoreApp, postgres_url: str, tmp_path: Path
) -> None:
    emulator, environment = store_app.emulator, store_app.environment
    plan_path = tmp_path / "plan.jsonl"
    store_app.sweep(plan_path)
    plan = read_plan(plan_path)
    slowed, others = TENANTS[1], [TENANTS[0], TENANTS[2]]
    # Every disband in one tenant is answered as rate limited (99991400, retry in a second) until lifted.
    emulator.faults({"storm_rate": 1.0, "operations": ["disband_chat"], "tenants": [slowed]})
    apply = start_apply(plan_path, postgres_url, environment, "--max-retries", "10000", "--rate-limit", "0")
    logs = tmp_path / "workers.log"
    with connect(postgres_url) as db:
        wait_for(lambda: queued(db, plan.id), "the plan in the queue")
        worker = start_worker(postgres_url, environment, logs, concurrency=len(TENANTS))  # every partition at once
        try:

            def finished(tenant: str) -> bool:
                states = {state.partition.tenant: state.state for state in partition_states(db, plan.id)}
                return states.get(tenant) == "finished"

            wait_for(lambda: all(finished(tenant) for tenant in others), "the other tenants' partitions")
            # The others finished at their own pace while every disband of the slowed tenant was refused.
            by_tenant = Counter(store_app.tenant_of(call["app"]) for call in store_app.disbands())
            assert by_tenant == dict.fromkeys(others, CHATS_PER_TENANT), by_tenant
            refused = [c for c in emulator.calls() if c["operation"] == "disband_chat" and c["code"] == 99991400]
            assert refused and {store_app.tenant_of(call["app"]) for call in refused} == {slowed}
            emulator.faults({})  # the slowed tenant's limit lifts: its partition goes on
            printed, _ = apply.communicate(timeout=RUN_TIMEOUT_S)
        finally:
            stop(worker)
    assert apply.returncode == 0, printed + logs.read_text(errors="replace")
    disbands = store_app.disbands()
    assert Counter(call["target"] for call in disbands) == dict.fromkeys((s.group.id for s in plan.steps), 1)
    # The other tenants' disbands were each sent once, never refused nor retried, and all came first.
    sent = Counter(call["target"] for call in emulator.calls() if call["operation"] == "disband_chat")
    assert all(sent[chat] == 1 for tenant in others for chat in store_app.swept(tenant))
    assert sum(sent[chat] for chat in store_app.swept(slowed)) > CHATS_PER_TENANT
    last_other = max(call["seq"] for call in disbands if store_app.tenant_of(call["app"]) in others)
    assert last_other < min(call["seq"] for call in disbands if store_app.tenant_of(call["app"]) == slowed)
